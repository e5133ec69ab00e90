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
