"""The generic flow layout: a chain runs along one axis, a fork's branches sit side by side
across it and meet again at a merge node; an empty branch is a skip line.

Works in flow coordinates (u along the flow, v across it); `horizontal` maps u to x (the
blocks style, left to right) or to y (the graph style, top to bottom). A Style says how big
a box is and paints it, so the two styles share all of the geometry.
"""

from __future__ import annotations

from typing import Protocol

from .canvas import Canvas, Path, Point, Polygon, Rect, Text, arrowhead
from .tree import Box, Fork, Item


class Style(Protocol):
    horizontal: bool
    gap: float  # between items along the flow
    branch_gap: float  # between branches across it
    split: float  # room along the flow for the lines into and out of the branches

    def box_size(self, box: Box) -> tuple[float, float]: ...  # (width, height) in x, y
    def merge_size(self, fork: Fork) -> tuple[float, float]: ...
    def paint_box(self, canvas: Canvas, box: Box, cx: float, cy: float) -> None: ...
    def paint_merge(self, canvas: Canvas, fork: Fork, cx: float, cy: float) -> None: ...


def arrow(canvas: Canvas, points: list[Point], role: str = "flow", head: bool = True) -> None:
    canvas.add(Path(points, arrow=head, role=role))
    if head:
        canvas.add(Polygon(arrowhead(points[-1], points[-2]), fill="#555555", stroke="#555555"))


class FlowLayout:
    def __init__(self, style: Style, canvas: Canvas) -> None:
        self.style = style
        self.canvas = canvas
        self.sizes: dict[int, tuple[float, float]] = {}
        self.extents: dict[int, tuple[float, float, float, float]] = {}  # id → x0, y0, x1, y1

    def xy(self, u: float, v: float) -> Point:
        return (u, v) if self.style.horizontal else (v, u)

    def uv_size(self, width: float, height: float) -> tuple[float, float]:
        return (width, height) if self.style.horizontal else (height, width)

    # -- measuring ------------------------------------------------------------------------
    def measure(self, item: Item | list) -> tuple[float, float]:
        key = id(item)
        if key not in self.sizes:
            self.sizes[key] = self._measure(item)
        return self.sizes[key]

    def _measure(self, item) -> tuple[float, float]:
        style = self.style
        if isinstance(item, list):
            if not item:
                return (0.0, 16.0)
            sizes = [self.measure(part) for part in item]
            return (sum(u for u, _ in sizes) + style.gap * (len(sizes) - 1),
                    max(v for _, v in sizes))
        if isinstance(item, Box):
            return self.uv_size(*style.box_size(item))
        branch_sizes = [self.measure(branch) for branch in item.branches]
        merge_u, merge_v = self.merge_uv(item)
        inner = max(u for u, _ in branch_sizes)
        across = sum(v for _, v in branch_sizes) + style.branch_gap * (len(branch_sizes) - 1)
        return (2 * style.split + inner + merge_u, max(across, merge_v))

    # -- placing --------------------------------------------------------------------------
    def place(self, item, u: float, v: float) -> None:
        """Draw `item` starting at u along the flow, centred on v across it."""
        along, across = self.measure(item)
        (x0, y0), (x1, y1) = self.xy(u, v - across / 2), self.xy(u + along, v + across / 2)
        self.extents[id(item)] = (x0, y0, x1, y1)
        if isinstance(item, list):
            self.place_chain(item, u, v)
        elif isinstance(item, Box):
            width_u, _ = self.measure(item)
            self.style.paint_box(self.canvas, item, *self.xy(u + width_u / 2, v))
        else:
            self.place_fork(item, u, v)

    def place_chain(self, chain: list, u: float, v: float) -> None:
        previous_end = None
        for item in chain:
            if previous_end is not None:
                arrow(self.canvas, [self.xy(previous_end, v), self.xy(u, v)],
                      head=not isinstance(item, Fork))
            self.place(item, u, v)
            previous_end = u + self.measure(item)[0]
            u = previous_end + self.style.gap

    def place_fork(self, fork: Fork, u: float, v: float) -> None:
        style = self.style
        total_u, _ = self.measure(fork)
        merge_u, _ = self.merge_uv(fork)
        sizes = [self.measure(branch) for branch in fork.branches]
        across = sum(size[1] for size in sizes) + style.branch_gap * (len(sizes) - 1)
        merge_start = u + total_u - merge_u
        inner_end = merge_start - style.split
        cursor = v - across / 2
        for branch, (branch_u, branch_v) in zip(fork.branches, sizes, strict=True):
            centre = cursor + branch_v / 2
            cursor += branch_v + style.branch_gap
            start = u + style.split
            if not branch:
                points = [(u, v), (u + style.split / 2, centre),
                          (merge_start - style.split / 2, centre), (merge_start, v)]
                arrow(self.canvas, [self.xy(*p) for p in points], role="skip")
                continue
            arrow(self.canvas, [self.xy(u, v), self.xy(u + style.split / 2, centre),
                                self.xy(start, centre)])
            self.place(branch, start, centre)
            if fork.merge is not None:
                arrow(self.canvas, [self.xy(start + branch_u, centre),
                                    self.xy(inner_end, centre), self.xy(merge_start, v)])
        if fork.merge is not None:
            style.paint_merge(self.canvas, fork, *self.xy(merge_start + merge_u / 2, v))

    def merge_uv(self, fork: Fork) -> tuple[float, float]:
        """The merge node's size in flow coordinates; none for branches that never meet."""
        if fork.merge is None:
            return (-self.style.split, 0.0)  # the branches end where they end
        return self.uv_size(*self.style.merge_size(fork))


def stage_of(item: Item) -> str | None:
    """The top-level group (a stage: `features`, `layer2`) an item belongs to, if any."""
    row = item.merge if isinstance(item, Fork) else (item.rows[0] if item.rows else None)
    if row is None or not row.ancestors:
        return None
    if isinstance(item, Box) and item.kind == "group" and item.name == row.ancestors[0]:
        return None  # the stage itself, collapsed to one box
    return row.ancestors[0]


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


def layout_chain(style: Style, chain: list, title: str) -> Canvas:
    from .canvas import fit_to_content

    canvas = Canvas(0, 0, title=title)
    flow = FlowLayout(style, canvas)
    _, across = flow.measure(chain)
    flow.place(chain, 0.0, across / 2)
    frame_stages(flow, chain)
    return fit_to_content(canvas)
