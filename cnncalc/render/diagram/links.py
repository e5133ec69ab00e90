"""Which arrows a diagram draws, from the tensors each row reads (SPEC §7).

Along a chain an item is joined to the one before it when it reads that item's result; a
fork's branches start from its input and end in its merge. Every other read — a `from:`
skip, a merge of named tensors, a later entry reading an earlier one — becomes a Link: an
arrow from the item that made the tensor, routed beside the drawing by the layout. With
several outputs, each gets an output marker after the item that makes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...engine.analysis import Analysis
from .tree import Box, Fork, Item


@dataclass
class Link:
    source: Item  # the drawn item that makes the tensor
    target: Item  # the item that reads it
    tensor: str


def add_outputs(chain: list[Item], analysis: Analysis) -> None:
    """An output marker, named, after the item making each output (none for one output:
    the end of the picture says it)."""
    if len(analysis.outputs) <= 1:
        return
    wanted: dict[str, list[str]] = {}
    for name, tensor in analysis.output_tensors.items():
        wanted.setdefault(tensor, []).append(name)
    _mark(chain, wanted, analysis)


def _made(item: Item) -> list[str]:
    if isinstance(item, Box):
        if item.kind == "input":  # an output may be an input passed through
            return [item.name]
        return [row.path for row in reversed(item.rows)]
    return [item.merge.path] if item.merge is not None else []


def _mark(chain: list[Item], wanted: dict[str, list[str]], analysis: Analysis) -> None:
    index = 0
    while index < len(chain):
        item = chain[index]
        if isinstance(item, Fork):
            for branch in item.branches:
                _mark(branch, wanted, analysis)
        tensor = next((path for path in _made(item) if path in wanted), None)
        index += 1
        if tensor is None:
            continue
        for name in wanted.pop(tensor):
            marker = Box(name, "output" if name == "output" else f"output {name}",
                         analysis.outputs[name], kind="output", reads=[tensor])
            if index == len(chain) and tensor == item.out:
                chain.append(marker)  # the end of its line
            else:  # mid-line: beside it, the line goes on
                chain.insert(index, Fork(f"{name}.output", None, [[], [marker]], side=True,
                                         input=tensor))
            index += 1


def connect(chain: list[Item]) -> list[Link]:
    """Set each item's `joined` and list the reads no chain or fork arrow shows."""
    makers: dict[str, Item] = {}
    _makers(chain, makers)
    pending: list[tuple[str, Item]] = []
    _walk(chain, None, pending)
    return [Link(makers[tensor], target, tensor) for tensor, target in pending
            if tensor in makers]


def _makers(chain: list[Item], makers: dict[str, Item]) -> None:
    for item in chain:
        if isinstance(item, Box):
            if item.kind == "input":
                makers[item.name] = item
            for row in item.rows:
                makers[row.path] = item
            continue
        if item.merge is not None:
            makers[item.merge.path] = item
        for part in item.starts:  # split parts: made where the fork starts
            makers[part] = item
        for branch in item.branches:
            _makers(branch, makers)


def _end(branch: list[Item], start: str) -> str | None:
    lines = [item for item in branch if not (isinstance(item, Box) and item.kind == "output")]
    return lines[-1].out if lines else start


def _walk(chain: list[Item], incoming: str | None, pending: list[tuple[str, Item]]) -> None:
    for item in chain:
        if isinstance(item, Box):
            item.joined = incoming is not None and incoming in item.reads
            pending += [(tensor, item) for tensor in item.reads if tensor != incoming]
            if item.kind != "output":
                incoming = item.out
            continue
        item.input = item.input or incoming or ""  # "": what comes down the line
        item.joined = item.input == incoming
        if not item.joined:
            pending.append((item.input, item))
        ends = []
        for index, branch in enumerate(item.branches):
            _walk(branch, item.start(index), pending)
            ends.append(_end(branch, item.start(index)))
        if item.merge is not None:
            pending += [(tensor, item) for tensor in item.merge.reads if tensor not in ends]
        incoming = item.out
