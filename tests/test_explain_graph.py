"""`explain` writes out what merges and splits do, from the tensors each row reads."""

from __future__ import annotations

import cnncalc
from cnncalc.homework.explain import explain

SPEC = """
input: 16x16x8
layers:
  - conv: {name: stem, filters: 8, kernel: 3, padding: 1}
  - gate: {name: se, body: [gap, {conv: {filters: 8, kernel: 1}}, sigmoid]}
  - concat: {name: both, from: [previous, stem]}
  - split: {name: halves, sizes: [4, 12], branches: [[], [relu]]}
"""


def lines(result) -> dict[str, list[str]]:
    """Each step as 'label: formula = value', without its remark."""
    return {layer.path: [str(step).split(" — ")[0] for step in layer.steps]
            for layer in result.layers}


def test_merges_and_splits_show_their_arithmetic():
    steps = lines(explain(cnncalc.analyze(cnncalc.loads(SPEC))))
    # a product of a map and a 1×1×C gate: 16·16·8 = 2,048 neurons, two values read each
    assert "output shape: 16×16×8 ⊙ 1×1×8 = 16×16×8" in steps["se.multiply"]
    assert "connections: 2,048 × 2 = 4,096" in steps["se.multiply"]
    assert "inputs: se.multiply 16×16×8, stem 16×16×8" in steps["both"]
    assert "channels: 8 + 8 = 16" in steps["both"]
    assert "channels: [4, 16) of 16: 16 − 4 = 12" in steps["halves.part2"]
