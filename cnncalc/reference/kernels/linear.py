"""Flatten and dense (torch.nn.Linear) for one example."""

from __future__ import annotations

import numpy as np

from .common import float_dtype


def flatten(x: np.ndarray) -> np.ndarray:
    """C-order flatten of the CHW array, like ``torch.flatten(x, 1)`` for batch 1."""
    return np.ascontiguousarray(x).reshape(-1)


def dense(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None = None) -> np.ndarray:
    """``torch.nn.Linear``: weight ``(units, in)``; a non-vector input is flattened first."""
    v = flatten(x) if x.ndim != 1 else x
    if weight.ndim != 2 or weight.shape[1] != v.shape[0]:
        raise ValueError(f"dense: weight {weight.shape} does not take {v.shape[0]} inputs")
    dt = float_dtype(v, weight, bias)
    y = weight.astype(dt, copy=False) @ v.astype(dt, copy=False)
    if bias is not None:
        y += bias.astype(dt, copy=False)
    return y


# ---------------------------------------------------------------------------------------
