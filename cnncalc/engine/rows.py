"""What an analysis is made of: one Row per executed layer, Groups, Checks and Totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .figures import BYTES_PER_VALUE, FLOPS_PER_MAC, SUMMED
from .layers import Counts, Layer
from .receptive import Field
from .shapes import Shape, numel


@dataclass
class Check:
    """One `expect` comparison."""

    path: str
    figure: str
    expected: Any
    got: Any

    @property
    def ok(self) -> bool:
        return self.expected == self.got


@dataclass
class Row:
    """One executed layer with every figure of SPEC §3."""

    path: str
    type: str
    description: str
    input: Shape
    output: Shape
    depth: int
    ancestors: tuple[str, ...]
    counts: Counts
    field: Field
    layer: Layer | None = None
    fits: bool | None = None
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    verified: bool | None = None  # set by verification: the reference array agreed
    verify_note: str = ""
    reads: tuple[str, ...] = ()  # the tensors it reads: row paths or input names
    aux: bool = False  # part of an auxiliary head (SPEC §7)
    part: tuple[int, int] | None = None  # a split row's channels [start, stop)

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    weights = property(lambda self: self.counts.weights)
    biases = property(lambda self: self.counts.biases)
    params = property(lambda self: self.counts.params)
    buffers = property(lambda self: self.counts.buffers)
    connections = property(lambda self: self.counts.connections)
    macs = property(lambda self: self.counts.macs)
    flops = property(lambda self: FLOPS_PER_MAC * self.counts.macs)
    neurons = property(lambda self: numel(self.output))


@dataclass
class Group:
    """A composite entry: its rows are rows[start:end]."""

    path: str
    type: str  # sequential, residual, concat, or the block's name
    depth: int
    start: int
    end: int = 0
    input: Shape = ()
    output: Shape = ()


@dataclass
class Totals:
    params: int = 0
    buffers: int = 0
    weights: int = 0
    biases: int = 0
    neurons: int = 0
    connections: int = 0
    macs: int = 0
    flops: int = 0
    activation_bytes: int = 0
    param_bytes: int = 0


def sum_rows(rows: list[Row], batch: int = 1) -> Totals:
    totals = Totals(**{key: sum(getattr(row, key) for row in rows) for key in SUMMED})
    totals.flops = FLOPS_PER_MAC * totals.macs
    totals.activation_bytes = totals.neurons * BYTES_PER_VALUE * batch
    totals.param_bytes = (totals.params + totals.buffers) * BYTES_PER_VALUE
    return totals
