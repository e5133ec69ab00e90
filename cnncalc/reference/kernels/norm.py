"""Normalisation: inference batchnorm and local response normalisation, per channel."""

from __future__ import annotations

import numpy as np

from .common import float_dtype


def _per_channel(p: np.ndarray, ndim: int) -> np.ndarray:
    """Reshape a (C,) parameter to broadcast over axis 0 of an ndim-dimensional array."""
    return p.reshape((-1,) + (1,) * (ndim - 1))


def batchnorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, mean: np.ndarray,
              var: np.ndarray, eps: float = 1e-5, out: np.ndarray | None = None) -> np.ndarray:
    """Inference-mode batch norm per channel (axis 0; per feature for a vector).

    ``out=x`` normalises in place (the caller must own x).
    """
    dt = float_dtype(x)
    scale = (np.asarray(gamma, dtype=dt) / np.sqrt(np.asarray(var, dtype=dt) + dt.type(eps)))
    shift = np.asarray(beta, dtype=dt) - np.asarray(mean, dtype=dt) * scale
    y = np.multiply(x, _per_channel(scale, x.ndim), out=out)
    y += _per_channel(shift, x.ndim)
    return y


def local_response_norm(x: np.ndarray, size: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                        k: float = 1.0) -> np.ndarray:
    """``torch.nn.LocalResponseNorm`` across channels (axis 0).

    b_c = a_c / (k + alpha/size * sum of a_c'^2 over c' in [c - size//2, c + (size-1)//2])^beta
    (the window is clipped at the ends but the divisor stays ``size``, as in PyTorch).
    """
    if size < 1:
        raise ValueError(f"local_response_norm: size must be >= 1, got {size}")
    dt = float_dtype(x)
    xf = x.astype(dt, copy=False)
    sq = xf * xf
    acc = np.zeros_like(sq)
    n = x.shape[0]
    for off in range(-(size // 2), (size - 1) // 2 + 1):
        lo, hi = max(0, -off), min(n, n - off)  # destination channels c with c+off valid
        if lo < hi:
            acc[lo:hi] += sq[lo + off : hi + off]
    acc *= dt.type(alpha / size)
    acc += dt.type(k)
    return xf / np.power(acc, dt.type(beta))
