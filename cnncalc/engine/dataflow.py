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

    def readers(self) -> list[list[int]]:
        """Per tensor, the indices of the steps that read it."""
        result: list[list[int]] = [[] for _ in self.numel]
        for index, step in enumerate(self.steps):
            for tensor in step.reads:
                result[tensor].append(index)
        return result


def data_flow(analysis: Analysis) -> Flow:
    """The steps of `analysis` with the tensors they read and write."""
    builder = _FlowBuilder(analysis.rows, numel(analysis.input))
    output = builder.sequence(analysis.network.layers, 0)
    if builder.next != len(analysis.rows):  # the tree and the rows must agree exactly
        raise AssertionError(f"data flow consumed {builder.next} of {len(analysis.rows)} rows")
    return Flow(builder.steps, builder.numel, output)


class _FlowBuilder:
    def __init__(self, rows: list[Row], input_numel: int) -> None:
        self.rows = rows
        self.next = 0
        self.steps: list[Step] = []
        self.numel = [input_numel]

    def take(self, reads: list[int]) -> int:
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
            out = self.take([body, shortcut])
            return self.take([out]) if node.activation is not None else out
        if isinstance(node, Concat):
            outs = [self.sequence(branch, tensor) for branch in node.branches]
            return self.take(outs)
        return self.take([tensor])  # a single layer
