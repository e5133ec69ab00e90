"""Analysis → the tree a diagram draws: boxes (one feature map each), chains and forks.

Built from the Analysis rows and groups (paths, types, shapes, the tensors each row reads),
plus the model only for what rows cannot tell: how many branches a concat has (an identity
branch executes no row). Layers that keep the shape and merge nothing (relu, batchnorm,
dropout) are fused into the box before them, as the paper figures do: one box per feature
map, its label listing them — unless something else reads the tensor between them, which
then needs a box of its own to start its arrow from. links.py adds the output markers and
says which arrows the layouts draw.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from ...engine.analysis import Analysis, Group, Row
from ...engine.shapes import Shape, shape_str

# The merge rows the analysis emits, and the symbol drawn for each.
MERGE_SYMBOLS = {"add": "+", "multiply": "⊙", "concat": "concat"}


@dataclass
class Box:
    """One drawn feature map: a layer (with the shape-keeping layers fused after it), a
    collapsed group, a merge of named tensors (`add: {from: …}`), a network input, or an
    output marker."""

    name: str
    label: str
    shape: Shape
    rows: list[Row] = field(default_factory=list)
    kind: str = "layer"  # "layer", "group", "merge", "input", "output"
    reads: list[str] = field(default_factory=list)  # tensors read from outside the box
    joined: bool = True  # an arrow comes in from the item before it in its chain

    @property
    def out(self) -> str | None:
        """The tensor the box hands on along its chain."""
        if self.kind == "input":
            return self.name
        if self.kind == "output":
            return None
        main = [row for row in self.rows if not row.aux]
        return (main or self.rows)[-1].path


@dataclass
class Fork:
    """Branches on one input, merged by `merge` (add, multiply or concat); an empty branch
    is a skip.

    `side` forks keep a straight main line (their first branch, always empty) and draw the
    other branches beside it: a gate's body (merged back at ⊙), an auxiliary head or an
    output marker (merge None: the branch ends where it ends). Other forks without a merge
    draw each branch to its own end, side by side.
    """

    path: str
    merge: Row | None
    branches: list[list[Box | Fork]]
    side: bool = False
    input: str = ""  # the tensor the branches start from
    starts: list[str] = field(default_factory=list)  # per branch, if not `input` (split parts)
    labels: list[tuple[str, str]] = field(default_factory=list)  # per branch: what it
    # starts from (a split part's channels, shape), written at its start
    joined: bool = True

    @property
    def symbol(self) -> str:
        if self.merge is None:
            return ""
        return MERGE_SYMBOLS.get(self.merge.type, self.merge.type)

    @property
    def out(self) -> str:
        return self.merge.path if self.merge is not None else self.input

    def start(self, index: int) -> str:
        return self.starts[index] if self.starts else self.input


Item = Box | Fork


def build(analysis: Analysis, depth: int | None = None) -> list[Item]:
    """The whole network as a chain, starting with its input box (other inputs first)."""
    builder = _Builder(analysis, depth)
    chain = builder.chain(0, len(analysis.rows), 0)
    (first, shape), *others = analysis.inputs.items()
    inputs = [Box(name, name, size, kind="input") for name, size in others]
    return [*inputs, Box(first, first, shape, kind="input"), *chain]


def branches(analysis: Analysis) -> bool:
    """Does the network branch (a merge anywhere, an aux head, several outputs)?"""
    return (len(analysis.outputs) > 1 or any(row.type in MERGE_SYMBOLS or row.aux
                                             for row in analysis.rows))


class _Builder:
    def __init__(self, analysis: Analysis, depth: int | None) -> None:
        self.rows = analysis.rows
        self.depth = depth
        self.groups = {(g.start, g.depth): g for g in reversed(analysis.groups)
                       if g.end > g.start}
        self.branch_counts, self.sourced = _scan(analysis.network.layers)
        # how many readers each tensor has (an output counts as one): fusing a layer into
        # the box before it hides the tensor between them, so only a tensor read once fuses
        self.readers = Counter(tensor for row in self.rows for tensor in row.reads)
        self.readers.update(analysis.output_tensors.values())

    def chain(self, lo: int, hi: int, depth: int) -> list[Item]:
        items: list[Item] = []
        index = lo
        while index < hi:
            group = self.groups.get((index, depth))
            if group is not None and group.end <= hi:
                items.extend(self.group(group))
                index = group.end
            else:
                self.append(items, self.leaf(self.rows[index]))
                index += 1
        return items

    def leaf(self, row: Row) -> Box:
        if row.type in MERGE_SYMBOLS:  # `add: {from: [a, b]}` and the like: a merge node
            return Box(row.name, MERGE_SYMBOLS[row.type], row.output, [row], "merge",
                       list(row.reads))
        return Box(row.name, row.description, row.output, [row], reads=list(row.reads))

    def group(self, group: Group) -> list[Item]:
        rows = self.rows[group.start:group.end]
        inner = group.depth + 1
        if group.type == "aux":  # never in line, even collapsed: the main path goes on
            return [self.aux(group, inner)]
        if self.depth is not None and group.depth >= self.depth:
            made = {row.path for row in rows}
            reads = [tensor for row in rows for tensor in row.reads if tensor not in made]
            return [Box(group.path, group.type, group.output, rows, "group",
                        list(dict.fromkeys(reads)))]
        builder = getattr(self, group.type, None) if group.type in (
            "residual", "concat", "gate", "split") else None
        if builder is not None:
            return builder(group, inner)
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
                                      self.chain(body_end, short_end, depth)],
                    input=self.input_of(group))
        items: list[Item] = [fork]
        for item in self.chain(short_end + 1, group.end, depth):
            self.append(items, item)
        return items

    def concat(self, group: Group, depth: int) -> list[Item]:
        chains = self._branches(group, group.start, self.branch_counts.get(group.path, 0),
                                depth)
        return [Fork(group.path, self.rows[group.end - 1], chains, input=self.input_of(group))]

    def _branches(self, group: Group, start: int, count: int, depth: int) -> list[list[Item]]:
        """The chains of `count` branches `group.path.branchN.` from row `start` on, up to
        the merge row that ends the group."""
        chains = []
        for number in range(1, count + 1):
            end = self._span(start, group.end - 1, f"{group.path}.branch{number}.")
            chains.append(self.chain(start, end, depth))
            start = end
        return chains

    def gate(self, group: Group, depth: int) -> list[Item]:
        """x ⊙ body(x): the body beside the main line, meeting it at ⊙."""
        multiply = self.rows[group.end - 1]
        body = self.chain(group.start, group.end - 1, depth)
        return [Fork(group.path, multiply, [[], body], side=True, input=multiply.reads[0])]

    def split(self, group: Group, depth: int) -> list[Item]:
        """A branch per channel part, from the split's input, concatenated."""
        parts = self._span(group.start, group.end, group.path + ".part") - group.start
        first = self.rows[group.start:group.start + parts]
        chains = self._branches(group, group.start + parts, parts, depth)
        return [Fork(group.path, self.rows[group.end - 1], chains, input=first[0].reads[0],
                     starts=[row.path for row in first],
                     labels=[(row.description, shape_str(row.output, times="×"))
                             for row in first])]

    def aux(self, group: Group, depth: int) -> Fork:
        rows = self.rows[group.start:group.end]
        if self.depth is not None and group.depth >= self.depth:
            head: list[Item] = [Box(group.path, group.type, group.output, rows, "group",
                                    [rows[0].reads[0]])]
        else:
            head = self.chain(group.start, group.end, depth)
        return Fork(group.path, None, [[], head], side=True, input=self.input_of(group))

    def input_of(self, group: Group) -> str:
        """What a residual, concat or aux reads: what comes down the line ("" — links.py
        fills it in), unless the entry itself has `from:`; then the tensor its rows read
        most from outside (a `from:` inside one branch reads something else)."""
        if group.path not in self.sourced:
            return ""
        rows = self.rows[group.start:group.end]
        made = {row.path for row in rows}
        reads = Counter(tensor for row in rows for tensor in row.reads if tensor not in made)
        return reads.most_common(1)[0][0]

    def append(self, items: list[Item], item: Item) -> None:
        """Append, fusing a shape-keeping layer into the layer box before it when it alone
        reads that box's result."""
        last = items[-1] if items else None
        if (isinstance(item, Box) and item.kind == "layer" and len(item.rows) == 1
                and _fusable(item.rows[0]) and isinstance(last, Box) and last.kind == "layer"
                and item.reads == [last.rows[-1].path]
                and self.readers[last.rows[-1].path] == 1):
            last.label += " · " + item.label
            last.rows.extend(item.rows)
            return
        items.append(item)


def _fusable(row: Row) -> bool:
    """relu, batchnorm, dropout: same shape, no multiply-adds (a 3×3 conv keeping the shape
    has MACs and stays its own box)."""
    return row.input == row.output and row.macs == 0 and row.type not in MERGE_SYMBOLS


def _scan(nodes) -> tuple[dict[str, int], set[str]]:
    """path → number of branches for every concat or split in the model tree, and the paths
    of the composites that read a named tensor (`from:`); duck-typed."""
    counts: dict[str, int] = {}
    sourced: set[str] = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if getattr(node, "source", None) is not None:
            sourced.add(node.path)
        if hasattr(node, "branches"):
            counts[node.path] = len(node.branches)
            stack.extend(layer for branch in node.branches for layer in branch)
        for attribute in ("children", "body", "layers"):
            stack.extend(getattr(node, attribute, None) or [])
        shortcut = getattr(node, "shortcut", None)
        if isinstance(shortcut, list):
            stack.extend(shortcut)
    return counts, sourced
