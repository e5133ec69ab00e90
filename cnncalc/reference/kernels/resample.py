"""Resampling and geometry: upsampling (nearest, bilinear), zero padding, cropping."""

from __future__ import annotations

import numpy as np

from .common import Pad4, Pair, check_chw, float_dtype, pad_chw


def upsample(x: np.ndarray, size: Pair, mode: str = "nearest") -> np.ndarray:
    """``torch.nn.functional.interpolate`` to ``size`` (nearest, or bilinear with
    align_corners=False)."""
    check_chw(x, "upsample")
    _, h, w = x.shape
    oh, ow = size
    if oh < 1 or ow < 1:
        raise ValueError(f"upsample: size {size} must be >= 1")
    dt = float_dtype(x)
    xf = x.astype(dt, copy=False)
    if mode == "nearest":
        # src = floor(dst * in / out), in exact integer arithmetic.
        ri = (np.arange(oh) * h) // oh
        ci = (np.arange(ow) * w) // ow
        return xf[:, ri][:, :, ci]
    if mode == "bilinear":
        r0, r1, rl = _linear_taps(h, oh, dt)
        c0, c1, cl = _linear_taps(w, ow, dt)
        rows = xf[:, r0, :] * (1 - rl)[:, None] + xf[:, r1, :] * rl[:, None]
        return rows[:, :, c0] * (1 - cl) + rows[:, :, c1] * cl
    raise ValueError(f"upsample: unknown mode {mode!r} (nearest or bilinear)")


def _linear_taps(n_in: int, n_out: int, dt: np.dtype
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source indices and weights of align_corners=False linear interpolation."""
    scale = n_in / n_out
    src = np.maximum((np.arange(n_out) + 0.5) * scale - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.intp), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = (src - i0).astype(dt)
    return i0, i1, lam


def upsample_scale(x: np.ndarray, scale: Pair, mode: str = "nearest") -> np.ndarray:
    """Upsample by integer factors ``(sh, sw)``."""
    check_chw(x, "upsample")
    return upsample(x, (x.shape[1] * scale[0], x.shape[2] * scale[1]), mode)


def zeropad(x: np.ndarray, padding: Pad4) -> np.ndarray:
    """Zero padding ``(top, bottom, left, right)`` of a CHW array."""
    check_chw(x, "zeropad")
    return pad_chw(x, padding, 0.0, x.dtype)


def crop(x: np.ndarray, amounts: Pad4) -> np.ndarray:
    """Remove ``(top, bottom, left, right)`` rows/columns of a CHW array."""
    check_chw(x, "crop")
    t, b, left, r = amounts
    _, h, w = x.shape
    if min(amounts) < 0 or t + b >= h or left + r >= w:
        raise ValueError(f"crop: {amounts} leaves nothing of a {h}x{w} map")
    return x[:, t : h - b, left : w - r].copy()


def center_crop(x: np.ndarray, size: Pair) -> np.ndarray:
    """Centred crop to ``(h, w)``; an odd difference removes the extra pixel at the
    bottom/right."""
    check_chw(x, "center_crop")
    _, h, w = x.shape
    oh, ow = size
    if not (1 <= oh <= h and 1 <= ow <= w):
        raise ValueError(f"center_crop: cannot crop {h}x{w} to {oh}x{ow}")
    t, left = (h - oh) // 2, (w - ow) // 2
    return x[:, t : t + oh, left : left + ow].copy()
