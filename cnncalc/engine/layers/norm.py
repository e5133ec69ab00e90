"""Normalisation layers (SPEC §2, §7)."""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError
from ..options import Option
from ..shapes import Shape, channels, numel
from ..text import format_number
from .base import Counts, Layer, register, spatial


@register
class BatchNorm(Layer):
    type = "batchnorm"
    aliases = ("bn", "batchnorm2d", "batchnorm1d", "batchnorm3d")
    in_place = True  # the referee normalises an array it owns in place
    takes_activation = True  # SPEC §7: `activation:` on every parametrised layer

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


class _AffineNorm(Layer):
    """A normalisation with an optional per-channel γ and β (2C parameters, MACs 0: the
    golden `macs` counts conv and dense only)."""

    takes_activation = True
    OPTIONS = {"affine": Option("bool", True)}

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(extra_params=2 * channels(shape) if self.affine else 0,
                      connections=numel(out))

    def describe(self) -> str:
        return self.type + ("" if self.affine else " (no affine)")


@register
class LayerNorm(_AffineNorm):
    """Normalises over the channels at each position (ConvNeXt's LayerNorm2d); on a vector,
    over its features (nn.LayerNorm)."""

    type = "layernorm"


@register
class GroupNorm(_AffineNorm):
    type = "groupnorm"
    OPTIONS = {"groups": Option("int1", required=True), "affine": Option("bool", True)}

    def output_shape(self, shape: Shape) -> Shape:
        width = channels(shape)
        if width % self.groups:
            divisors = [d for d in range(1, min(width, 64) + 1) if width % d == 0]
            raise ShapeError(f"groupnorm groups={self.groups} does not divide the {width} "
                             f"channels ({width} / {self.groups} = "
                             f"{format_number(Fraction(width, self.groups))}); choose groups "
                             f"dividing {width}, e.g. {', '.join(map(str, divisors[-4:]))}")
        return shape

    def describe(self) -> str:
        return f"groupnorm {self.groups} groups" + ("" if self.affine else " (no affine)")


@register
class InstanceNorm(_AffineNorm):
    """Per sample and channel over the positions; PyTorch's defaults: no γ/β, no running
    statistics (which, when tracked, are buffers like batchnorm's)."""

    type = "instancenorm"
    OPTIONS = {"affine": Option("bool", False), "track_running_stats": Option("bool", False)}

    def output_shape(self, shape: Shape) -> Shape:
        spatial(shape, self)
        return shape

    def counts(self, shape: Shape, out: Shape) -> Counts:
        counts = super().counts(shape, out)
        counts.buffers = 2 * channels(shape) if self.track_running_stats else 0
        return counts
