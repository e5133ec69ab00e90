"""Which tensor each row reads and writes: the data flow of an Analysis, for memory walks.

Rows are a flat list in execution order; the network's composites say where each row's
input comes from (a residual's add reads its body and its shortcut, a concat's row reads
every branch). We walk the layer tree in step with the rows and number the tensors.
Tensor 0 is the network input.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import Analysis, Row
from .model import Concat, Residual, Sequential
from .shapes import numel


@dataclass
class Step:
    """One row of the analysis as a data-flow step."""

    row: Row
    reads: list[int]  # tensor ids, in order
    writes: int  # the tensor id of its output


@dataclass
class Flow:
    steps: list[Step]
    numel: list[int] = field(default_factory=list)  # per tensor, elements per sample
    output: int = 0  # the network's output tensor
    chained: bool = False  # the tree was not understood: each row reads the previous one

    def readers(self) -> list[list[int]]:
        """Per tensor, the indices of the steps that read it."""
        result: list[list[int]] = [[] for _ in self.numel]
        for index, step in enumerate(self.steps):
            for tensor in step.reads:
                result[tensor].append(index)
        return result


class _Mismatch(Exception):
    """The layer tree and the rows disagree (a composite this module does not know)."""


def data_flow(analysis: Analysis) -> Flow:
    """The steps of `analysis` with the tensors they read and write.

    Should the tree hold a composite this walk does not know, the rows are read as a plain
    chain instead (`chained`): the figures stay defined, and callers can say so.
    """
    builder = _FlowBuilder(analysis.rows, numel(analysis.input))
    try:
        output = builder.sequence(analysis.network.layers, 0)
        if builder.next != len(analysis.rows):
            raise _Mismatch
        return Flow(builder.steps, builder.numel, output)
    except _Mismatch:
        chain = _FlowBuilder(analysis.rows, numel(analysis.input))
        for tensor in range(len(analysis.rows)):
            chain.take([tensor])
        return Flow(chain.steps, chain.numel, len(analysis.rows), chained=True)


class _FlowBuilder:
    def __init__(self, rows: list[Row], input_numel: int) -> None:
        self.rows = rows
        self.next = 0
        self.steps: list[Step] = []
        self.numel = [input_numel]

    def take(self, reads: list[int], path: str | None = None) -> int:
        if self.next >= len(self.rows) or (path is not None and self.rows[self.next].path != path):
            raise _Mismatch
        row = self.rows[self.next]
        self.next += 1
        tensor = len(self.numel)
        self.numel.append(numel(row.output))
        self.steps.append(Step(row, reads, tensor))
        return tensor

    def sequence(self, nodes, tensor: int) -> int:
        for node in nodes:
            tensor = self.node(node, tensor)
        return tensor

    def peek(self) -> str:
        return self.rows[self.next].path if self.next < len(self.rows) else ""

    def node(self, node, tensor: int) -> int:
        if isinstance(node, Sequential):
            return self.sequence(node.children, tensor)
        if isinstance(node, Residual):
            body = self.sequence(node.body, tensor)
            if isinstance(node.shortcut, list):
                shortcut = self.sequence(node.shortcut, tensor)
            elif self.peek() == f"{node.path}.shortcut.conv":  # a projection: conv + bn
                shortcut = self.take([self.take([tensor])])
            else:
                shortcut = tensor
            out = self.take([body, shortcut], f"{node.path}.add")
            if node.activation is None:
                return out
            return self.take([out], node.activation.path)
        if isinstance(node, Concat):
            outs = [self.sequence(branch, tensor) for branch in node.branches]
            return self.take(outs, f"{node.path}.concat")
        return self.take([tensor], getattr(node, "path", None) or "?")  # a single layer
