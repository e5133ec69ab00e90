"""Elementwise layers: activations, dropout (inference: identity), residual add, concat."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .common import float_dtype


def dropout(x: np.ndarray) -> np.ndarray:
    """Inference-mode dropout: the identity."""
    return x


# ---------------------------------------------------------------------------------------

def identity(x: np.ndarray) -> np.ndarray:
    return x


def relu(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.maximum(x, 0, out=out)


def relu6(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    return np.clip(x, 0, 6, out=out)


def leaky_relu(x: np.ndarray, slope: float = 0.01) -> np.ndarray:
    xf = x.astype(float_dtype(x), copy=False)
    return np.where(xf >= 0, xf, xf * xf.dtype.type(slope))


def elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    # expm1 only of the non-positive part, so large positive inputs cannot overflow.
    xf = x.astype(float_dtype(x), copy=False)
    neg = np.expm1(np.minimum(xf, 0))
    return np.where(xf > 0, xf, neg * xf.dtype.type(alpha))


def gelu(x: np.ndarray) -> np.ndarray:
    """GELU, tanh approximation (``approximate='tanh'`` in PyTorch; within ~1e-3 of erf)."""
    dt = float_dtype(x)
    xf = x.astype(dt, copy=False)
    c = dt.type(np.sqrt(2.0 / np.pi))
    inner = c * (xf + dt.type(0.044715) * xf * xf * xf)
    return dt.type(0.5) * xf * (1 + np.tanh(inner))


def tanh(x: np.ndarray) -> np.ndarray:
    return np.tanh(x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function without overflow: exp is only taken of -|x|."""
    dt = float_dtype(x)
    xf = x.astype(dt, copy=False)
    e = np.exp(-np.abs(xf))
    return np.where(xf >= 0, 1 / (1 + e), e / (1 + e))


def softmax(x: np.ndarray) -> np.ndarray:
    """Softmax over channels (axis 0) of a CHW array, or over a vector; max-shifted."""
    dt = float_dtype(x)
    z = x.astype(dt, copy=False) - np.max(x, axis=0, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=0, keepdims=True)


def silu(x: np.ndarray) -> np.ndarray:
    """x·σ(x) (``nn.SiLU``, Keras' swish)."""
    xf = x.astype(float_dtype(x), copy=False)
    return xf * sigmoid(xf)


def hardsigmoid(x: np.ndarray) -> np.ndarray:
    """``nn.Hardsigmoid``: relu6(x + 3) / 6."""
    xf = x.astype(float_dtype(x), copy=False)
    return np.clip(xf + 3, 0, 6) / 6


def hardswish(x: np.ndarray) -> np.ndarray:
    """``nn.Hardswish``: x · relu6(x + 3) / 6."""
    xf = x.astype(float_dtype(x), copy=False)
    return xf * hardsigmoid(xf)


def softplus(x: np.ndarray) -> np.ndarray:
    """log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so that no exp overflows."""
    xf = x.astype(float_dtype(x), copy=False)
    return np.maximum(xf, 0) + np.log1p(np.exp(-np.abs(xf)))


def mish(x: np.ndarray) -> np.ndarray:
    """``nn.Mish``: x · tanh(softplus(x))."""
    xf = x.astype(float_dtype(x), copy=False)
    return xf * np.tanh(softplus(xf))


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: np.ndarray) -> np.ndarray:
    """``nn.SELU``: scale · elu(x, alpha) with the self-normalising constants."""
    dt = float_dtype(x)
    return elu(x, SELU_ALPHA) * dt.type(SELU_SCALE)


def log_softmax(x: np.ndarray) -> np.ndarray:
    """log softmax over channels (axis 0), as z − log Σ eᶻ with z max-shifted."""
    dt = float_dtype(x)
    z = x.astype(dt, copy=False) - np.max(x, axis=0, keepdims=True)
    return z - np.log(np.sum(np.exp(z), axis=0, keepdims=True))


def prelu(x: np.ndarray, slopes: np.ndarray) -> np.ndarray:
    """``nn.PReLU``: one slope for every channel (shape (1,)) or one per channel (C,)."""
    xf = x.astype(float_dtype(x), copy=False)
    if slopes.size not in (1, x.shape[0]):
        raise ValueError(f"prelu: {slopes.size} slopes for {x.shape[0]} channels")
    shaped = slopes.reshape((-1,) + (1,) * (x.ndim - 1)).astype(xf.dtype)
    return np.where(xf >= 0, xf, xf * shaped)


# ---------------------------------------------------------------------------------------


def add(a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Elementwise sum (residual connection); shapes must agree exactly."""
    if a.shape != b.shape:
        raise ValueError(f"add: shapes {a.shape} and {b.shape} differ")
    return np.add(a, b, out=out)


def concat_channels(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """Concatenate along channels (axis 0); all spatial sizes must agree."""
    if not arrays:
        raise ValueError("concat_channels: nothing to concatenate")
    rest = {a.shape[1:] for a in arrays}
    if len(rest) != 1:
        raise ValueError(f"concat_channels: spatial shapes differ: {sorted(rest)}")
    return np.concatenate(list(arrays), axis=0)
