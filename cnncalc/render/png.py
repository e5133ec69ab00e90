"""SVG → PNG through resvg (the Rust renderer, as the resvg-py wheel: no system library)."""

from __future__ import annotations


def svg_to_png(svg: str, zoom: float = 1.5) -> bytes:
    import resvg_py

    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))
