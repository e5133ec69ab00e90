"""Helpers shared by the reference kernels: dtypes, shape checks, padding, window counting.

Every kernel works on one example (batch 1): spatial tensors are ``(C, H, W)`` arrays,
vectors are 1-D ``(N,)`` arrays. Pair arguments are already-normalised ``(h, w)`` tuples of
ints; 4-sided padding is ``(top, bottom, left, right)``.
"""

from __future__ import annotations

import numpy as np

Pair = tuple[int, int]
Pad4 = tuple[int, int, int, int]

# How much scratch memory one im2col buffer may use unless the caller says otherwise.
DEFAULT_WORKSPACE = 64 << 20


def float_dtype(*arrays: np.ndarray | None) -> np.dtype:
    """Common floating dtype of the operands (integers are computed in float64)."""
    dt = np.result_type(*[a.dtype for a in arrays if a is not None])
    if not np.issubdtype(dt, np.floating):
        dt = np.dtype(np.float64)
    return dt


def check_chw(x: np.ndarray, what: str) -> None:
    if x.ndim != 3:
        raise ValueError(f"{what} expects a (C, H, W) array, got shape {x.shape}")


def pad_chw(x: np.ndarray, pad: Pad4, value: float, dtype: np.dtype) -> np.ndarray:
    """Copy x into a (C, H+t+b, W+l+r) canvas filled with ``value``.

    Returns x itself (no copy) when there is nothing to pad and the dtype already fits.
    """
    t, b, left, r = pad
    if min(pad) < 0:
        raise ValueError(f"padding must be non-negative, got {pad}")
    if t == b == left == r == 0 and x.dtype == dtype:
        return x
    c, h, w = x.shape
    # np.zeros gets pre-zeroed pages from the OS: one pass less than filling.
    if value == 0:
        out = np.zeros((c, h + t + b, w + left + r), dtype=dtype)
    else:
        out = np.full((c, h + t + b, w + left + r), value, dtype=dtype)
    out[:, t : t + h, left : left + w] = x
    return out


def window_count(n: int, pad_before: int, pad_after: int, extent: int, stride: int,
                  ceil_mode: bool = False) -> int:
    """Slide a window of ``extent`` by ``stride`` over the padded axis and count positions.

    Floor mode keeps windows that lie inside the padded axis.  Ceil mode (PyTorch) also
    keeps a window that overhangs the end by less than one stride -- there were rows the
    previous window did not reach -- but drops one that would start in the trailing
    padding.
    """
    length = pad_before + n + pad_after
    slack = stride - 1 if ceil_mode else 0
    count = 0
    start = 0
    while start + extent - length <= slack:
        if ceil_mode and start >= pad_before + n:
            break
        count += 1
        start += stride
    return count


def strided(start: int, count: int, step: int) -> slice:
    """Slice selecting ``count`` elements from ``start`` every ``step``."""
    return slice(start, start + (count - 1) * step + 1, step)
