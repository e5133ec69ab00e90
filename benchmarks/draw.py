"""How long `cnncalc draw resnet152` takes (issue 16: under 1 s), whole process and in-process.

    python3 benchmarks/draw.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    from cnncalc import analyze, load
    from cnncalc.render.diagram import diagram, to_svg

    # inception-v3 too: the graph layout with an aux head, an output marker per output
    for name, style in (("resnet152", "graph"), ("resnet152", "blocks"),
                        ("inception-v3", "graph")):
        start = time.perf_counter()
        analysis = analyze(load(name))
        analysed = time.perf_counter()
        canvas = diagram(analysis, style)
        laid_out = time.perf_counter()
        svg = to_svg(canvas)
        done = time.perf_counter()
        print(f"{name} {style:6}: analyse {analysed - start:.3f} s, layout "
              f"{laid_out - analysed:.3f} s, svg {done - laid_out:.3f} s "
              f"({len(svg) / 1e6:.1f} MB); in-process total {done - start:.3f} s")
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "resnet152.svg")
        best = min(_timed([sys.executable, "-m", "cnncalc", "draw", "resnet152", "-o", str(out)])
                   for _ in range(3))
    bare = min(_timed([sys.executable, "-c", "pass"]) for _ in range(3))
    print(f"cnncalc draw resnet152 -o resnet152.svg (whole process, best of 3): {best:.3f} s; "
          f"a bare `python3 -c pass` on this machine: {bare:.3f} s")


def _timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
