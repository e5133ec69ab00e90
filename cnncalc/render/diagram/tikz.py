"""Canvas → a standalone LaTeX/TikZ document (compile with `pdflatex net.tex`)."""

from __future__ import annotations

from .canvas import Canvas, Circle, Path, Polygon, Rect, Text

SCALE = 0.03  # cm per px: a 600 px wide drawing becomes 18 cm
DARK_TEXT = ("#111111", "#333333", "#444444", "#555555", "#777777")  # drawn black in TikZ
_ESCAPES = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
            "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}",
            "^": r"\textasciicircum{}", "×": r"$\times$", "⊙": r"$\odot$", "…": r"\ldots{}",
            "·": r"$\cdot$", "⌈": r"$\lceil$", "⌉": r"$\rceil$"}
_ANCHORS = {"start": "base west", "middle": "base", "end": "base east"}  # TikZ has no
# "base center": the plain "base" anchor is the centre of the baseline


def escape(text: str) -> str:
    return "".join(_ESCAPES.get(char, char if ord(char) < 128 else "?") for char in text)


def _xy(canvas: Canvas, x: float, y: float) -> str:
    return f"({x * SCALE:.3f},{(canvas.height - y) * SCALE:.3f})"


def _colour(hex_colour: str) -> str:
    """xcolor's extended syntax: {rgb,255:red,R; green,G; blue,B}."""
    red, green, blue = (int(hex_colour[k:k + 2], 16) for k in (1, 3, 5))
    return f"{{rgb,255:red,{red}; green,{green}; blue,{blue}}}"


def to_tikz(canvas: Canvas) -> str:
    lines = [r"\documentclass[tikz,border=4pt]{standalone}",
             r"\begin{document}", r"\begin{tikzpicture}[font=\sffamily]"]
    for item in canvas.items:
        if isinstance(item, Rect):
            corner = f"rounded corners={item.radius * SCALE:.3f}cm," if item.radius else ""
            lines.append(rf"\draw[{corner}fill={_colour(item.fill)}] "
                         f"{_xy(canvas, item.x, item.y)} rectangle "
                         f"{_xy(canvas, item.x + item.width, item.y + item.height)};")
        elif isinstance(item, Polygon):
            points = " -- ".join(_xy(canvas, *point) for point in item.points)
            lines.append(rf"\draw[fill={_colour(item.fill)}] {points} -- cycle;")
        elif isinstance(item, Path):
            points = " -- ".join(_xy(canvas, *point) for point in item.points)
            lines.append(rf"\draw[color={_colour(item.stroke)}] {points};")
        elif isinstance(item, Circle):
            lines.append(rf"\draw[fill={_colour(item.fill)}] {_xy(canvas, item.x, item.y)} "
                         f"circle ({item.r * SCALE:.3f});")
        elif isinstance(item, Text) and item.text:
            size = r"\scriptsize" if item.size <= 10 else r"\footnotesize"
            text = rf"\textbf{{{escape(item.text)}}}" if item.bold else escape(item.text)
            # a colour only where it matters (white on an output marker), not on every label
            colour = "" if item.color in DARK_TEXT else f",text={_colour(item.color)}"
            lines.append(rf"\node[anchor={_ANCHORS[item.anchor]},inner sep=0pt{colour}] at "
                         f"{_xy(canvas, item.x, item.y)} {{{size} {text}}};")
    lines += [r"\end{tikzpicture}", r"\end{document}", ""]
    return "\n".join(lines)
