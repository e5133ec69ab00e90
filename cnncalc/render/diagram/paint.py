"""Colours and the merge node, shared by both styles."""

from __future__ import annotations

from ...engine.shapes import Shape, shape_str
from .canvas import Canvas, Circle, Rect, Text, text_width
from .tree import Box

COLOURS = {"conv": "#f6bd60", "convtranspose": "#f28482", "maxpool": "#84a59d",
           "avgpool": "#84a59d", "dense": "#90be6d", "input": "#ffffff", "group": "#cdb4db"}
DEFAULT_COLOUR = "#e9ecef"
POOLS = ("pool",)


def colour(box: Box) -> str:
    if box.kind != "layer":
        return COLOURS[box.kind]
    kind = box.rows[0].type if box.rows else box.label.split(" ", 1)[0]
    if "pool" in kind:
        return COLOURS["maxpool"]
    return COLOURS.get(kind, DEFAULT_COLOUR)


def darker(hex_colour: str, factor: float = 0.8) -> str:
    value = int(hex_colour[1:], 16)
    parts = [int(((value >> shift) & 255) * factor) for shift in (16, 8, 0)]
    return "#" + "".join(f"{part:02x}" for part in parts)


def shape_label(shape) -> str:
    return shape_str(shape, times="×")


def clip(text: str, limit: int = 42) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


MERGE_HEIGHT = 24.0


def merge_size(symbol: str) -> tuple[float, float]:
    if len(symbol) == 1:
        return (MERGE_HEIGHT, MERGE_HEIGHT)
    return (text_width(symbol, 11) + 16, MERGE_HEIGHT)


def paint_merge(canvas: Canvas, symbol: str, output: Shape, cx: float, cy: float,
                shape_below: bool) -> None:
    """A circle with the symbol (+, ⊙) or a pill saying concat; the merged shape beside it."""
    width, height = merge_size(symbol)
    if len(symbol) == 1:
        canvas.add(Circle(cx, cy, height / 2, fill="#fff3b0"))
        canvas.add(Text(cx, cy + 5, symbol, size=15, bold=True))
    else:
        canvas.add(Rect(cx - width / 2, cy - height / 2, width, height, fill="#fff3b0",
                        radius=height / 2, role="merge"))
        canvas.add(Text(cx, cy + 4, symbol, size=11))
    shape = shape_label(output)
    if shape_below:
        canvas.add(Text(cx, cy + height / 2 + 13, shape, size=10, color="#444444"))
    else:
        canvas.add(Text(cx + width / 2 + 6, cy + 4, shape, size=10, anchor="start",
                        color="#444444"))


OUTPUT_FILL = "#3d405b"
OUTPUT_HEIGHT = 22.0


def output_size(box: Box) -> tuple[float, float]:
    return (text_width(box.label, 10) + 20, OUTPUT_HEIGHT)


def paint_output(canvas: Canvas, box: Box, cx: float, cy: float) -> None:
    """An output marker: a dark pill with the output's name, where its line ends."""
    width, height = output_size(box)
    canvas.add(Rect(cx - width / 2, cy - height / 2, width, height, fill=OUTPUT_FILL,
                    stroke=OUTPUT_FILL, radius=height / 2, role="output"))
    canvas.add(Text(cx, cy + 4, box.label, size=10, bold=True, color="#ffffff"))
