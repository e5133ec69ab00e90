"""The generic flow layout: a chain runs along one axis, a fork's branches sit side by side
across it and meet again at a merge node; an empty branch is a skip line.

Works in flow coordinates (u along the flow, v across it); `horizontal` maps u to x (the
blocks style, left to right) or to y (the graph style, top to bottom). A Style says how big
a box is and paints it, so the two styles share all of the geometry.
"""

from __future__ import annotations

from typing import Protocol

from ...engine.shapes import Shape
from .canvas import Canvas, Path, Point, Polygon, Rect, Text, arrowhead
from .links import Link
from .paint import merge_size
from .tree import Box, Fork, Item

LABEL_SIZE = 9.0  # a split branch's note: its channels and shape


class Style(Protocol):
    horizontal: bool
    gap: float  # between items along the flow
    branch_gap: float  # between branches across it
    split: float  # room along the flow for the lines into and out of the branches
    beside: float  # +1: side branches and skip lanes toward +v (right of a vertical flow);
    # −1: toward −v (above a horizontal one, away from the shapes written below merges)

    def box_size(self, box: Box) -> tuple[float, float]: ...  # (width, height) in x, y
    def merge_size(self, symbol: str, shape: Shape) -> tuple[float, float]: ...
    def paint_box(self, canvas: Canvas, box: Box, cx: float, cy: float) -> None: ...
    def paint_merge(self, canvas: Canvas, symbol: str, shape: Shape, cx: float,
                    cy: float) -> None: ...


def arrow(canvas: Canvas, points: list[Point], role: str = "flow", head: bool = True) -> None:
    canvas.add(Path(points, arrow=head, role=role))
    if head:
        canvas.add(Polygon(arrowhead(points[-1], points[-2]), fill="#555555", stroke="#555555"))


Span = tuple[float, float, float, float]  # u0, u1, v0, v1 in flow coordinates


class FlowLayout:
    def __init__(self, style: Style, canvas: Canvas) -> None:
        self.style = style
        self.canvas = canvas
        self.sizes: dict[int, tuple[float, float, float]] = {}  # id → along, before, after
        self.offsets: dict[int, float] = {}  # side fork id → its branches' distance from v
        self.extents: dict[int, tuple[float, float, float, float]] = {}  # id → x0, y0, x1, y1
        self.anchors: dict[int, Span] = {}  # box or merge node id → where it is drawn
        self.entries: dict[int, Span] = {}  # fork id → where its branches start
        self.nodes: dict[int, Span] = {}  # merge id → its symbol's centre u, v, half sizes

    def xy(self, u: float, v: float) -> Point:
        return (u, v) if self.style.horizontal else (v, u)

    def uv_size(self, width: float, height: float) -> tuple[float, float]:
        return (width, height) if self.style.horizontal else (height, width)

    def box_size(self, box: Box) -> tuple[float, float]:
        if box.kind == "merge":
            return self.style.merge_size(box.label, box.shape)
        return self.style.box_size(box)

    # -- measuring ------------------------------------------------------------------------
    def measure(self, item: Item | list) -> tuple[float, float, float]:
        """(length along the flow, extent before the main line, extent after it)."""
        key = id(item)
        if key not in self.sizes:
            self.sizes[key] = self._measure(item)
        return self.sizes[key]

    def _measure(self, item) -> tuple[float, float, float]:
        style = self.style
        if isinstance(item, list):
            if not item:
                return (0.0, 8.0, 8.0)
            self._side_offsets(item)
            sizes = [self.measure(part) for part in item]
            return (sum(size[0] for size in sizes) + style.gap * (len(sizes) - 1),
                    max(size[1] for size in sizes), max(size[2] for size in sizes))
        if isinstance(item, Box):
            along, across = self.uv_size(*self.box_size(item))
            return (along, across / 2, across / 2)
        sizes = self.branch_sizes(item)
        merge_u, merge_v = self.merge_uv(item)
        along = 2 * style.split + self.lead(item) + max(size[0] for size in sizes) + merge_u
        if item.side:
            far = self.offsets.get(id(item), style.branch_gap) + sum(
                size[1] + size[2] for size in sizes[1:]) + style.branch_gap * (len(sizes) - 2)
            near = max(merge_v / 2, 8.0)
            return (along, near, far) if style.beside > 0 else (along, far, near)
        across = sum(size[1] + size[2] for size in sizes) + style.branch_gap * (len(sizes) - 1)
        return (along, max(across, merge_v) / 2, max(across, merge_v) / 2)

    def branch_sizes(self, fork: Fork) -> list[tuple[float, float, float]]:
        """Each branch's size; a split's empty branch keeps room for its note above or
        beside its line."""
        sizes = [self.measure(branch) for branch in fork.branches]
        if fork.labels:
            room = 2 * LABEL_SIZE + 10
            sizes = [(along, max(before, room), after) if not branch else (along, before, after)
                     for branch, (along, before, after) in zip(fork.branches, sizes, strict=True)]
        return sizes

    def _side_offsets(self, chain: list) -> None:
        """Side branches clear the items just before and after them on the main line (a
        box, or a fork's merge node): beside it, not across the whole drawing."""
        far = 2 if self.style.beside > 0 else 1
        for index, item in enumerate(chain):
            if not (isinstance(item, Fork) and item.side):
                continue
            reach = 30.0
            for other in (chain[index - 1] if index else None, chain[index + 1:index + 2]):
                other = other[0] if isinstance(other, list) and other else other
                if isinstance(other, Box):
                    reach = max(reach, self.measure(other)[far])
                elif isinstance(other, Fork) and other.merge is not None:
                    reach = max(reach, self.merge_uv(other)[1] / 2)
            self.offsets[id(item)] = reach + self.style.branch_gap

    def lead(self, fork: Fork) -> float:
        """Room along the flow for the notes at the start of a split's branches."""
        if not fork.labels:
            return 0.0
        if self.style.horizontal:
            return max(len(text) for pair in fork.labels for text in pair) * LABEL_SIZE * 0.6
        return 2 * LABEL_SIZE + 6

    # -- placing --------------------------------------------------------------------------
    def place(self, item, u: float, v: float) -> None:
        """Draw `item` starting at u along the flow, its main line at v across it."""
        along, before, after = self.measure(item)
        (x0, y0), (x1, y1) = self.xy(u, v - before), self.xy(u + along, v + after)
        self.extents[id(item)] = (x0, y0, x1, y1)
        if isinstance(item, list):
            self.place_chain(item, u, v)
        elif isinstance(item, Box):
            self.anchors[id(item)] = (u, u + along, v - before, v + after)
            centre = self.xy(u + along / 2, v)
            if item.kind == "merge":
                self.node(item, item.label, item.shape, u + along / 2, v)
            else:
                self.style.paint_box(self.canvas, item, *centre)
        else:
            self.place_fork(item, u, v)

    def place_chain(self, chain: list, u: float, v: float) -> None:
        previous_end = None
        for item in chain:
            if previous_end is not None and item.joined:
                arrow(self.canvas, [self.xy(previous_end, v), self.xy(u, v)],
                      head=not isinstance(item, Fork))
            self.place(item, u, v)
            previous_end = u + self.measure(item)[0]
            u = previous_end + self.style.gap

    def branch_centres(self, fork: Fork, v: float) -> list[float]:
        style = self.style
        sizes = self.branch_sizes(fork)
        centres = []
        if fork.side:  # the main line straight on, the others beside it
            centres.append(v)
            cursor = self.offsets.get(id(fork), style.branch_gap)
            for _, before, after in sizes[1:]:
                near = before if style.beside > 0 else after
                centres.append(v + style.beside * (cursor + near))
                cursor += before + after + style.branch_gap
            return centres
        across = sum(size[1] + size[2] for size in sizes) + style.branch_gap * (len(sizes) - 1)
        cursor = v - across / 2
        for _, before, after in sizes:
            centres.append(cursor + before)
            cursor += before + after + style.branch_gap
        return centres

    def place_fork(self, fork: Fork, u: float, v: float) -> None:
        style = self.style
        total_u, _, _ = self.measure(fork)
        merge_u, merge_v = self.merge_uv(fork)
        merge_start = u + total_u - merge_u
        inner_end = merge_start - style.split
        start = u + style.split + self.lead(fork)
        self.entries[id(fork)] = (u, u, v, v)
        for index, (branch, centre) in enumerate(zip(fork.branches,
                                                     self.branch_centres(fork, v),
                                                     strict=True)):
            if fork.labels:
                self.note(fork.labels[index], u + style.split / 2, centre)
            if not branch and fork.side:  # the main line
                end = merge_start if fork.merge is not None else u + total_u
                arrow(self.canvas, [self.xy(u, v), self.xy(end, v)], head=fork.merge is not None)
                continue
            if not branch:
                points = [(u, v), (u + style.split / 2, centre),
                          (merge_start - style.split / 2, centre), (merge_start, v)]
                arrow(self.canvas, [self.xy(*p) for p in points], role="skip")
                continue
            if branch[0].joined:  # else it reads a named tensor, drawn as a link
                arrow(self.canvas, [self.xy(u, v), self.xy(u + style.split / 2, centre),
                                    self.xy(start, centre)])
            self.place(branch, start, centre)
            if fork.merge is None:
                continue
            last = (self.xy(start + self.measure(branch)[0], centre), self.xy(inner_end, centre))
            if fork.side:  # into the node's flank, clear of the shape written beside it
                radius = merge_u / 2
                into = self.xy(merge_start + radius * 0.3,
                               v + style.beside * radius * 0.7)
            else:
                into = self.xy(merge_start, v)
            arrow(self.canvas, [*last, into])
        if fork.merge is not None:
            self.anchors[id(fork)] = (merge_start, merge_start + merge_u, v - merge_v / 2,
                                      v + merge_v / 2)
            self.node(fork, fork.symbol, fork.merge.output, merge_start + merge_u / 2, v)

    def node(self, item: Item, symbol: str, shape: Shape, u: float, v: float) -> None:
        """A merge node painted at (u, v), remembered for the links entering its flank."""
        half_u, half_v = self.uv_size(*merge_size(symbol))
        self.nodes[id(item)] = (u, v, half_u / 2, half_v / 2)
        self.style.paint_merge(self.canvas, symbol, shape, *self.xy(u, v))

    def note(self, label: tuple[str, str], u: float, v: float) -> None:
        """A split branch's channels and shape, beside the line into it."""
        for line, text in enumerate(label):
            if self.style.horizontal:
                x, y = u + 4, v - 4 - (1 - line) * (LABEL_SIZE + 2)
            else:
                x, y = v + 5, u + (line + 1) * (LABEL_SIZE + 2) + 2
            self.canvas.add(Text(x, y, text, size=LABEL_SIZE, anchor="start",
                                 color="#555555"))

    def merge_uv(self, fork: Fork) -> tuple[float, float]:
        """The merge node's size in flow coordinates; none for branches that never meet."""
        if fork.merge is None:
            return (-self.style.split, 0.0)  # the branches end where they end
        return self.uv_size(*self.style.merge_size(fork.symbol, fork.merge.output))


def stage_of(item: Item) -> str | None:
    """The top-level group (a stage: `features`, `layer2`) an item belongs to, if any."""
    row = item.merge if isinstance(item, Fork) else (item.rows[0] if item.rows else None)
    if isinstance(item, Fork) and row is None:  # an aux head: its first row says
        row = next((box.rows[0] for box in _boxes_in(item) if box.rows), None)
    if row is None or not row.ancestors:
        return None
    if isinstance(item, Box) and item.kind == "group" and item.name == row.ancestors[0]:
        return None  # the stage itself, collapsed to one box
    return row.ancestors[0]


def _boxes_in(fork: Fork):
    for branch in fork.branches:
        for item in branch:
            if isinstance(item, Box):
                yield item
            else:
                yield from _boxes_in(item)


def frame_stages(flow: FlowLayout, chain: list) -> None:
    """A dashed frame, named above, around each run of top-level items of one stage; drawn
    first so it sits behind them."""
    runs: list[tuple[str, list]] = []
    for item in chain:
        stage = stage_of(item)
        if stage is None:
            continue
        if runs and runs[-1][0] == stage:
            runs[-1][1].append(item)
        else:
            runs.append((stage, [item]))
    frames = []
    # Along a vertical flow the gap between items is small: no header row, a thinner pad.
    pad, header = (8.0, 14.0) if flow.style.horizontal else (4.0, 0.0)
    for stage, items in runs:
        if len(items) == 1 and isinstance(items[0], Box) and items[0].kind == "layer":
            continue  # a one-layer stage (a conv-bn-relu block) needs no frame
        boxes = [flow.extents[id(item)] for item in items]
        x0, y0 = min(b[0] for b in boxes) - pad, min(b[1] for b in boxes) - pad - header
        x1, y1 = max(b[2] for b in boxes) + pad, max(b[3] for b in boxes) + pad
        frames += [Rect(x0, y0, x1 - x0, y1 - y0, fill="#fafafa", stroke="#bbbbbb", radius=8,
                        role="group"),
                   # inside the header row across a horizontal flow; outside, on the left,
                   # along a vertical one (where the frame's first box fills its top)
                   Text(x0 + 8, y0 + 13, stage, size=10, anchor="start", bold=True,
                        color="#777777") if header else
                   Text(x0 - 6, y0 + 12, stage, size=10, anchor="end", bold=True,
                        color="#777777")]
    flow.canvas.items[:0] = frames


def layout_chain(style: Style, chain: list, title: str,
                 links: list[Link] | None = None) -> Canvas:
    from .canvas import fit_to_content
    from .lanes import draw_links  # lanes.py places its arrows on a FlowLayout

    canvas = Canvas(0, 0, title=title)
    flow = FlowLayout(style, canvas)
    _, before, _ = flow.measure(chain)
    flow.place(chain, 0.0, before)
    draw_links(flow, links or [])
    frame_stages(flow, chain)
    return fit_to_content(canvas)
