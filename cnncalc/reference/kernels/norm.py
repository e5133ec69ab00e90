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


def _normalise(x: np.ndarray, axes: tuple[int, ...], eps: float) -> np.ndarray:
    dt = float_dtype(x)
    xf = x.astype(dt, copy=False)
    mean = xf.mean(axis=axes, keepdims=True)
    var = xf.var(axis=axes, keepdims=True)
    return (xf - mean) / np.sqrt(var + dt.type(eps))


def _affine(y: np.ndarray, gamma: np.ndarray | None, beta: np.ndarray | None) -> np.ndarray:
    if gamma is not None:
        y = y * _per_channel(np.asarray(gamma, dtype=y.dtype), y.ndim)
    if beta is not None:
        y = y + _per_channel(np.asarray(beta, dtype=y.dtype), y.ndim)
    return y


def layer_norm_channels(x: np.ndarray, gamma: np.ndarray | None = None,
                        beta: np.ndarray | None = None, eps: float = 1e-6) -> np.ndarray:
    """Normalise over the channels (axis 0) at each position, as ConvNeXt's LayerNorm2d
    (``F.layer_norm`` over C of the channels-last tensor); a vector over its features."""
    return _affine(_normalise(x, (0,), eps), gamma, beta)


def group_norm(x: np.ndarray, groups: int, gamma: np.ndarray | None = None,
               beta: np.ndarray | None = None, eps: float = 1e-5) -> np.ndarray:
    """``nn.GroupNorm``: statistics over each group of C/groups channels and all positions."""
    channels = x.shape[0]
    if groups < 1 or channels % groups:
        raise ValueError(f"group_norm: {groups} groups do not divide {channels} channels")
    grouped = x.reshape(groups, channels // groups, *x.shape[1:])
    y = _normalise(grouped, tuple(range(1, grouped.ndim)), eps).reshape(x.shape)
    return _affine(y, gamma, beta)


def instance_norm(x: np.ndarray, gamma: np.ndarray | None = None,
                  beta: np.ndarray | None = None, eps: float = 1e-5) -> np.ndarray:
    """``nn.InstanceNorm2d`` (statistics of this sample, per channel, over its positions)."""
    if x.ndim < 2:
        raise ValueError(f"instance_norm needs a (C, H, W) map, got shape {x.shape}")
    return _affine(_normalise(x, tuple(range(1, x.ndim)), eps), gamma, beta)
