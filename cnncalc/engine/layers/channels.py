"""Layers that rearrange or scale channels: layer scale, channel shuffle, slice, pixel
shuffle and unshuffle (SPEC §7). None of them has MACs; only layerscale has parameters."""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError
from ..options import Option
from ..shapes import Shape, channels, numel, spatial_rank, with_spatial
from ..text import format_number
from .base import Counts, Layer, Step, register, spatial


def _divisors(number: int, limit: int = 64) -> str:
    """Up to four divisors to suggest: the largest of those from 2 to 64."""
    found = [d for d in range(2, min(number, limit) + 1) if number % d == 0]
    return ", ".join(map(str, found[-4:])) or "1"


def _power(factor: int, rank: int) -> str:
    """r² written with the numbers: 'r² = 4' (r³ for 3-D maps)."""
    sign = {1: "", 2: "²", 3: "³"}.get(rank, f"^{rank}")
    return f"r{sign} = {factor ** rank}"


@register
class LayerScale(Layer):
    """A learnable per-channel scale (CaiT, ConvNeXt's γ): C parameters, an elementwise
    multiply, which like every non-conv/dense operation counts no MACs."""

    type = "layerscale"
    takes_activation = True
    OPTIONS = {"init": Option("number", 1e-6)}  # the scale's start value: shape-irrelevant

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(extra_params=channels(shape), connections=numel(out))


@register
class ChannelShuffle(Layer):
    """ShuffleNet: view C as groups × C/groups, transpose, flatten back."""

    type = "channelshuffle"
    aliases = ("channel_shuffle",)
    OPTIONS = {"groups": Option("int1", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        _, width = spatial(shape, self)
        if width % self.groups:
            raise ShapeError(f"channelshuffle groups={self.groups} does not divide the "
                             f"{width} channels; choose groups dividing {width} (e.g. "
                             f"{_divisors(width)})")
        return shape

    def describe(self) -> str:
        return f"channelshuffle {self.groups} groups"


@register
class Slice(Layer):
    """Channels [start, stop) of a map, 0-based, stop exclusive (Python's slice)."""

    type = "slice"
    OPTIONS = {"channels": Option("channel_range", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        sizes, width = spatial(shape, self)
        start, stop = self.channels
        if not start < stop <= width:
            if stop > width:
                fix = f"stop must be ≤ {width}"
            else:
                fix = "start must be below stop"
            raise ShapeError(f"slice channels [{start}, {stop}) is out of range for an input "
                             f"of {width} channels (0-based, stop exclusive): {fix}")
        return with_spatial(sizes, stop - start)

    def describe(self) -> str:
        start, stop = self.channels
        return f"slice channels {start}:{stop}"


@register
class PixelShuffle(Layer):
    """Depth to space (PyTorch's order, ONNX mode CRD): C·r² × H × W → C × Hr × Wr."""

    type = "pixelshuffle"
    aliases = ("depthtospace", "pixel_shuffle")
    OPTIONS = {"factor": Option("int1", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        sizes, width = spatial(shape, self)
        block = self.factor ** len(sizes)
        if width % block:
            below = width // block * block
            raise ShapeError(f"pixelshuffle factor {self.factor} needs channels divisible by "
                             f"{_power(self.factor, len(sizes))}, but there are {width} "
                             f"({width} / {block} = {format_number(Fraction(width, block))}); use "
                             f"{below or block} or {below + block} channels, or another factor")
        return with_spatial(tuple(size * self.factor for size in sizes), width // block)

    def rf_steps(self, shape: Shape) -> list[Step]:
        return [tuple((1, Fraction(1, self.factor), 0) for _ in range(spatial_rank(shape)))]

    def describe(self) -> str:
        return f"pixelshuffle ×{self.factor}"


@register
class PixelUnshuffle(Layer):
    """Space to depth: C × Hr × Wr → C·r² × H × W, each r×r block becoming channels."""

    type = "pixelunshuffle"
    aliases = ("spacetodepth", "pixel_unshuffle")
    OPTIONS = {"factor": Option("int1", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        sizes, width = spatial(shape, self)
        for size in sizes:
            if size % self.factor:
                below = size - size % self.factor
                raise ShapeError(f"pixelunshuffle factor {self.factor} needs every spatial "
                                 f"size divisible by {self.factor}, but {size} is not "
                                 f"({size} mod {self.factor} = {size % self.factor}); use "
                                 f"{below or self.factor} or {below + self.factor}, or a "
                                 "factor dividing the input")
        return with_spatial(tuple(size // self.factor for size in sizes),
                            width * self.factor ** len(sizes))

    def rf_steps(self, shape: Shape) -> list[Step]:
        return [tuple((self.factor, Fraction(self.factor), 0)
                      for _ in range(spatial_rank(shape)))]

    def describe(self) -> str:
        return f"pixelunshuffle ÷{self.factor}"
