"""Which tensor each row reads and writes: the data flow of an Analysis, for memory walks.

Rows are a flat list in execution order, and each names the tensors it reads (a residual's
add its body and its shortcut, a concat every branch, a `from:` entry its named tensor).
Here those names become numbers: the inputs first (tensor 0 is the first input), then one
tensor per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .analysis import Analysis, Row
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
    outputs: list[int] = field(default_factory=list)  # the network's output tensors
    inputs: int = 1  # tensors 0 … inputs − 1 are the network's inputs

    def readers(self) -> list[list[int]]:
        """Per tensor, the indices of the steps that read it."""
        result: list[list[int]] = [[] for _ in self.numel]
        for index, step in enumerate(self.steps):
            for tensor in step.reads:
                result[tensor].append(index)
        return result


def data_flow(analysis: Analysis) -> Flow:
    """The steps of `analysis` with the tensors they read and write: the rows say what they
    read (walker.py records it), so the flow is a renumbering of names."""
    inputs = analysis.inputs
    ids = {name: index for index, name in enumerate(inputs)}
    sizes = [numel(shape) for shape in inputs.values()]
    steps = []
    for row in analysis.rows:
        ids[row.path] = len(sizes)
        sizes.append(numel(row.output))
        steps.append(Step(row, [ids[tensor] for tensor in row.reads], ids[row.path]))
    outputs = [ids[tensor] for tensor in analysis.output_tensors.values()] or [len(sizes) - 1]
    return Flow(steps, sizes, outputs, inputs=len(inputs))
