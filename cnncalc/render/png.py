"""SVG → PNG through resvg (the Rust renderer, as the resvg-py wheel: no system library)."""

from __future__ import annotations

MAX_PIXELS = 40_000_000  # 160 MB of RGBA: a huge network gets a smaller zoom, not an OOM


def svg_to_png(svg: str, size: tuple[float, float] | None = None, zoom: float = 1.5) -> bytes:
    """Render at `zoom` (1.5: crisp text on screens), less when `size` (the SVG's width and
    height in px) would make the image larger than MAX_PIXELS."""
    import resvg_py

    if size is not None:
        area = max(size[0] * size[1], 1.0)
        zoom = min(zoom, (MAX_PIXELS / area) ** 0.5)
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, zoom=zoom, background="#ffffff"))
