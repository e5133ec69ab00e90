"""Whole-process start-up time of cnncalc against the floor of its own dependencies.

Prints the median wall time of each command, interleaved over the same rounds so that the
machine's noise hits all of them alike, and the ratios to the floor
`python -c "import click, yaml, rich.console, rich.table"`. Targets: `cnncalc --help` and
`summary alexnet.yaml --no-verify` within 1.3× the floor; resnet152's analysis adds < 100 ms
on top of `--help`.

    python benchmarks/startup.py [--rounds 15]
"""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def command_prefix() -> list[str]:
    script = shutil.which("cnncalc")
    return [script] if script else [sys.executable, "-m", "cnncalc"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                   cwd="/tmp" if os.path.isdir("/tmp") else None)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    rounds = parser.parse_args().rounds
    # pip writes bytecode at install time; an editable install under PYTHONDONTWRITEBYTECODE
    # would otherwise recompile every module on every run and measure the compiler.
    package = Path(importlib.util.find_spec("cnncalc").origin).parent
    compileall.compile_dir(str(package), quiet=1)
    cnncalc = command_prefix()
    commands = {
        "floor (import click, yaml, rich)":
            [sys.executable, "-c", "import click, yaml, rich.console, rich.table"],
        "cnncalc --help": [*cnncalc, "--help"],
        "summary alexnet.yaml --no-verify": [*cnncalc, "summary", "alexnet.yaml", "--no-verify"],
        "summary resnet152.yaml --no-verify":
            [*cnncalc, "summary", "resnet152.yaml", "--no-verify"],
    }
    for command in commands.values():
        timed(command)  # warm the file cache
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            samples[name].append(timed(command))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    floor = medians["floor (import click, yaml, rich)"]
    print(f"median of {rounds} interleaved rounds ({' '.join(cnncalc)})")
    for name, value in medians.items():
        print(f"  {name:38s} {value * 1000:7.1f} ms   {value / floor:5.2f}× floor")
    extra = medians["summary resnet152.yaml --no-verify"] - medians["cnncalc --help"]
    print(f"  resnet152 summary on top of --help: {extra * 1000:.1f} ms (whole process: "
          "includes importing rich, which --help does not, and rendering 700 lines)")
    print("  resnet152 in-process, median of 5: " + in_process("resnet152"))


def in_process(name: str) -> str:
    """Load + analyse (the target: < 100 ms) and rendering, timed separately."""
    import io

    from rich.console import Console

    import cnncalc
    from cnncalc.render.table import summary

    phases: dict[str, list[float]] = {"load + analyse": [], "render": []}
    for _ in range(5):
        start = time.perf_counter()
        result = cnncalc.analyze(cnncalc.load(name))
        middle = time.perf_counter()
        Console(file=io.StringIO(), width=120).print(summary(result))
        phases["load + analyse"].append(middle - start)
        phases["render"].append(time.perf_counter() - middle)
    return ", ".join(f"{phase} {statistics.median(values) * 1000:.1f} ms"
                     for phase, values in phases.items())


if __name__ == "__main__":
    main()
