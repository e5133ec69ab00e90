"""The blocks style (LeNet/AlexNet figures): left to right, each feature map a 3-D slab whose
thickness shows the channels and whose face shows H×W, dense layers as bars; sizes are
log-scaled when they differ a lot, so a 224-pixel map and a 7-pixel one both stay visible."""

from __future__ import annotations

import math

from ...engine.shapes import channels, is_spatial, spatial_rank, spatial_sizes
from .canvas import Canvas, Polygon, Rect, Text, text_width
from .flow import layout_chain
from .links import Link
from .paint import (
    clip,
    colour,
    darker,
    merge_size,
    output_size,
    paint_merge,
    paint_output,
    shape_label,
)
from .tree import Box, Item

FACE = 110.0  # the largest face side, in px
MIN_SIDE = 10.0
LOG_RATIO = 8  # log-scale the faces when the largest map is this many times the smallest
TEXT = 26.0  # room above (shape) and below (layer) a slab


class BlocksStyle:
    horizontal = True
    gap = 26.0
    branch_gap = 30.0
    split = 24.0
    beside = -1.0  # side branches and skip lanes above: shapes are written below merges

    def __init__(self, chain: list[Item]) -> None:
        boxes = [box for box in _boxes(chain) if box.kind in ("layer", "group", "input")]
        maps = [box.shape for box in boxes if spatial_rank(box.shape) == 2]
        spatial = [side for shape in maps for side in spatial_sizes(shape)]
        channel_counts = [channels(shape) for shape in maps]
        vectors = [box.shape[0] for box in boxes if not is_spatial(box.shape)]
        self.largest = max(spatial, default=1)
        self.log = bool(spatial) and self.largest >= LOG_RATIO * max(1, min(spatial))
        self.widest = max(channel_counts, default=1)
        self.longest = max(vectors, default=1)

    def side(self, size: int) -> float:
        if self.log:
            return MIN_SIDE + (FACE - MIN_SIDE) * math.log2(max(size, 1)) / math.log2(
                max(self.largest, 2))
        return MIN_SIDE + (FACE - MIN_SIDE) * size / self.largest

    def thickness(self, channels: int) -> float:
        return 3.0 + 37.0 * math.log2(max(channels, 1)) / math.log2(max(self.widest, 2))

    def slab(self, box: Box) -> tuple[float, float, float]:
        """(thickness along the flow, face height, receding depth) of the drawn solid."""
        if spatial_rank(box.shape) == 2:  # a map: H×W face, C deep (the LeNet figure's slabs)
            height, width = spatial_sizes(box.shape)
            return (self.thickness(channels(box.shape)), self.side(height), self.side(width) * 0.4)
        if not is_spatial(box.shape):
            length = MIN_SIDE + (FACE - MIN_SIDE) * math.log2(max(box.shape[0], 1)) / \
                math.log2(max(self.longest, 2))
            return (10.0, length, 0.0)
        return (12.0, 12.0, 0.0)

    def box_size(self, box: Box) -> tuple[float, float]:
        if box.kind == "output":
            return output_size(box)
        thick, height, depth = self.slab(box)
        texts = max(text_width(box_text(box), 10), text_width(shape_label(box.shape), 10))
        return (max(thick + depth, texts) + 4, height + depth + 2 * TEXT)

    def merge_size(self, symbol: str, shape) -> tuple[float, float]:
        width, height = merge_size(symbol)
        return (max(width, text_width(shape_label(shape), 10)), height + 30)

    def paint_box(self, canvas: Canvas, box: Box, cx: float, cy: float) -> None:
        if box.kind == "output":
            paint_output(canvas, box, cx, cy)
            return
        thick, height, depth = self.slab(box)
        left = cx - (thick + depth) / 2
        top = cy - (height - depth) / 2  # the front face, below the receding top
        fill = colour(box)
        if depth:
            canvas.add(Polygon([(left, top), (left + depth, top - depth),
                                (left + depth + thick, top - depth), (left + thick, top)],
                               fill=darker(fill, 0.92)))
            canvas.add(Polygon([(left + thick, top), (left + thick + depth, top - depth),
                                (left + thick + depth, top - depth + height),
                                (left + thick, top + height)], fill=darker(fill, 0.78)))
        canvas.add(Rect(left, top, thick, height, fill=fill, role="node"))
        canvas.add(Text(cx, top - depth - 8, shape_label(box.shape), size=10))
        canvas.add(Text(cx, top + height + 16, box_text(box), size=10, color="#333333"))

    def paint_merge(self, canvas: Canvas, symbol: str, shape, cx: float, cy: float) -> None:
        paint_merge(canvas, symbol, shape, cx, cy, shape_below=True)


def box_text(box: Box) -> str:
    if box.kind == "group":  # its stage's frame already names the first part of the path
        return clip(f"{box.name.split('.', 1)[-1]} ({box.label})", 30)
    return clip(box.label.split(" · ")[0], 30)  # the fused relu/bn would crowd the strip


def _boxes(chain):
    for item in chain:
        if isinstance(item, Box):
            yield item
        else:
            for branch in item.branches:
                yield from _boxes(branch)


def draw_blocks(chain: list[Item], title: str, links: list[Link] | None = None) -> Canvas:
    return layout_chain(BlocksStyle(chain), chain, title, links)
