"""The layer registry: every single-layer type, declared once in its family's module.

Importing this package registers them all; `REGISTRY` (also `CATALOG`) maps canonical type
names to classes, `ALIASES` maps the other accepted names, and the lists other parts of the
program need are derived from the classes' flags here, never kept by hand elsewhere.
"""

from __future__ import annotations

# ruff: noqa: I001  (the import order is the catalogue's order: messages list types in it)
from .base import ALIASES, REGISTRY, Counts, Layer, Step, Windowed, register, spatial
from .conv import Conv, ConvTranspose
from .pool import (
    AdaptiveAvgPool,
    AdaptiveMaxPool,
    AdaptivePool,
    AvgPool,
    GlobalAvgPool,
    GlobalMaxPool,
    GlobalPool,
    LPPool,
    MaxPool,
    Pool,
)
from .linear import Dense, Flatten
from .norm import LRN, BatchNorm, GroupNorm, InstanceNorm, LayerNorm
from .elementwise import ACTIVATION_TYPES, Activation, DropPath, Dropout, PReLU
from .resample import Crop, Upsample, ZeroPad
from .channels import ChannelShuffle, LayerScale, PixelShuffle, PixelUnshuffle, Slice

CATALOG = REGISTRY
ACTIVATIONS = tuple(name for name, cls in REGISTRY.items() if cls.is_activation)
WITH_ACTIVATION = tuple(name for name, cls in REGISTRY.items() if cls.takes_activation)


def canonical_type(name: str) -> str | None:
    """'Conv2D' → 'conv'; None when the name is not a single-layer type."""
    key = name.lower()
    return key if key in REGISTRY else ALIASES.get(key)


__all__ = [
    "ACTIVATIONS", "ACTIVATION_TYPES", "ALIASES", "CATALOG", "LRN", "REGISTRY",
    "WITH_ACTIVATION", "Activation", "AdaptiveAvgPool", "AdaptiveMaxPool", "AdaptivePool",
    "AvgPool", "BatchNorm", "Conv", "ConvTranspose", "Counts", "Crop", "Dense", "Dropout",
    "Flatten", "GlobalAvgPool", "GlobalMaxPool", "GlobalPool", "Layer", "MaxPool", "Pool",
    "Step", "Upsample", "Windowed", "ZeroPad", "canonical_type", "register", "spatial",
    "ChannelShuffle", "DropPath", "GroupNorm", "InstanceNorm", "LayerNorm", "LayerScale",
    "LPPool", "PReLU", "PixelShuffle", "PixelUnshuffle", "Slice",
]
