"""Composite entries: groups of layers, residual sums and channel concatenations (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import SpecError, show
from .shapes import Shape

Node = Any  # a Layer, Sequential, Residual or Concat


class Sequential:
    """A named group: a block call, a repeat copy or an explicit `sequential`."""

    type = "sequential"

    def __init__(self, name: str, children: list[Node], kind: str = "sequential") -> None:
        self.name = name
        self.children = children
        self.kind = kind  # "sequential", or the block's name for a block call
        self.where: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Sequential({self.name!r}, {len(self.children)} children)"


class Residual:
    """body(x) + shortcut(x), then an optional activation."""

    type = "residual"

    def __init__(self, name: str, body: list[Node], shortcut: str | list[Node],
                 activation: Node | None) -> None:
        self.name = name
        self.body = body
        self.shortcut = shortcut  # "identity", "projection", "auto" or a list of layers
        self.activation = activation
        self.where: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Residual({self.name!r}, shortcut={self.shortcut!r})"


class Concat:
    """Branches on the same input, concatenated along channels; [] is the identity."""

    type = "concat"

    def __init__(self, name: str, branches: list[list[Node]], crop: str = "none") -> None:
        self.name = name
        self.branches = branches
        self.crop = crop  # "none" or "center"
        self.where: dict[str, Any] = {}

    def __repr__(self) -> str:
        return f"Concat({self.name!r}, {len(self.branches)} branches, crop={self.crop!r})"


COMPOSITE_TYPES = {"sequential": "sequential", "block": "sequential", "residual": "residual",
                   "concat": "concat"}


@dataclass
class Expectation:
    """One `expect:` entry: a figure, the value the user expects, where it was written."""

    figure: str
    value: Any
    where: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A receptive field is one size or [height, width]: [1, 2, 3] could never match,
        # so it is a mistake in the spec, not a failed check.
        if self.figure == "rf" and isinstance(self.value, tuple) and len(self.value) != 2:
            raise SpecError(f"expect rf must be one size or [height, width], got "
                            f"{show(list(self.value))}", **self.where)


@dataclass
class Network:
    """A loaded spec: the layer tree plus its input and whole-network expectations."""

    name: str
    input: Shape
    layers: list[Node]
    batch: int = 1
    description: str = ""
    expect: list[Expectation] = field(default_factory=list)
    file: str = "<spec>"
