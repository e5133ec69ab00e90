"""What verification costs, in one run (SPEC §11, issue 15).

1. The probe referee (`--verify numpy`, the default): whole-process `summary` time over
   `summary --no-verify` for vgg16, resnet50, resnet152 and unet, at their own input size
   and at 1024² (targets: every row ✓, none skipped, < 2 s and < 3× --no-verify).
2. The full pass (`--verify full`): the warm in-process pass as a share of this machine's
   NumPy float32 matmul rate for vgg16 and resnet50 (targets ≥ 0.5 and ≥ 0.35), next to
   PyTorch's own CPU forward share when torch is importable (benchmarks/pytorch_peer.py).
   The yardstick is the warm pass: importing NumPy is a fixed cost paid once.
3. The full pass beyond --max-memory: a layer that does not fit whole runs in strips of rows
   with large maps on disk. For each case, whole-process time (and its ratio to the same
   input verified whole within 2 GiB, where that fits), peak RSS against the bound, and
   rows ✓ / skipped (target: every row ✓, none skipped, peak under the bound). `--large`
   adds unet at 2048² within 2 GiB (about a minute).

    python benchmarks/verify.py [--rounds 3] [--large]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from conv_kernels import matmul_gflops  # this folder: one definition of the matmul rate

import cnncalc
from cnncalc.reference.verify import verify_analysis

PROBED = [("vgg16", None), ("resnet50", None), ("resnet152", None), ("unet", None),
          ("vgg16", "1024x1024x3"), ("resnet50", "1024x1024x3"),
          ("resnet152", "1024x1024x3"), ("unet", "1024x1024x1")]
FULL = ["vgg16", "resnet50"]
# (model, input, --max-memory): the first of each input runs whole, as the yardstick
BOUNDED = [("unet", "1024x1024x1", "2GiB"), ("unet", "1024x1024x1", "512MiB"),
           ("unet", "1024x1024x1", "256MiB"), ("resnet50", "2048x2048x3", "2GiB"),
           ("resnet50", "2048x2048x3", "512MiB")]
LARGE = [("unet", "2048x2048x1", "2GiB")]
UNITS = {"MiB": 1 << 20, "GiB": 1 << 30}


# Runs cnncalc and reports its own peak RSS (VmHWM, in kB) on stderr as it exits. Not
# wait4's ru_maxrss: Linux carries the parent's high-water mark across exec, and this
# benchmark's own process has held the warm full passes.
PEAK_WRAPPER = """
import atexit, re, runpy, sys
def peak():
    status = open("/proc/self/status").read()
    sys.stderr.write("VmHWM " + re.search(r"VmHWM:\\s*(\\d+)", status).group(1) + "\\n")
atexit.register(peak)
sys.argv = ["cnncalc", *sys.argv[1:]]
runpy.run_module("cnncalc", run_name="__main__", alter_sys=True)
"""


def measured(args: list[str]) -> tuple[float, int, dict]:
    """Whole-process time, peak RSS in bytes and the JSON document of
    `cnncalc summary ARGS --format json`."""
    command = [sys.executable, "-c", PEAK_WRAPPER, "summary", *args, "--format", "json"]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    peak = int(re.search(r"VmHWM (\d+)", done.stderr).group(1)) * 1024
    return seconds, peak, json.loads(done.stdout)


def bounded(cases) -> None:
    print(f"{'model':10s} {'input':>12s} {'bound':>7s} {'s':>7s} {'× whole':>8s} "
          f"{'peak MiB':>9s} {'of bound':>9s} {'rows ✓':>8s} {'skipped':>8s}")
    whole: dict[str, float] = {}
    for name, size, bound in cases:
        seconds, peak, document = measured([name, "--input", size, "--verify", "full",
                                            "--max-memory", bound])
        whole.setdefault(size, seconds)
        limit = int(bound[:-3]) * UNITS[bound[-3:]]
        layers = document["layers"]
        good = sum(layer["verified"] is True for layer in layers)
        skipped = sum(layer["verified"] is None for layer in layers)
        print(f"{name:10s} {size:>12s} {bound:>7s} {seconds:7.1f} "
              f"{seconds / whole[size]:7.2f}× {peak / (1 << 20):9.0f} {peak / limit:8.0%} "
              f"{good:>4d}/{len(layers):<3d} {skipped:8d}")


def warm_full_pass(name: str, rounds: int) -> float:
    result = cnncalc.analyze(cnncalc.load(name))
    verify_analysis(result)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        verify_analysis(result)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pytorch_share(name: str, rate: float) -> str:
    try:
        from pytorch_peer import warm_forward  # needs torch: a separate venv
    except ImportError:
        return "(torch not installed)"
    macs = cnncalc.analyze(cnncalc.load(name)).totals.macs
    return f"{2 * macs / warm_forward(name) / 1e9 / rate:.0%}"


def main() -> None:
    # pip writes bytecode at install time; measure that, not the compiler.
    compileall.compile_dir(str(Path(importlib.util.find_spec("cnncalc").origin).parent),
                           quiet=1)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--large", action="store_true", help="also unet at 2048² in 2 GiB")
    options = parser.parse_args()

    print("probe referee (--verify numpy), whole process, medians of interleaved rounds")
    print(f"{'model':12s} {'input':>12s} {'probe s':>8s} {'no-verify s':>12s} {'ratio':>6s} "
          f"{'rows ✓':>8s} {'skipped':>8s}")
    for name, size in PROBED:
        extra = ["--input", size] if size else []
        probed, plain = [], []
        document: dict = {}
        for _ in range(options.rounds):
            seconds, _, document = measured([name, *extra])
            probed.append(seconds)
            plain.append(measured([name, *extra, "--no-verify"])[0])
        layers = document["layers"]
        good = sum(layer["verified"] is True for layer in layers)
        skipped = sum(layer["verified"] is None for layer in layers)
        with_probe, without = statistics.median(probed), statistics.median(plain)
        print(f"{name:12s} {size or 'own':>12s} {with_probe:8.2f} {without:12.2f} "
              f"{with_probe / without:5.2f}× {good:>4d}/{len(layers):<3d} {skipped:8d}")

    rate = matmul_gflops()
    print(f"\nfull pass (--verify full), warm in-process; NumPy float32 matmul (2048²): "
          f"{rate:.1f} GFLOP/s")
    print(f"{'model':12s} {'warm s':>8s} {'GFLOP/s':>8s} {'of matmul':>10s} {'PyTorch':>22s}")
    for name in FULL:
        macs = cnncalc.analyze(cnncalc.load(name)).totals.macs
        warm = warm_full_pass(name, options.rounds)
        achieved = 2 * macs / warm / 1e9
        print(f"{name:12s} {warm:8.2f} {achieved:8.1f} {achieved / rate:9.0%} "
              f"{pytorch_share(name, rate):>22s}")

    print("\nfull pass beyond --max-memory (strips of rows, large maps on disk), whole "
          "process")
    bounded(BOUNDED + (LARGE if options.large else []))


if __name__ == "__main__":
    main()
