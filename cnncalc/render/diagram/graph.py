"""The graph style: top-to-bottom flow, one rounded box per feature map with its output
shape, branches side by side, merge nodes, skip arrows; U-Nets folded into a U."""

from __future__ import annotations

from .canvas import Canvas, Rect, Text, fit_to_content, text_width
from .flow import arrow, layout_chain
from .links import Link
from .paint import clip, colour, merge_size, output_size, paint_merge, paint_output, shape_label
from .tree import Box, Fork, Item

NODE_HEIGHT = 36.0
LABEL_SIZE = 11.0


class GraphStyle:
    horizontal = False
    gap = 18.0
    branch_gap = 24.0
    split = 22.0
    beside = 1.0  # side branches and skip lanes to the right

    def box_size(self, box: Box) -> tuple[float, float]:
        if box.kind == "output":
            return output_size(box)
        text = max(text_width(node_text(box), LABEL_SIZE),
                   text_width(shape_label(box.shape), 10))
        return (max(110.0, text + 18), NODE_HEIGHT)

    def merge_size(self, symbol: str, shape) -> tuple[float, float]:
        width, height = merge_size(symbol)
        # room on the right for the merged shape
        return (width + 2 * (text_width(shape_label(shape), 10) + 8), height)

    def paint_box(self, canvas: Canvas, box: Box, cx: float, cy: float) -> None:
        if box.kind == "output":
            paint_output(canvas, box, cx, cy)
            return
        width, height = self.box_size(box)
        canvas.add(Rect(cx - width / 2, cy - height / 2, width, height, fill=colour(box),
                        radius=6, role="node"))
        canvas.add(Text(cx, cy - 3, node_text(box), size=LABEL_SIZE, bold=box.kind != "layer"))
        canvas.add(Text(cx, cy + 12, shape_label(box.shape), size=10, color="#333333"))

    def paint_merge(self, canvas: Canvas, symbol: str, shape, cx: float, cy: float) -> None:
        paint_merge(canvas, symbol, shape, cx, cy, shape_below=False)


def node_text(box: Box) -> str:
    if box.kind == "group":  # its stage's frame names the first part of the path
        return clip(f"{box.name.split('.', 1)[-1]} ({box.label})")
    return clip(box.label)


def draw_graph(chain: list[Item], title: str, links: list[Link] | None = None) -> Canvas:
    levels, bottom = ([], None) if links else u_levels(chain)
    if levels:
        return draw_u(levels, bottom, title)
    return layout_chain(GraphStyle(), chain, title, links)


# -- the U -----------------------------------------------------------------------------------
def _skip_concat(item: Item) -> bool:
    return (isinstance(item, Fork) and item.merge is not None and item.merge.type == "concat"
            and not item.side and not item.starts and len(item.branches) == 2
            and sum(1 for branch in item.branches if not branch) == 1)


def u_levels(chain: list[Item]):
    """[(encoder, concat, decoder), …] from the outside in, and the bottom chain, when the
    network is a U: each level's chain holds one skip concat (an identity branch beside a
    deeper level) and otherwise only boxes. ([], None) when it is not a U."""
    levels = []
    while True:
        skips = [index for index, item in enumerate(chain) if _skip_concat(item)]
        others = [item for item in chain if isinstance(item, Fork) and not _skip_concat(item)]
        if others or len(skips) > 1:
            return [], None
        if not skips:
            return (levels, chain) if levels and chain else ([], None)
        index = skips[0]
        fork = chain[index]
        encoder, decoder = chain[:index], chain[index + 1:]
        if not encoder:
            return [], None
        levels.append((encoder, fork, decoder))
        chain = next(branch for branch in fork.branches if branch)


def draw_u(levels, bottom: list[Box], title: str) -> Canvas:
    """Encoder down the left (stepping inwards), the bottom across, decoder up the right,
    one horizontal skip arrow per level from the encoder's last map to its concat."""
    style = GraphStyle()
    canvas = Canvas(0, 0, title=title)
    boxes = [box for encoder, _, decoder in levels for box in (*encoder, *decoder)] + bottom
    width = max(style.box_size(box)[0] for box in boxes)
    step, indent = NODE_HEIGHT + 22, 36.0
    centre_y: list[float] = []  # each level's skip row
    y = -step
    for level, (encoder, _, decoder) in enumerate(levels):
        rows = max(len(encoder), len(decoder) + 1 if level else 1)
        y += step * rows
        centre_y.append(y)
    bottom_y = centre_y[-1] + step * 1.4
    depth = len(levels)
    bottom_x0 = depth * indent + width / 2
    bottom_last = bottom_x0 + (len(bottom) - 1) * (width + 30)
    right_inner = max((depth - 1) * indent + width * 1.5 + 140, bottom_last)
    previous = None  # (x, y) of the bottom edge of the last encoder box
    for level, (encoder, _, _) in enumerate(levels):
        x = level * indent + width / 2
        for offset, box in enumerate(encoder):
            by = centre_y[level] - step * (len(encoder) - 1 - offset)
            if previous is not None:
                arrow(canvas, [previous, (x, by - NODE_HEIGHT / 2)])
            style.paint_box(canvas, box, x, by)
            previous = (x, by + NODE_HEIGHT / 2)
    for index, box in enumerate(bottom):
        bx = bottom_x0 + index * (width + 30)
        if index == 0:
            arrow(canvas, [previous, (bx, bottom_y - NODE_HEIGHT / 2)])
        else:
            arrow(canvas, [(bx - width - 30 + style.box_size(bottom[index - 1])[0] / 2,
                            bottom_y), (bx - style.box_size(box)[0] / 2, bottom_y)])
        style.paint_box(canvas, box, bx, bottom_y)
    below = (bottom_last, bottom_y - NODE_HEIGHT / 2)  # where the next arrow starts
    for level in reversed(range(depth)):
        encoder, fork, decoder = levels[level]
        x = right_inner + (depth - 1 - level) * indent
        merge_half = merge_size(fork.symbol)[1] / 2
        cy = centre_y[level]
        arrow(canvas, [below, (x, cy + merge_half)])
        left_x = level * indent + width / 2 + style.box_size(encoder[-1])[0] / 2
        arrow(canvas, [(left_x, cy), (x - merge_size(fork.symbol)[0] / 2, cy)], role="skip")
        paint_merge(canvas, fork.symbol, fork.merge.output, x, cy, shape_below=False)
        below = (x, cy - merge_half)
        for offset, box in enumerate(decoder, 1):
            by = cy - step * offset
            arrow(canvas, [below, (x, by + NODE_HEIGHT / 2)])
            style.paint_box(canvas, box, x, by)
            below = (x, by - NODE_HEIGHT / 2)
    return fit_to_content(canvas)
