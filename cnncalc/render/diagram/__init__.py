"""Architecture diagrams from an Analysis: a layout model (tree → canvas of primitives) and
writers for SVG and TikZ; PNG is rendered from the SVG by render/png.py. The tree (tree.py)
is built from the rows and groups; links.py adds output markers and turns every read that
no chain or fork shows into a link, which lanes.py routes once the layout is placed.

    canvas = diagram(analysis, style="graph")   # or "blocks"; None picks by the network
    to_svg(canvas), to_tikz(canvas)
"""

from __future__ import annotations

from ...engine.analysis import Analysis
from .blocks import draw_blocks
from .canvas import Canvas
from .graph import draw_graph
from .links import add_outputs, connect
from .svg import to_svg
from .tikz import to_tikz
from .tree import branches, build

STYLES = ("blocks", "graph")


def default_style(analysis: Analysis) -> str:
    """Blocks for chain-like networks, graph as soon as the spec branches."""
    return "graph" if branches(analysis) else "blocks"


def diagram(analysis: Analysis, style: str | None = None, depth: int | None = None) -> Canvas:
    style = style or default_style(analysis)
    chain = build(analysis, depth)
    add_outputs(chain, analysis)
    links = connect(chain)
    title = analysis.name + (f" — {analysis.network.description}"
                             if analysis.network.description else "")
    if style == "graph":
        return draw_graph(chain, title, links)
    return draw_blocks(chain, title, links)


__all__ = ["STYLES", "Canvas", "default_style", "diagram", "to_svg", "to_tikz"]
