"""Pooling: max, average (ceil mode as PyTorch), adaptive and global, by sliding windows."""

from __future__ import annotations

import numpy as np

from .common import Pad4, Pair, check_chw, float_dtype, pad_chw, strided, window_count


def _pool_prepare(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4, ceil_mode: bool,
                  fill: float, dilation: Pair = (1, 1)) -> tuple[np.ndarray, int, int]:
    """Pad x with ``fill`` (also under any ceil-mode overhang); count the windows. A dilated
    window is counted by its span D(F−1)+1."""
    check_chw(x, "pooling")
    _, h, w = x.shape
    kh, kw = (d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    sh, sw = stride
    t, b, left, r = padding
    if min(kh, kw, sh, sw) < 1:
        raise ValueError(f"pooling: kernel {kernel} and stride {stride} must be >= 1")
    ho = window_count(h, t, b, kh, sh, ceil_mode)
    wo = window_count(w, left, r, kw, sw, ceil_mode)
    if ho < 1 or wo < 1:
        raise ValueError(f"pooling: kernel {kernel} does not fit the padded input")
    # A ceil-mode window may overhang the padded input; give it room filled the same way.
    extra_h = max(0, (ho - 1) * sh + kh - (t + h + b))
    extra_w = max(0, (wo - 1) * sw + kw - (left + w + r))
    xp = pad_chw(x, (t, b + extra_h, left, r + extra_w), fill, float_dtype(x))
    return xp, ho, wo


def max_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4 = (0, 0, 0, 0),
               ceil_mode: bool = False, dilation: Pair = (1, 1)) -> np.ndarray:
    """Max pooling like ``torch.nn.MaxPool2d`` (padding counts as -inf)."""
    xp, ho, wo = _pool_prepare(x, kernel, stride, padding, ceil_mode, -np.inf, dilation)
    return _window_reduce(xp, ho, wo, kernel, stride, np.maximum, dilation)


def lp_pool2d(x: np.ndarray, p: float, kernel: Pair, stride: Pair,
              ceil_mode: bool = False) -> np.ndarray:
    """``torch.nn.LPPool2d``: (Σ xᵖ)^(1/p) per window, computed as PyTorch does, through an
    average pool of xᵖ times the kernel area (so a ceil-mode overhang divides alike)."""
    dt = float_dtype(x)
    powered = np.power(x.astype(dt, copy=False), dt.type(p))
    mean = avg_pool2d(powered, kernel, stride, (0, 0, 0, 0), ceil_mode)
    # PyTorch writes sign(m)·relu(|m|), which is m itself
    return np.power(mean * dt.type(kernel[0] * kernel[1]), dt.type(1 / p))


def avg_pool2d(x: np.ndarray, kernel: Pair, stride: Pair, padding: Pad4 = (0, 0, 0, 0),
               ceil_mode: bool = False, count_include_pad: bool = True) -> np.ndarray:
    """Average pooling like ``torch.nn.AvgPool2d``.

    With count_include_pad the divisor counts padding but not a ceil-mode overhang beyond
    the padded input; without it, only real input elements are counted (PyTorch rules).
    """
    xp, ho, wo = _pool_prepare(x, kernel, stride, padding, ceil_mode, 0.0)
    _, h, w = x.shape
    kh, kw = kernel
    sh, sw = stride
    t, b, left, r = padding
    out = _window_reduce(xp, ho, wo, kernel, stride, np.add)
    # Divisor: the window's overlap with the counted region, a product of 1-D overlaps.
    if count_include_pad:
        div_h = _overlaps(ho, sh, kh, 0, t + h + b)
        div_w = _overlaps(wo, sw, kw, 0, left + w + r)
    else:
        div_h = _overlaps(ho, sh, kh, t, t + h)
        div_w = _overlaps(wo, sw, kw, left, left + w)
    div = np.maximum(np.outer(div_h, div_w), 1).astype(out.dtype)  # never divide by 0
    out /= div
    return out


def _window_reduce(xp: np.ndarray, ho: int, wo: int, kernel: Pair, stride: Pair,
                   op: np.ufunc, dilation: Pair = (1, 1)) -> np.ndarray:
    """Combine every kh x kw window with ``op`` (max or add), separably: first along W
    (kw strided slices), then along H.  The first step writes a fresh array, so no
    initial copy is needed."""
    kh, kw = kernel
    sh, sw = stride
    dh, dw = dilation

    def along(a: np.ndarray, k: int, n: int, s: int, axis: int) -> np.ndarray:
        step = dh if axis == 1 else dw

        def sl(o: int) -> np.ndarray:
            o *= step  # tap o of a dilated window
            return a[:, strided(o, n, s), :] if axis == 1 else a[:, :, strided(o, n, s)]

        if k == 1:
            return sl(0).copy()
        acc = op(sl(0), sl(1))
        for o in range(2, k):
            op(acc, sl(o), out=acc)
        return acc

    return along(along(xp, kw, wo, sw, 2), kh, ho, sh, 1)


def _overlaps(n_windows: int, stride: int, size: int, lo: int, hi: int) -> np.ndarray:
    """Length of [s, s+size) ∩ [lo, hi) for each window start s = i*stride."""
    starts = np.arange(n_windows) * stride
    return np.clip(np.minimum(starts + size, hi) - np.maximum(starts, lo), 0, None)


def _adaptive_bins(n: int, bins: int) -> list[tuple[int, int]]:
    """PyTorch adaptive bins: [floor(i*n/bins), ceil((i+1)*n/bins))."""
    return [((i * n) // bins, -((-(i + 1) * n) // bins)) for i in range(bins)]


def _adaptive(x: np.ndarray, output: Pair, reduce) -> np.ndarray:
    check_chw(x, "adaptive pooling")
    c, h, w = x.shape
    oh, ow = output
    if oh < 1 or ow < 1:
        raise ValueError(f"adaptive pooling: output size {output} must be >= 1")
    dt = float_dtype(x)
    cols = np.empty((c, h, ow), dtype=dt)
    for j, (a, e) in enumerate(_adaptive_bins(w, ow)):
        cols[:, :, j] = reduce(x[:, :, a:e], axis=2)
    out = np.empty((c, oh, ow), dtype=dt)
    for i, (a, e) in enumerate(_adaptive_bins(h, oh)):
        out[:, i, :] = reduce(cols[:, a:e, :], axis=1)
    return out


def adaptive_avg_pool2d(x: np.ndarray, output: Pair) -> np.ndarray:
    """``torch.nn.AdaptiveAvgPool2d``: bins may overlap when the size does not divide."""
    # Averages of averages are exact here: within one H bin every column mean has the same
    # weight because all columns of a W bin span the same rows.
    return _adaptive(x, output, np.mean)


def adaptive_max_pool2d(x: np.ndarray, output: Pair) -> np.ndarray:
    """``torch.nn.AdaptiveMaxPool2d`` with PyTorch's bin boundaries."""
    return _adaptive(x, output, np.max)


def global_avg_pool(x: np.ndarray) -> np.ndarray:
    """Mean over H and W → ``(C, 1, 1)``."""
    check_chw(x, "global_avg_pool")
    return x.astype(float_dtype(x), copy=False).mean(axis=(1, 2), keepdims=True)


def global_max_pool(x: np.ndarray) -> np.ndarray:
    """Max over H and W → ``(C, 1, 1)``."""
    check_chw(x, "global_max_pool")
    return x.astype(float_dtype(x), copy=False).max(axis=(1, 2), keepdims=True)


# ---------------------------------------------------------------------------------------
