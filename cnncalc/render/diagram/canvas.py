"""The drawing primitives every diagram is made of, and nothing else.

Layouts produce a Canvas; writers (svg.py, tikz.py) translate its primitives one by one, so a
new output format is one small translator and the geometry stays in one place (and testable).
"""

from __future__ import annotations

from dataclasses import dataclass, field

Point = tuple[float, float]


@dataclass
class Rect:
    x: float
    y: float
    width: float
    height: float
    fill: str = "#ffffff"
    stroke: str = "#333333"
    radius: float = 0.0
    role: str = ""  # what the rectangle stands for ("node", "group"): tests read it


@dataclass
class Polygon:
    points: list[Point]
    fill: str
    stroke: str = "#333333"


@dataclass
class Path:
    """A polyline; with `arrow`, an arrowhead at its last point."""

    points: list[Point]
    arrow: bool = True
    stroke: str = "#555555"
    dashed: bool = False
    role: str = ""  # "flow", "skip": tests read it


@dataclass
class Circle:
    x: float
    y: float
    r: float
    fill: str = "#ffffff"
    stroke: str = "#333333"


@dataclass
class Text:
    x: float
    y: float
    text: str
    size: float = 11.0
    anchor: str = "middle"  # "start", "middle", "end"
    bold: bool = False
    color: str = "#111111"


@dataclass
class Canvas:
    width: float
    height: float
    items: list = field(default_factory=list)
    title: str = ""

    def add(self, item) -> None:
        self.items.append(item)

    def of(self, kind: type, role: str | None = None) -> list:
        return [item for item in self.items if isinstance(item, kind)
                and (role is None or getattr(item, "role", None) == role)]


CHAR_WIDTH = 0.6  # of the font size: DejaVu Sans averages about that; used to size boxes


def text_width(text: str, size: float = 11.0) -> float:
    return len(text) * size * CHAR_WIDTH


def arrowhead(tip: Point, before: Point, length: float = 7.0) -> list[Point]:
    """A small triangle pointing from `before` to `tip` (drawn as a polygon, not an SVG
    marker, so every writer and renderer shows the same thing)."""
    (x1, y1), (x0, y0) = tip, before
    dx, dy = x1 - x0, y1 - y0
    norm = (dx * dx + dy * dy) ** 0.5 or 1.0
    ux, uy = dx / norm, dy / norm
    bx, by = x1 - ux * length, y1 - uy * length
    half = length * 0.45
    return [(x1, y1), (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)]


def fit_to_content(canvas: Canvas, margin: float = 20.0) -> Canvas:
    """Move every primitive so the drawing starts at (margin, margin); size the canvas."""
    xs, ys = [], []
    for item in canvas.items:
        for x, y in _corners(item):
            xs.append(x)
            ys.append(y)
    if not xs:
        return canvas
    dx, dy = margin - min(xs), margin - min(ys)
    for item in canvas.items:
        _shift(item, dx, dy)
    canvas.width = max(xs) - min(xs) + 2 * margin
    canvas.height = max(ys) - min(ys) + 2 * margin
    return canvas


def _corners(item) -> list[Point]:
    if isinstance(item, Rect):
        return [(item.x, item.y), (item.x + item.width, item.y + item.height)]
    if isinstance(item, (Polygon, Path)):
        return list(item.points)
    if isinstance(item, Circle):
        return [(item.x - item.r, item.y - item.r), (item.x + item.r, item.y + item.r)]
    width = text_width(item.text, item.size)
    left = {"start": 0.0, "middle": width / 2, "end": width}[item.anchor]
    return [(item.x - left, item.y - item.size), (item.x - left + width, item.y + 3)]


def _shift(item, dx: float, dy: float) -> None:
    if isinstance(item, (Polygon, Path)):
        item.points = [(x + dx, y + dy) for x, y in item.points]
    else:
        item.x += dx
        item.y += dy
