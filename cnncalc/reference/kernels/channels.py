"""Channel rearrangements on channels-first arrays (C, *sizes): shuffle, slice, pixel
shuffle and unshuffle, and a per-channel scale. Pure reshapes and transposes: the shape
that falls out is the answer, no size formula is used."""

from __future__ import annotations

import numpy as np

from .common import float_dtype


def channel_shuffle(x: np.ndarray, groups: int) -> np.ndarray:
    """``nn.ChannelShuffle``: view C as (groups, C/groups), swap the two, flatten back."""
    channels = x.shape[0]
    if groups < 1 or channels % groups:
        raise ValueError(f"channel_shuffle: {groups} groups do not divide {channels} channels")
    rest = x.shape[1:]
    grouped = x.reshape(groups, channels // groups, *rest)
    return np.ascontiguousarray(grouped.swapaxes(0, 1)).reshape(channels, *rest)


def slice_channels(x: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Channels [start, stop); unlike Python's slicing, an empty or clipped range is refused."""
    if not 0 <= start < stop <= x.shape[0]:
        raise ValueError(f"slice_channels: [{start}, {stop}) is not inside {x.shape[0]} "
                         "channels")
    return x[start:stop]


def pixel_shuffle(x: np.ndarray, factor: int) -> np.ndarray:
    """``nn.PixelShuffle`` (ONNX DepthToSpace, mode CRD): (C·rⁿ, *sizes) → (C, *sizes·r);
    channel c·rⁿ + Σ offsets lands at offset (i, j) of the r×r block of output channel c."""
    rank = x.ndim - 1
    block = factor ** rank
    if x.shape[0] % block:
        raise ValueError(f"pixel_shuffle: {x.shape[0]} channels are not a multiple of "
                         f"{factor}^{rank}")
    sizes = x.shape[1:]
    split = x.reshape(x.shape[0] // block, *([factor] * rank), *sizes)
    # axes: 0 = C, 1..rank = offsets, rank+1.. = positions → C, pos0, off0, pos1, off1, …
    order = [0] + [axis for a in range(rank) for axis in (rank + 1 + a, 1 + a)]
    return split.transpose(order).reshape(split.shape[0], *(s * factor for s in sizes))


def pixel_unshuffle(x: np.ndarray, factor: int) -> np.ndarray:
    """``nn.PixelUnshuffle`` (ONNX SpaceToDepth as PyTorch orders it): the inverse."""
    rank = x.ndim - 1
    sizes = x.shape[1:]
    if any(size % factor for size in sizes):
        raise ValueError(f"pixel_unshuffle: sizes {sizes} are not multiples of {factor}")
    split = x.reshape(x.shape[0], *(d for size in sizes for d in (size // factor, factor)))
    # axes: 0 = C, then (position, offset) pairs → C, offsets…, positions…
    order = [0] + [2 + 2 * a for a in range(rank)] + [1 + 2 * a for a in range(rank)]
    return split.transpose(order).reshape(x.shape[0] * factor ** rank,
                                          *(size // factor for size in sizes))


def layer_scale(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Multiply channel c by scale[c] (CaiT/ConvNeXt layer scale)."""
    if scale.shape != (x.shape[0],):
        raise ValueError(f"layer_scale: {scale.shape} scales for {x.shape[0]} channels")
    xf = x.astype(float_dtype(x), copy=False)
    return xf * scale.reshape((-1,) + (1,) * (x.ndim - 1)).astype(xf.dtype)
