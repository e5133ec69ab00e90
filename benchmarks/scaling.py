"""Analysis time against network depth: generated specs of 1,000 and 10,000 layers.

Prints load and analysis time per layer; linear growth means a flat per-layer figure.

    python benchmarks/scaling.py
"""

from __future__ import annotations

import time

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


def measure(units: int) -> tuple[int, float, float]:
    text = spec(units)
    start = time.perf_counter()
    network = cnncalc.loads(text)
    loaded = time.perf_counter()
    result = cnncalc.analyze(network)
    done = time.perf_counter()
    return len(result.rows), loaded - start, done - loaded


def main() -> None:
    measure(10)  # warm up imports
    print(f"{'rows':>7} {'load ms':>9} {'analyze ms':>11} {'µs/row total':>13}")
    for layers in (1_000, 10_000, 50_000):
        units = layers // 7
        rows, load, analysis = measure(units)
        print(f"{rows:7,} {load * 1000:9.1f} {analysis * 1000:11.1f} "
              f"{(load + analysis) / rows * 1e6:13.1f}")


if __name__ == "__main__":
    main()
