"""Analysis → the tree a diagram draws: boxes (one feature map each), chains and forks.

Built from the Analysis rows and groups (paths, types, shapes), plus the model only for what
rows cannot tell: how many branches a concat has (an identity branch executes no row).
Layers that keep the shape and merge nothing (relu, batchnorm, dropout) are fused into the
box before them, as the paper figures do: one box per feature map, its label listing them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...engine.analysis import Analysis, Group, Row
from ...engine.shapes import Shape

# The merge rows the analysis emits, and the symbol drawn for each (a future elementwise
# product row would add "mul": "⊙").
MERGE_SYMBOLS = {"add": "+", "mul": "⊙", "concat": "concat"}


@dataclass
class Box:
    """One drawn feature map: a layer (with the shape-keeping layers fused after it), a
    collapsed group, or the network input."""

    name: str
    label: str
    shape: Shape
    rows: list[Row] = field(default_factory=list)
    kind: str = "layer"  # "layer", "group", "input"


@dataclass
class Fork:
    """Branches on one input, merged by `merge` (add or concat); an empty branch is a skip.

    `merge` None is a fork whose branches never meet: several outputs, or an auxiliary head
    beside the main line (Inception-v3's, once the spec language has them, SPEC §7). The
    layouts draw each such branch to its own end, side by side.
    """

    path: str
    merge: Row | None
    branches: list[list[Box | Fork]]

    @property
    def symbol(self) -> str:
        if self.merge is None:
            return ""
        return MERGE_SYMBOLS.get(self.merge.type, self.merge.type)


Item = Box | Fork


def build(analysis: Analysis, depth: int | None = None) -> list[Item]:
    """The whole network as a chain, starting with its input box."""
    builder = _Builder(analysis, depth)
    chain = builder.chain(0, len(analysis.rows), 0)
    return [Box("input", "input", analysis.input, kind="input"), *chain]


def branches(analysis: Analysis) -> bool:
    """Does the network branch (a residual or concat anywhere)?"""
    return any(row.type in MERGE_SYMBOLS for row in analysis.rows)


class _Builder:
    def __init__(self, analysis: Analysis, depth: int | None) -> None:
        self.rows = analysis.rows
        self.depth = depth
        self.groups = {(g.start, g.depth): g for g in reversed(analysis.groups)
                       if g.end > g.start}
        self.branch_counts = _branch_counts(analysis.network.layers)

    def chain(self, lo: int, hi: int, depth: int) -> list[Item]:
        items: list[Item] = []
        index = lo
        while index < hi:
            group = self.groups.get((index, depth))
            if group is not None and group.end <= hi:
                items.extend(self.group(group))
                index = group.end
            else:
                _append(items, self.leaf(self.rows[index]))
                index += 1
        return items

    def leaf(self, row: Row) -> Box:
        return Box(row.name, row.description, row.output, [row])

    def group(self, group: Group) -> list[Item]:
        rows = self.rows[group.start:group.end]
        if self.depth is not None and group.depth >= self.depth:
            return [Box(group.path, group.type, group.output, rows, "group")]
        inner = group.depth + 1
        if group.type == "residual":
            return self.residual(group, inner)
        if group.type == "concat":
            return self.concat(group, inner)
        return self.chain(group.start, group.end, inner)

    def _span(self, start: int, end: int, prefix: str) -> int:
        """The end of the run of rows from `start` whose path starts with `prefix`."""
        while start < end and self.rows[start].path.startswith(prefix):
            start += 1
        return start

    def residual(self, group: Group, depth: int) -> list[Item]:
        body_end = self._span(group.start, group.end, group.path + ".body.")
        short_end = self._span(body_end, group.end, group.path + ".shortcut.")
        add = self.rows[short_end]
        fork = Fork(group.path, add, [self.chain(group.start, body_end, depth),
                                      self.chain(body_end, short_end, depth)])
        tail = self.chain(short_end + 1, group.end, depth)
        items: list[Item] = [fork]
        for item in tail:
            _append(items, item)
        return items

    def concat(self, group: Group, depth: int) -> list[Item]:
        count = self.branch_counts.get(group.path, 0)
        start, chains = group.start, []
        for number in range(1, count + 1):
            end = self._span(start, group.end - 1, f"{group.path}.branch{number}.")
            chains.append(self.chain(start, end, depth))
            start = end
        return [Fork(group.path, self.rows[group.end - 1], chains)]


def _fusable(row: Row) -> bool:
    """relu, batchnorm, dropout: same shape, no multiply-adds (a 3×3 conv keeping the shape
    has MACs and stays its own box)."""
    return row.input == row.output and row.macs == 0 and row.type not in MERGE_SYMBOLS


def _append(items: list[Item], item: Item) -> None:
    """Append, fusing a shape-keeping layer into the layer box before it."""
    last = items[-1] if items else None
    if (isinstance(item, Box) and item.kind == "layer" and len(item.rows) == 1
            and _fusable(item.rows[0]) and isinstance(last, Box) and last.kind == "layer"):
        last.label += " · " + item.label
        last.rows.extend(item.rows)
        return
    items.append(item)


def _branch_counts(nodes) -> dict[str, int]:
    """path → number of branches, for every concat in the model tree (duck-typed)."""
    counts: dict[str, int] = {}
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if hasattr(node, "branches"):
            counts[node.path] = len(node.branches)
            stack.extend(layer for branch in node.branches for layer in branch)
        for attribute in ("children", "body"):
            stack.extend(getattr(node, attribute, None) or [])
        shortcut = getattr(node, "shortcut", None)
        if isinstance(shortcut, list):
            stack.extend(shortcut)
    return counts
