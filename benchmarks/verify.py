"""Speed and memory of the reference pass, per built-in, against this machine's matmul.

For each built-in: verification time (`summary` minus `summary --no-verify`, whole
processes, so it includes importing NumPy, about 0.1 s), achieved GFLOP/s (2 × MACs /
time), the ratio to NumPy's float32 matmul rate measured in the same run, the same for a
warm in-process pass (`verify_analysis` run twice, the second timed), and the peak RSS of
the whole `summary` process.
Targets (issue 3): VGG-16 ≥ 50% of matmul, ResNet-50 ≥ 35%, VGG-16 peak RSS < 768 MiB.

    python benchmarks/verify.py [names...] [--rounds 3]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from conv_kernels import matmul_gflops  # this folder: one definition of the matmul rate

import cnncalc
from cnncalc.reference.verify import verify_analysis

# Runs one child and prints its wall time and its peak RSS (the only child of this wrapper).
WRAPPER = """
import resource, subprocess, sys, time
start = time.perf_counter()
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.perf_counter() - start
print(elapsed, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
"""


def run(args: list[str]) -> tuple[float, int]:
    command = [sys.executable, "-m", "cnncalc", "summary", *args, "--format", "json"]
    out = subprocess.run([sys.executable, "-c", WRAPPER, *command], capture_output=True,
                         text=True, check=True).stdout.split()
    return float(out[0]), int(out[1])


def warm_pass(name: str) -> float:
    result = cnncalc.analyze(cnncalc.load(name))
    verify_analysis(result)
    start = time.perf_counter()
    verify_analysis(result)
    return time.perf_counter() - start


def main() -> None:
    # pip writes bytecode at install time; measure that, not the compiler.
    compileall.compile_dir(str(Path(importlib.util.find_spec("cnncalc").origin).parent),
                           quiet=1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", default=cnncalc.builtin_names())
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    rate = matmul_gflops()
    print(f"NumPy float32 matmul (2048²): {rate:.1f} GFLOP/s\n")
    print(f"{'':20s} {'--- summary − --no-verify ---':>29} {'--- warm pass ---':>27}")
    print(f"{'model':20s} {'s':>9} {'GFLOP/s':>8} {'matmul':>9} {'s':>8} {'GFLOP/s':>8} "
          f"{'matmul':>7} {'peak RSS':>10}")
    for name in options.names:
        macs = cnncalc.analyze(cnncalc.load(name)).totals.macs
        with_pass, without = [], []
        peak = 0
        for _ in range(options.rounds):  # interleaved, medians
            seconds, rss = run([name])
            with_pass.append(seconds)
            peak = max(peak, rss)
            without.append(run([name, "--no-verify"])[0])
        verify = max(statistics.median(with_pass) - statistics.median(without), 1e-9)
        achieved = 2 * macs / verify / 1e9
        warm = statistics.median(warm_pass(name) for _ in range(options.rounds))
        warm_rate = 2 * macs / warm / 1e9
        print(f"{name:20s} {verify:9.2f} {achieved:8.1f} {achieved / rate:8.0%} "
              f"{warm:8.2f} {warm_rate:8.1f} {warm_rate / rate:6.0%} {peak / 2**20:8.0f} MiB")
    print("\n" + json.dumps({"matmul_gflops": round(rate, 1)}))


if __name__ == "__main__":
    main()
