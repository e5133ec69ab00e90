"""Normalisation layers (SPEC §2)."""

from __future__ import annotations

from ..options import Option
from ..shapes import Shape, channels, numel
from .base import Counts, Layer, register, spatial


@register
class BatchNorm(Layer):
    type = "batchnorm"
    aliases = ("bn", "batchnorm2d", "batchnorm1d", "batchnorm3d")
    in_place = True  # the referee normalises an array it owns in place

    def counts(self, shape: Shape, out: Shape) -> Counts:
        width = channels(shape)  # γ, β learned; running mean and variance kept as buffers
        return Counts(extra_params=2 * width, buffers=2 * width, connections=numel(out))


@register
class LRN(Layer):
    type = "lrn"
    aliases = ("localresponsenorm",)
    OPTIONS = {"size": Option("int1", 5)}

    def output_shape(self, shape: Shape) -> Shape:
        spatial(shape, self)
        return shape

    def describe(self) -> str:
        return f"lrn size {self.size}"
