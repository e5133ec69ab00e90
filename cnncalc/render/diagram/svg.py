"""Canvas → SVG text through drawsvg (a maintained SVG library; see README)."""

from __future__ import annotations

from .canvas import Canvas, Circle, Path, Polygon, Rect, Text

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def to_svg(canvas: Canvas) -> str:
    import drawsvg as draw

    drawing = draw.Drawing(round(canvas.width), round(canvas.height), font_family=FONT)
    drawing.append(draw.Rectangle(0, 0, round(canvas.width), round(canvas.height),
                                  fill="#ffffff"))
    if canvas.title:
        drawing.append(draw.Title(canvas.title))
    for item in canvas.items:
        if isinstance(item, Rect):
            drawing.append(draw.Rectangle(item.x, item.y, item.width, item.height,
                                          fill=item.fill, stroke=item.stroke, rx=item.radius,
                                          stroke_width=1, class_=item.role or None))
        elif isinstance(item, Polygon):
            drawing.append(draw.Lines(*_flat(item.points), close=True, fill=item.fill,
                                      stroke=item.stroke, stroke_width=1))
        elif isinstance(item, Path):
            drawing.append(draw.Lines(*_flat(item.points), close=False, fill="none",
                                      stroke=item.stroke, stroke_width=1.3,
                                      class_=item.role or None,
                                      stroke_dasharray="5,3" if item.dashed else None))
        elif isinstance(item, Circle):
            drawing.append(draw.Circle(item.x, item.y, item.r, fill=item.fill,
                                       stroke=item.stroke))
        elif isinstance(item, Text):
            drawing.append(draw.Text(item.text, item.size, item.x, item.y,
                                     text_anchor=item.anchor, fill=item.color,
                                     font_weight="bold" if item.bold else None))
    return drawing.as_svg()


def _flat(points) -> list[float]:
    return [round(value, 2) for point in points for value in point]
