"""Resampling and geometry: upsample, zero padding, crop (SPEC §2)."""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError, SpecError
from ..options import Option
from ..shapes import Shape, axis_names, spatial_sizes
from .base import Layer, Step, pair_text, register, spatial


@register
class Upsample(Layer):
    type = "upsample"
    OPTIONS = {"scale": Option("pair1"), "size": Option("pair1"),
               "mode": Option("choice", "nearest", choices=("nearest", "bilinear"))}

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        if (self.scale is None) == (self.size is None):
            raise SpecError("upsample needs exactly one of 'scale' or 'size'")
        if self.size is not None:
            return (*self.size, channels)
        return (*(size * scale for size, scale in zip(sizes, self.scale, strict=True)),
                channels)

    def rf_steps(self, shape: Shape) -> list[Step]:
        out = spatial_sizes(self.output_shape(shape))
        return [tuple((1, Fraction(size, new), 0)
                      for size, new in zip(spatial_sizes(shape), out, strict=True))]

    def describe(self) -> str:
        how = f"×{pair_text(self.scale)}" if self.scale else f"→ {pair_text(self.size)}"
        return f"upsample {how} {self.mode}"

    aims = True

    def toward(self, sizes: tuple[int, ...], target: tuple[int, ...]) -> Layer:
        return Upsample(self.name, self.path, self.where, self.expect, size=tuple(target),
                        mode=self.mode)


@register
class ZeroPad(Layer):
    type = "zeropad"
    aliases = ("pad",)
    OPTIONS = {"padding": Option("sides", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        pad = self.padding
        return (*(size + pad[2 * a] + pad[2 * a + 1] for a, size in enumerate(sizes)),
                channels)

    def rf_steps(self, shape: Shape) -> list[Step]:
        return [tuple((1, Fraction(1), self.padding[2 * a])
                      for a in range(len(spatial_sizes(shape))))]

    def describe(self) -> str:
        return f"zeropad {list(self.padding)}"

    aims = True

    def toward(self, sizes: tuple[int, ...], target: tuple[int, ...]) -> Layer:
        """U-Net's F.pad idiom: each axis' difference d split as ⌊d/2⌋ before, the rest after."""
        padding: list[int] = []
        for size, want in zip(sizes, target, strict=True):
            if want < size:
                raise ShapeError(f"zeropad cannot pad {'×'.join(map(str, sizes))} to the smaller "
                                 f"{'×'.join(map(str, target))}; crop instead (crop: center)")
            padding += [(want - size) // 2, want - size - (want - size) // 2]
        return ZeroPad(self.name, self.path, self.where, self.expect, padding=tuple(padding))


@register
class Crop(Layer):
    type = "crop"
    OPTIONS = {"crop": Option("sides"), "size": Option("pair1")}

    def sides(self, shape: Shape) -> tuple[int, ...]:
        """Rows/columns cut (before, after) per axis; a centred size puts the odd one after."""
        sizes, _ = spatial(shape, self)
        if (self.crop is None) == (self.size is None):
            raise SpecError("crop needs exactly one of 'crop' (sides) or 'size' (centred)")
        if self.crop is not None:
            return self.crop
        if any(want > size for want, size in zip(self.size, sizes, strict=True)):
            raise ShapeError(f"crop size {'×'.join(map(str, self.size))} is larger than the "
                             f"input {'×'.join(map(str, sizes))}")
        sides: list[int] = []
        for want, size in zip(self.size, sizes, strict=True):
            cut = size - want
            sides += (cut // 2, cut - cut // 2)
        return tuple(sides)

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        cut = self.sides(shape)
        out = tuple(size - cut[2 * a] - cut[2 * a + 1] for a, size in enumerate(sizes))
        if min(out) < 1:
            parts = [f"{cut[2 * a]}+{cut[2 * a + 1]} {name}s"
                     for a, name in enumerate(axis_names(shape))]
            cropped = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
            raise ShapeError(f"cropping {cropped} from {'×'.join(map(str, sizes))} leaves "
                             "nothing; crop less")
        return (*out, channels)

    def rf_steps(self, shape: Shape) -> list[Step]:
        cut = self.sides(shape)
        return [tuple((1, Fraction(1), -cut[2 * a]) for a in range(len(spatial_sizes(shape))))]
