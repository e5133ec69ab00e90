"""Pooling: max and average windows, global and adaptive pools (SPEC §2)."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from ...errors import ShapeError
from ..options import Option
from ..shapes import (
    Shape,
    adaptive_cells,
    adaptive_widest,
    effective_kernel,
    numel,
    pool_out,
    spatial_sizes,
)
from .base import (
    Counts,
    Layer,
    Step,
    Windowed,
    pair_text,
    register,
    spatial,
    whole_map,
    window_text,
)


class Pool(Windowed):
    """A max or average window; padding at most half the kernel, as PyTorch allows."""

    OPTIONS = {
        "kernel": Option("pair1", required=True), "stride": Option("pair1"),
        "padding": Option("padding", (0, 0, 0, 0)), "ceil_mode": Option("bool", False),
    }

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__(name, **options)
        if self.stride is None:
            self.stride = self.kernel  # PyTorch's default: windows that do not overlap

    @property
    def fit_exempt(self) -> bool:
        return self.ceil_mode or self.padding == "same"

    def max_padding(self) -> int | None:
        return min(self.kernel) // 2

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        padding = self.padding_for(shape)
        if self.padding != "same":
            for side, value in enumerate(padding):
                kernel = self.kernel[side // 2]
                if value * 2 > kernel:
                    raise ShapeError(f"padding {value} is more than half the kernel {kernel} "
                                     f"(PyTorch's limit for pooling); use padding ≤ "
                                     f"{kernel // 2}")
        dilation = self.dilation  # bound for this rank: 1 per axis where not an option
        if not self.ceil_mode:  # a ceil-mode window may overhang (SPEC §7): see below
            self.check_kernel(shape, self.kernel, padding, dilation)
        out = tuple(pool_out(size, self.kernel[a], self.stride[a], padding[2 * a],
                             padding[2 * a + 1], self.ceil_mode, dilation[a])
                    for a, size in enumerate(sizes))
        if min(out) < 1:
            a = out.index(min(out))
            span = effective_kernel(self.kernel[a], dilation[a])
            room = sizes[a] + padding[2 * a] + padding[2 * a + 1]
            raise ShapeError(f"no {self.type} window fits: ⌈({room} − {span})/{self.stride[a]}⌉"
                             f" + 1 = {out[a]} (padded input {room}, kernel {span}); even in "
                             f"ceil mode a window may overhang by at most stride − 1 = "
                             f"{self.stride[a] - 1}; use a smaller kernel or a larger input")
        return (*out, channels)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(out) * numel(self.kernel))

    def describe(self) -> str:
        text = f"{self.label} {window_text(self.kernel, self.stride, self.padding)}"
        if "dilation" in self.OPTIONS and any(d != 1 for d in self.dilation):
            text += f" d{pair_text(self.dilation)}"
        return text + (" ceil" if self.ceil_mode else "")


@register
class MaxPool(Pool):
    type = "maxpool"
    aliases = ("maxpool2d", "max_pool", "maxpool1d", "maxpool3d")
    OPTIONS = {**Pool.OPTIONS, "dilation": Option("pair1", (1, 1))}  # SPEC §7


@register
class AvgPool(Pool):
    type = "avgpool"
    aliases = ("avgpool2d", "avg_pool", "avgpool1d", "avgpool3d")


@register
class LPPool(Pool):
    """Power-average pooling, (Σ x^p)^(1/p) over each window (PyTorch's LPPool2d): no
    padding option, otherwise shaped as avgpool."""

    type = "lppool"
    aliases = ("lp_pool",)
    OPTIONS = {"p": Option("number", required=True), "kernel": Option("pair1", required=True),
               "stride": Option("pair1"), "ceil_mode": Option("bool", False)}

    @property
    def padding(self) -> tuple[int, ...]:
        return (0,) * 2 * len(self.kernel)

    def output_shape(self, shape: Shape) -> Shape:
        if self.p <= 0:
            raise ShapeError(f"lppool p={self.p:g} must be positive (p = 1 sums each window, "
                             "p = 2 takes its Euclidean norm)")
        return super().output_shape(shape)

    def describe(self) -> str:
        return f"lppool p{self.p:g} " + super().describe().split(" ", 1)[1]


class GlobalPool(Layer):
    """One value per channel over the whole map."""

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        return (*(1 for _ in sizes), channels)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(shape))

    def rf_steps(self, shape: Shape) -> list[Step]:
        return whole_map(shape)


@register
class GlobalAvgPool(GlobalPool):
    type = "globalavgpool"
    aliases = ("gap", "global_avg_pool")


@register
class GlobalMaxPool(GlobalPool):
    type = "globalmaxpool"
    aliases = ("global_max_pool",)


class AdaptivePool(Layer):
    """PyTorch's adaptive pooling: bins [⌊i·H/o⌋, ⌈(i+1)·H/o⌉) per axis."""

    OPTIONS = {"output": Option("pair1", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        _, channels = spatial(shape, self)
        return (*self.output, channels)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        # Adaptive bins differ in size when H is not a multiple of the output: sum them.
        window_cells = 1  # closed form: an output of 10^9 bins costs nothing to count
        for size, bins in zip(spatial_sizes(shape), self.output, strict=True):
            window_cells *= adaptive_cells(size, bins)
        return Counts(connections=window_cells * shape[-1])

    def rf_steps(self, shape: Shape) -> list[Step]:
        steps = []
        for size, out in zip(spatial_sizes(shape), self.output, strict=True):
            widest = adaptive_widest(size, out)
            steps.append((widest, Fraction(size, out), 0))
        return [tuple(steps)]

    def describe(self) -> str:
        return f"{self.label} → {'×'.join(map(str, self.output))}"


@register
class AdaptiveAvgPool(AdaptivePool):
    type = "adaptiveavgpool"
    aliases = ("adaptive_avg_pool", "adaptiveavgpool1d", "adaptiveavgpool2d",
               "adaptiveavgpool3d")


@register
class AdaptiveMaxPool(AdaptivePool):
    type = "adaptivemaxpool"
    aliases = ("adaptive_max_pool", "adaptivemaxpool1d", "adaptivemaxpool2d",
               "adaptivemaxpool3d")
