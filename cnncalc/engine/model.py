"""Composite entries: groups of layers, residual sums and channel concatenations (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..errors import SpecError, show
from .options import Each
from .shapes import Shape

Node = Any  # a Layer or one of the composites below

INPUT = "input"  # the reserved name (and tensor path) of the network's first input


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

    def expected(self, got: Any) -> Any:
        """The value to compare with what the analysis got: an rf given as one size stands
        for every axis of the input's rank (SPEC §8)."""
        if self.figure != "rf":
            return self.value
        self.check_rank(len(got))
        return (self.value[0],) * len(got) if isinstance(self.value, Each) else tuple(self.value)


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
    # Graphs (SPEC §7): every input by name (the first is `input`), the outputs as
    # name → tensor path (empty: the last entry plus every aux head), and every tensor path
    # some entry reads by `from:`/`to:`, so that walkers keep only those.
    inputs: dict[str, Shape] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)


@dataclass(repr=False, eq=False, kw_only=True)
class Placed:
    """What every node of the tree carries besides its own parts: where it sits and what the
    user expects of it. Nodes compare by identity (eq=False): two equal blocks are two nodes."""

    path: str = ""  # dotted path from the top level
    where: dict[str, Any] = field(default_factory=dict)  # file/line/column/layer_index
    expect: list[Expectation] = field(default_factory=list)
    source: str | None = None  # `from:`: the tensor path read instead of the previous output


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


@dataclass(repr=False, eq=False)
class Merge(Placed):
    """`add` / `multiply` / `concat` with `from: [a, b, …]`: several tensors into one."""

    type: ClassVar[str] = "merge"
    name: str
    kind: str  # "add", "multiply" or "concat"
    sources: list[str]  # tensor paths, in order; PREVIOUS stands for the previous output
    crop: str = "none"

    def __repr__(self) -> str:
        return f"Merge({self.name!r}, {self.kind}, {self.sources})"


@dataclass(repr=False, eq=False)
class Gate(Placed):
    """x ⊙ body(x), broadcast as `multiply` (squeeze-and-excitation)."""

    type: ClassVar[str] = "gate"
    name: str
    body: list[Node]

    def __repr__(self) -> str:
        return f"Gate({self.name!r}, {len(self.body)} layers)"


@dataclass(repr=False, eq=False)
class Split(Placed):
    """Consecutive channel parts, branch i on part i, concatenated (ShuffleNetV2)."""

    type: ClassVar[str] = "split"
    name: str
    branches: list[list[Node]]
    sizes: list[int] | None = None  # None: equal parts

    def __repr__(self) -> str:
        return f"Split({self.name!r}, {len(self.branches)} branches, sizes={self.sizes})"


@dataclass(repr=False, eq=False)
class Aux(Placed):
    """An auxiliary head: its result is an extra output; the main path goes on from its input."""

    type: ClassVar[str] = "aux"
    name: str
    layers: list[Node]

    def __repr__(self) -> str:
        return f"Aux({self.name!r}, {len(self.layers)} layers)"


PREVIOUS = "previous"  # the reserved name of the previous entry's output

COMPOSITE_TYPES = {"sequential": "sequential", "block": "sequential", "residual": "residual",
                   "concat": "concat", "gate": "gate", "split": "split", "aux": "aux",
                   "add": "add", "multiply": "multiply"}
MERGE_KINDS = ("add", "multiply", "concat")
