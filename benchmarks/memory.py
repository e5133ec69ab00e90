"""`cnncalc memory` on a generated 10,000-layer spec: the time of each part and the whole.

    python benchmarks/memory.py

Each figure is the best of three runs (the machine is shared and noisy): load + analysis,
the training figures alone, the full `memory` command in-process (analysis, figures, the two
what-if variants and the rich rendering), the whole process, and `summary --no-verify` on
the same spec as a yardstick measured in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import cnncalc  # noqa: E402
from cnncalc.engine.training import training_figures  # noqa: E402

BLOCK = """
blocks:
  unit:
    layers:
      - residual:
          body:
            - conv: {filters: 16, kernel: 3, padding: 1, bias: false}
            - bn
            - relu
            - conv: {filters: 16, kernel: 3, padding: 1, bias: false}
            - bn
          activation: relu
"""
UNITS = 10_000 // 7 + 1  # each unit is 7 rows: 2 conv, 2 bn, relu, add, relu


def best(function, repeat: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    text = BLOCK + f"name: deep\ninput: 32x32x16\nlayers:\n  - unit: {{repeat: {UNITS}}}\n"
    analyse_time, analysis = best(lambda: cnncalc.analyze(cnncalc.loads(text)))
    figures_time, _ = best(lambda: training_figures(analysis, batch=32, gpu_bytes=24 << 30))

    from click.testing import CliRunner

    from cnncalc.cli import cli

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "deep.yaml"
        path.write_text(text, encoding="utf-8")
        args = ["memory", str(path), "--batch", "32", "--gpu", "24GiB"]
        command_time, result = best(lambda: CliRunner().invoke(cli, args))
        assert result.exit_code == 0, result.output
        environment = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
        def process(arguments: list[str]) -> float:
            return best(lambda: subprocess.run(
                [sys.executable, "-m", "cnncalc", *arguments], cwd=ROOT, env=environment,
                check=True, stdout=subprocess.DEVNULL))[0]

        process_time = process(args)
        summary_time = process(["summary", str(path), "--no-verify", "--depth", "0"])
    print(f"rows: {len(analysis.rows):,}")
    print(f"load + analyse:           {analyse_time * 1000:7.1f} ms")
    print(f"training figures alone:   {figures_time * 1000:7.1f} ms")
    print(f"memory command, in-process: {command_time * 1000:5.1f} ms")
    print(f"memory command, whole process: {process_time * 1000:5.1f} ms")
    print(f"summary --no-verify --depth 0, whole process: {summary_time * 1000:5.1f} ms "
          f"(memory / summary = {process_time / summary_time:.2f}; the machine's load "
          "shifts both alike)")
    print(f"training figures / load + analyse = {figures_time / analyse_time:.2f}")


if __name__ == "__main__":
    main()
