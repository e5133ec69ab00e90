"""Analysis time against network depth: generated specs of 1,000 to 50,000 layers.

Prints load and analysis time per layer; linear growth means a flat per-layer figure. A
second series writes the same network out in full twice, once with `residual:` entries and
once as a flat graph — every unit names its first conv and ends in `add: {from: [previous,
name]}` — and prints the graph's per-row cost over the residual form's (1.0: `from:` costs
nothing extra; both parse the same amount of YAML, which dominates their load time).

    python benchmarks/scaling.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import cnncalc

BLOCK = """
blocks:
  unit:
    params: {width: 16}
    layers:
      - residual:
          body:
            - conv: {filters: $width, kernel: 3, padding: 1, bias: false}
            - bn
            - relu
            - conv: {filters: $width, kernel: 3, padding: 1, bias: false}
            - bn
          activation: relu
"""


def spec(units: int) -> str:
    # Each unit expands to 7 rows (2 conv, 2 bn, relu, add, relu) inside 2 groups.
    return BLOCK + f"input: 32x32x16\nlayers:\n  - unit: {{repeat: {units}}}\n"


def graph_spec(units: int) -> str:
    """The same units as top-level entries joined by name (7 rows each, like `spec`)."""
    lines = ["input: 32x32x16", "layers:"]
    for unit in range(units):
        lines += [f"  - conv: {{name: a{unit}, filters: 16, kernel: 3, padding: 1, bias: false}}",
                  "  - bn", "  - relu",
                  "  - conv: {filters: 16, kernel: 3, padding: 1, bias: false}", "  - bn",
                  f"  - add: {{from: [previous, a{unit}]}}", "  - relu"]
    return "\n".join(lines) + "\n"


def written_out_spec(units: int) -> str:
    """`spec` without the block and `repeat`: every residual entry in the text."""
    unit = ("  - residual: {body: [{conv: {filters: 16, kernel: 3, padding: 1, bias: false}}, "
            "bn, relu, {conv: {filters: 16, kernel: 3, padding: 1, bias: false}}, bn], "
            "activation: relu}")
    return "input: 32x32x16\nlayers:\n" + "\n".join([unit] * units) + "\n"


def measure(units: int, make=spec) -> tuple[int, float, float]:
    text = make(units)
    start = time.perf_counter()
    network = cnncalc.loads(text)
    loaded = time.perf_counter()
    result = cnncalc.analyze(network)
    done = time.perf_counter()
    return len(result.rows), loaded - start, done - loaded


def main() -> None:
    # First, while this process is small: a child's peak memory counts what it was forked with.
    whole_process_json(50_000 // 7)
    measure(10)  # warm up imports
    print(f"{'rows':>7} {'load ms':>9} {'analyze ms':>11} {'µs/row total':>13} "
          f"{'from: µs/row':>13} {'from: / written':>17}")
    for layers in (1_000, 10_000, 50_000):
        units = layers // 7
        rows, load, analysis = measure(units)
        per_row = (load + analysis) / rows
        graph_rows, graph_load, graph_analysis = measure(units, graph_spec)
        graph_per_row = (graph_load + graph_analysis) / graph_rows
        full_rows, full_load, full_analysis = measure(units, written_out_spec)
        full_per_row = (full_load + full_analysis) / full_rows
        print(f"{rows:7,} {load * 1000:9.1f} {analysis * 1000:11.1f} {per_row * 1e6:13.1f} "
              f"{graph_per_row * 1e6:13.1f} {graph_per_row / full_per_row:17.2f}")



def whole_process_json(units: int) -> None:
    """`summary --no-verify --format json` on the 50,000-layer spec, as a user runs it: wall
    time and peak memory of that process (targets 4 s, 250 MiB: the JSON is streamed)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deep.yaml"
        path.write_text(spec(units), encoding="utf-8")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cnncalc", "summary", str(path), "--no-verify",
                        "--format", "json", "-o", str(Path(folder) / "deep.json")], check=True)
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    print(f"summary --format json, {units * 7:,} rows, whole process: {seconds:.2f} s, "
          f"peak {peak:.0f} MiB")


if __name__ == "__main__":
    main()
