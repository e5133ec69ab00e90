"""Composite entries: groups of layers, residual sums and channel concatenations (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import SpecError, show
from .options import Each
from .shapes import Shape

Node = Any  # a Layer, Sequential, Residual or Concat


@dataclass
class Expectation:
    """One `expect:` entry: a figure, the value the user expects, where it was written."""

    figure: str
    value: Any
    where: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A receptive field is one size or one per axis of the input ([height, width]; 1-D
        # [length], 3-D [depth, height, width]): a list of the wrong length could never
        # match, so it is a mistake in the spec, not a failed check.
        if self.figure == "rf" and isinstance(self.value, tuple):
            self.check_rank(len(self.value) if len(self.value) in (1, 2, 3) else 2)

    def check_rank(self, rank: int) -> None:
        """Refuse an `rf` list whose length is not the input's number of axes."""
        if (self.figure == "rf" and isinstance(self.value, tuple)
                and not isinstance(self.value, Each) and len(self.value) != rank):
            per_axis = {1: "[length]", 2: "[height, width]", 3: "[depth, height, width]"}
            raise SpecError(f"expect rf must be one size or {per_axis.get(rank, 'one per axis')}"
                            f", got {show(list(self.value))}", **self.where)


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


@dataclass(repr=False, eq=False, kw_only=True)
class Placed:
    """What every node of the tree carries besides its own parts: where it sits and what the
    user expects of it. Nodes compare by identity (eq=False): two equal blocks are two nodes."""

    path: str = ""  # dotted path from the top level
    where: dict[str, Any] = field(default_factory=dict)  # file/line/column/layer_index
    expect: list[Expectation] = field(default_factory=list)


@dataclass(repr=False, eq=False)
class Sequential(Placed):
    """A named group: a block call, a repeat copy or an explicit `sequential`."""

    type: ClassVar[str] = "sequential"
    name: str
    children: list[Node]
    kind: str = "sequential"  # "sequential", or the block's name for a block call
    def __repr__(self) -> str:
        return f"Sequential({self.name!r}, {len(self.children)} children)"


@dataclass(repr=False, eq=False)
class Residual(Placed):
    """body(x) + shortcut(x), then an optional activation."""

    type: ClassVar[str] = "residual"
    name: str
    body: list[Node]
    shortcut: str | list[Node]  # "identity", "projection", "auto" or a list of layers
    activation: Node | None = None
    def __repr__(self) -> str:
        return f"Residual({self.name!r}, shortcut={self.shortcut!r})"


@dataclass(repr=False, eq=False)
class Concat(Placed):
    """Branches on the same input, concatenated along channels; [] is the identity."""

    type: ClassVar[str] = "concat"
    name: str
    branches: list[list[Node]]
    crop: str = "none"  # "none" or "center"
    def __repr__(self) -> str:
        return f"Concat({self.name!r}, {len(self.branches)} branches, crop={self.crop!r})"


COMPOSITE_TYPES = {"sequential": "sequential", "block": "sequential", "residual": "residual",
                   "concat": "concat"}
