"""Where the golden figures live, one way for every test: tests/golden/ in this repository.

The files were measured in PyTorch (see tests/golden/README.md); they are facts, never
produced by cnncalc. Tests parametrise over the built-ins, and every built-in must have one.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import cnncalc

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
BUILTINS = cnncalc.builtin_names()


@cache
def golden(name: str) -> dict:
    """The golden record of one built-in (raises FileNotFoundError when it has none)."""
    return json.loads((GOLDEN_DIR / f"{name}.json").read_text(encoding="utf-8"))


def training(name: str) -> dict:
    """The built-in's record in training.json (saved activations, FLOPs per sample)."""
    return golden("training")[name]


def channels_last(layer: dict) -> dict:
    """The layer record with a channels-last shape read right.

    ConvNeXt permutes its maps to N×H×W×C and runs nn.Linear on the channels: a pointwise
    layer, the paper's 1×1 conv (same weights, biases and MACs). The golden strings read
    every 4-D tensor as N×C×H×W (`{dim2}x{dim3}x{dim1}`), so a permuted map shows as W×C×H;
    this gives it back as H×W×C and calls the layer a 1×1 convolution ("Conv2d")."""
    if layer["type"] != "Linear" or not isinstance(layer["output"], str):
        return layer
    width, chans, height = layer["output"].split("x")
    return {**layer, "type": "Conv2d", "output": f"{height}x{width}x{chans}"}
