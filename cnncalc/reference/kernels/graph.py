"""Kernels of the graph entries (SPEC §7): products that broadcast and channel splits.

Channels-first arrays, as every kernel here. NumPy's own broadcasting decides what a product
of a map and a gate is; the split cuts at the channel offsets the spec gives (or in equal
parts), and refuses what does not divide, whatever the engine thinks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def multiply(arrays: Sequence[np.ndarray]) -> np.ndarray:
    """The elementwise product of channels-first arrays, broadcast as NumPy does."""
    result = arrays[0]
    for array in arrays[1:]:
        if array.ndim != result.ndim:
            raise ValueError(f"multiply: ranks differ: {result.shape} and {array.shape}")
        result = np.multiply(result, array)
    return result


def split_channels(x: np.ndarray, parts: int, sizes: Sequence[int] | None) -> list[np.ndarray]:
    """Consecutive channel parts of x: the given sizes, or `parts` equal ones."""
    if sizes is None:
        if x.shape[0] % parts:
            raise ValueError(f"split: {x.shape[0]} channels do not divide into {parts} parts")
        return list(np.split(x, parts))
    if sum(sizes) != x.shape[0]:
        raise ValueError(f"split: sizes {list(sizes)} do not add up to {x.shape[0]} channels")
    return list(np.split(x, np.cumsum(sizes)[:-1]))
