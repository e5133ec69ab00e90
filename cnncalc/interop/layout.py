"""cnncalc's H×W×C shapes ↔ the NCHW dimensions of ONNX and PyTorch (batch 1)."""

from __future__ import annotations

from ..engine.shapes import Shape, channels, is_spatial, spatial_sizes


def onnx_dims(shape: Shape, batch: int = 1) -> list[int]:
    """(H, W, C) → [N, C, H, W]; (n,) → [N, n]."""
    if is_spatial(shape):
        return [batch, channels(shape), *spatial_sizes(shape)]
    return [batch, *shape]


def from_onnx_dims(dims: list[int] | tuple[int, ...]) -> Shape:
    """[N, C, H, W] → (H, W, C), [N, C, L] → (L, C), [N, C, D, H, W] → (D, H, W, C);
    [N, n] → (n,). The batch is dropped."""
    if 3 <= len(dims) <= 5:
        return (*dims[2:], dims[1])
    if len(dims) == 2:
        return (dims[1],)
    raise ValueError(f"rank {len(dims)}")
