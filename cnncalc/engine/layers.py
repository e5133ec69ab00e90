"""The layer catalog: one small class per type. Shape arithmetic is delegated to shapes.py."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any, ClassVar

from ..errors import ShapeError, SpecError
from .fit import AxisFit
from .options import Option
from .shapes import (
    Shape,
    adaptive_bins,
    conv_out,
    effective_kernel,
    is_spatial,
    numel,
    pool_out,
    same_padding,
    shape_str,
    transpose_out,
    window_span,
)

# One receptive-field step per axis: (kernel span, stride, padding before). Upsampling
# layers use a fractional stride, which divides the jump instead of multiplying it.
Step = tuple[int, Fraction, int]


@dataclass
class Counts:
    """What one layer contributes. Exact integers; params = weights + biases + extra."""

    weights: int = 0
    biases: int = 0
    extra_params: int = 0  # batchnorm's γ and β
    buffers: int = 0  # batchnorm's running mean and variance
    connections: int = 0
    macs: int = 0

    @property
    def params(self) -> int:
        return self.weights + self.biases + self.extra_params


def spatial(shape: Shape, layer: Layer) -> tuple[int, int, int]:
    if not is_spatial(shape):
        raise ShapeError(f"{layer.type} needs an H×W×C input, got a vector of {shape[0]}; "
                         "move it before the flatten/dense layers")
    return shape  # type: ignore[return-value]


class Layer:
    """A layer type: its options, output shape, counts and receptive-field geometry."""

    type: ClassVar[str] = ""
    aliases: ClassVar[tuple[str, ...]] = ()
    OPTIONS: ClassVar[dict[str, Option]] = {}
    fit_exempt: ClassVar[bool] = False  # ceil_mode / 'same': the user chose the rounding

    def __init__(self, name: str, **options: Any) -> None:
        self.name = name
        for key, option in self.OPTIONS.items():
            setattr(self, key, options.get(key, option.default))
        self.where: dict[str, Any] = {}  # file/line/column/layer_index, set by the loader

    def __repr__(self) -> str:
        shown = ", ".join(f"{k}={getattr(self, k)!r}" for k in self.OPTIONS)
        return f"{type(self).__name__}({self.name!r}{', ' if shown else ''}{shown})"

    def output_shape(self, shape: Shape) -> Shape:
        return shape

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(out))

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        return []

    def axis_fits(self, shape: Shape) -> list[AxisFit]:
        return []

    def notes(self, shape: Shape) -> list[str]:
        return []

    def describe(self) -> str:
        return self.type

    def check_kernel(self, shape: Shape, kernel, padding, dilation=(1, 1)) -> None:
        height, width, _ = spatial(shape, self)
        for axis, size, k, before, after, d in (("height", height, kernel[0], padding[0],
                                                 padding[1], dilation[0]),
                                                ("width", width, kernel[1], padding[2],
                                                 padding[3], dilation[1])):
            if window_span(size, k, before, after, d) < 0:
                raise ShapeError(
                    f"kernel {effective_kernel(k, d)} is larger than the padded input {axis} "
                    f"{size} + {before} + {after} = {size + before + after}; use a smaller "
                    "kernel, more padding or a larger input")


def _pair_text(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _window_text(kernel, stride, padding) -> str:
    text = f"{kernel[0]}×{kernel[1]}"
    if stride != (1, 1):
        text += f"/{_pair_text(stride)}"
    if padding == "same":
        text += " same"
    elif any(padding):
        top, bottom, left, right = padding
        text += f" p{top}" if len({top, bottom, left, right}) == 1 else f" p{list(padding)}"
    return text


class _Windowed(Layer):
    """Shared by conv and pooling: a window of kernel × kernel sliding with a stride."""

    def padding_for(self, shape: Shape) -> tuple[int, int, int, int]:
        if self.padding != "same":
            return self.padding
        height, width, _ = spatial(shape, self)
        top, bottom = same_padding(height, self.kernel[0], self.stride[0], self.dilation[0])
        left, right = same_padding(width, self.kernel[1], self.stride[1], self.dilation[1])
        return (top, bottom, left, right)

    dilation = (1, 1)

    def axis_fits(self, shape: Shape) -> list[AxisFit]:
        height, width, _ = spatial(shape, self)
        top, bottom, left, right = self.padding_for(shape)
        return [AxisFit("row", height, self.kernel[0], self.stride[0], top, bottom,
                        self.dilation[0]),
                AxisFit("column", width, self.kernel[1], self.stride[1], left, right,
                        self.dilation[1])]

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        top, _, left, _ = self.padding_for(shape)
        return [((effective_kernel(self.kernel[0], self.dilation[0]), Fraction(self.stride[0]),
                  top),
                 (effective_kernel(self.kernel[1], self.dilation[1]), Fraction(self.stride[1]),
                  left))]


class Conv(_Windowed):
    type = "conv"
    aliases = ("conv2d",)
    OPTIONS = {
        "filters": Option("int1"), "kernel": Option("pair1", required=True),
        "stride": Option("pair1", (1, 1)), "padding": Option("padding", (0, 0, 0, 0)),
        "dilation": Option("pair1", (1, 1)), "groups": Option("int1", 1),
        "depthwise": Option("bool", False), "bias": Option("bool", True),
    }

    @property
    def fit_exempt(self) -> bool:  # type: ignore[override]
        return self.padding == "same"

    def resolve(self, shape: Shape) -> tuple[int, int]:
        """(groups, filters) for this input; depthwise sets G = C."""
        channels = spatial(shape, self)[2]
        if self.depthwise:
            filters = self.filters if self.filters is not None else channels
            if filters % channels:
                raise ShapeError(f"depthwise filters={filters} must be a multiple of the "
                                 f"{channels} input channels")
            return channels, filters
        if self.filters is None:
            raise SpecError("conv needs 'filters' (the number of output channels K)")
        if channels % self.groups or self.filters % self.groups:
            raise ShapeError(f"groups={self.groups} does not divide {channels} input channels "
                             f"and {self.filters} filters; choose groups dividing both")
        return self.groups, self.filters

    def output_shape(self, shape: Shape) -> Shape:
        height, width, _ = spatial(shape, self)
        _, filters = self.resolve(shape)
        top, bottom, left, right = padding = self.padding_for(shape)
        self.check_kernel(shape, self.kernel, padding, self.dilation)
        return (conv_out(height, self.kernel[0], self.stride[0], top, bottom, self.dilation[0]),
                conv_out(width, self.kernel[1], self.stride[1], left, right, self.dilation[1]),
                filters)

    def inputs_per_neuron(self, shape: Shape) -> int:
        groups, _ = self.resolve(shape)
        return self.kernel[0] * self.kernel[1] * shape[2] // groups

    def counts(self, shape: Shape, out: Shape) -> Counts:
        _, filters = self.resolve(shape)
        per_neuron = self.inputs_per_neuron(shape)
        neurons = numel(out)
        return Counts(weights=per_neuron * filters, biases=filters if self.bias else 0,
                      connections=neurons * (per_neuron + (1 if self.bias else 0)),
                      macs=neurons * per_neuron)

    def describe(self) -> str:
        text = f"conv {_window_text(self.kernel, self.stride, self.padding)}"
        if self.dilation != (1, 1):
            text += f" d{_pair_text(self.dilation)}"
        if self.depthwise:
            text += " depthwise"
        elif self.groups > 1:
            text += f" g{self.groups}"
        return text + (f", {self.filters}" if self.filters is not None else "")


class ConvTranspose(Layer):
    type = "convtranspose"
    aliases = ("deconv", "conv_transpose")
    OPTIONS = {
        "filters": Option("int1", required=True), "kernel": Option("pair1", required=True),
        "stride": Option("pair1", (1, 1)), "padding": Option("pair0", (0, 0)),
        "output_padding": Option("pair0", (0, 0)), "dilation": Option("pair1", (1, 1)),
        "groups": Option("int1", 1), "bias": Option("bool", True),
    }

    def output_shape(self, shape: Shape) -> Shape:
        height, width, channels = spatial(shape, self)
        if channels % self.groups or self.filters % self.groups:
            raise ShapeError(f"groups={self.groups} does not divide {channels} input channels "
                             f"and {self.filters} filters; choose groups dividing both")
        for axis in (0, 1):
            if self.output_padding[axis] >= max(self.stride[axis], self.dilation[axis]):
                raise ShapeError(f"output_padding={self.output_padding[axis]} must be smaller "
                                 f"than max(stride={self.stride[axis]}, "
                                 f"dilation={self.dilation[axis]})")
        out = tuple(transpose_out(size, self.kernel[a], self.stride[a], self.padding[a],
                                  self.output_padding[a], self.dilation[a])
                    for a, size in ((0, height), (1, width)))
        if min(out) < 1:
            axis = 0 if out[0] < 1 else 1
            unpadded = out[axis] + 2 * self.padding[axis]
            raise ShapeError(
                f"output size {shape_str(out)} is below 1: (H−1)·S − 2P + D(F−1) + "
                f"output_padding + 1 = {unpadded} − 2·{self.padding[axis]} = {out[axis]}; "
                f"use padding ≤ {max((unpadded - 1) // 2, 0)}")
        return (out[0], out[1], self.filters)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        per_input = self.kernel[0] * self.kernel[1] * self.filters // self.groups
        macs = numel(shape) * per_input
        return Counts(weights=shape[2] * per_input, biases=self.filters if self.bias else 0,
                      connections=macs + (numel(out) if self.bias else 0), macs=macs)

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        # A transposed conv is a zero-insertion upsampling by S followed by a stride-1 conv
        # whose padding is D(F−1) − P: two steps for the receptive-field recurrence.
        spans = [effective_kernel(self.kernel[a], self.dilation[a]) for a in (0, 1)]
        upsample = tuple((1, Fraction(1, self.stride[a]), 0) for a in (0, 1))
        conv = tuple((spans[a], Fraction(1), spans[a] - 1 - self.padding[a]) for a in (0, 1))
        return [upsample, conv]  # type: ignore[list-item]

    def describe(self) -> str:
        return (f"convtranspose {self.kernel[0]}×{self.kernel[1]}/{_pair_text(self.stride)}"
                f", {self.filters}")


class _Pool(_Windowed):
    OPTIONS = {
        "kernel": Option("pair1", required=True), "stride": Option("pair1"),
        "padding": Option("padding", (0, 0, 0, 0)), "ceil_mode": Option("bool", False),
    }

    def __init__(self, name: str, **options: Any) -> None:
        super().__init__(name, **options)
        if self.stride is None:
            self.stride = self.kernel

    @property
    def fit_exempt(self) -> bool:  # type: ignore[override]
        return self.ceil_mode or self.padding == "same"

    def output_shape(self, shape: Shape) -> Shape:
        height, width, channels = spatial(shape, self)
        top, bottom, left, right = padding = self.padding_for(shape)
        if self.padding != "same":
            for side, k in ((top, 0), (bottom, 0), (left, 1), (right, 1)):
                if side * 2 > self.kernel[k]:
                    raise ShapeError(f"padding {side} is more than half the kernel "
                                     f"{self.kernel[k]} (PyTorch's limit for pooling); use "
                                     f"padding ≤ {self.kernel[k] // 2}")
        self.check_kernel(shape, self.kernel, padding)
        return (pool_out(height, self.kernel[0], self.stride[0], top, bottom, self.ceil_mode),
                pool_out(width, self.kernel[1], self.stride[1], left, right, self.ceil_mode),
                channels)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(out) * self.kernel[0] * self.kernel[1])

    def describe(self) -> str:
        text = f"{self.type} {_window_text(self.kernel, self.stride, self.padding)}"
        return text + (" ceil" if self.ceil_mode else "")


class MaxPool(_Pool):
    type = "maxpool"
    aliases = ("maxpool2d", "max_pool")


class AvgPool(_Pool):
    type = "avgpool"
    aliases = ("avgpool2d", "avg_pool")


class _GlobalPool(Layer):
    def output_shape(self, shape: Shape) -> Shape:
        return (1, 1, spatial(shape, self)[2])

    def counts(self, shape: Shape, out: Shape) -> Counts:
        return Counts(connections=numel(shape))

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        return [((shape[0], Fraction(1), 0), (shape[1], Fraction(1), 0))]


class GlobalAvgPool(_GlobalPool):
    type = "globalavgpool"
    aliases = ("gap", "global_avg_pool")


class GlobalMaxPool(_GlobalPool):
    type = "globalmaxpool"
    aliases = ("global_max_pool",)


class _AdaptivePool(Layer):
    OPTIONS = {"output": Option("pair1", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        channels = spatial(shape, self)[2]
        return (self.output[0], self.output[1], channels)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        # Adaptive bins differ in size when H is not a multiple of the output: sum them.
        rows = sum(end - start for start, end in adaptive_bins(shape[0], self.output[0]))
        cols = sum(end - start for start, end in adaptive_bins(shape[1], self.output[1]))
        return Counts(connections=rows * cols * shape[2])

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        steps = []
        for size, out in ((shape[0], self.output[0]), (shape[1], self.output[1])):
            widest = max(end - start for start, end in adaptive_bins(size, out))
            steps.append((widest, Fraction(size, out), 0))
        return [tuple(steps)]  # type: ignore[list-item]

    def describe(self) -> str:
        return f"{self.type} → {self.output[0]}×{self.output[1]}"


class AdaptiveAvgPool(_AdaptivePool):
    type = "adaptiveavgpool"
    aliases = ("adaptive_avg_pool",)


class AdaptiveMaxPool(_AdaptivePool):
    type = "adaptivemaxpool"
    aliases = ("adaptive_max_pool",)


def _whole_map(shape: Shape) -> list[tuple[Step, Step]]:
    if not is_spatial(shape):
        return []
    return [((shape[0], Fraction(1), 0), (shape[1], Fraction(1), 0))]


class Flatten(Layer):
    type = "flatten"

    def output_shape(self, shape: Shape) -> Shape:
        return (numel(shape),)

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        return _whole_map(shape)


class Dense(Layer):
    type = "dense"
    aliases = ("fc", "linear")
    OPTIONS = {"units": Option("int1", required=True), "bias": Option("bool", True)}

    def output_shape(self, shape: Shape) -> Shape:
        return (self.units,)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        inputs = numel(shape)
        return Counts(weights=inputs * self.units, biases=self.units if self.bias else 0,
                      connections=self.units * (inputs + (1 if self.bias else 0)),
                      macs=inputs * self.units)

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        return _whole_map(shape)

    def notes(self, shape: Shape) -> list[str]:
        if is_spatial(shape):
            return [f"flattens {shape_str(shape, times='×')} → {numel(shape)}"]
        return []

    def describe(self) -> str:
        return f"dense {self.units}"


class BatchNorm(Layer):
    type = "batchnorm"
    aliases = ("bn", "batchnorm2d")

    def counts(self, shape: Shape, out: Shape) -> Counts:
        channels = shape[-1]
        return Counts(extra_params=2 * channels, buffers=2 * channels, connections=numel(out))


class LRN(Layer):
    type = "lrn"
    aliases = ("localresponsenorm",)
    OPTIONS = {"size": Option("int1", 5)}

    def output_shape(self, shape: Shape) -> Shape:
        spatial(shape, self)
        return shape

    def describe(self) -> str:
        return f"lrn size {self.size}"


class Dropout(Layer):
    type = "dropout"
    OPTIONS = {"rate": Option("rate", 0.5)}

    def describe(self) -> str:
        return f"dropout {self.rate:g}"


class _Activation(Layer):
    pass


def _activation(type_name: str, *aliases: str, **options: Option) -> type[_Activation]:
    return type(type_name.capitalize(), (_Activation,),
                {"type": type_name, "aliases": aliases, "OPTIONS": options})


ACTIVATION_TYPES = [
    _activation("relu"), _activation("relu6"),
    _activation("leakyrelu", "leaky_relu", slope=Option("number", 0.01)),
    _activation("elu"), _activation("gelu"), _activation("tanh"), _activation("sigmoid"),
    _activation("softmax"), _activation("identity"),
]


class Upsample(Layer):
    type = "upsample"
    OPTIONS = {"scale": Option("pair1"), "size": Option("pair1"),
               "mode": Option("choice", "nearest", choices=("nearest", "bilinear"))}

    def output_shape(self, shape: Shape) -> Shape:
        height, width, channels = spatial(shape, self)
        if (self.scale is None) == (self.size is None):
            raise SpecError("upsample needs exactly one of 'scale' or 'size'")
        if self.size is not None:
            return (self.size[0], self.size[1], channels)
        return (height * self.scale[0], width * self.scale[1], channels)

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        out = self.output_shape(shape)
        return [((1, Fraction(shape[0], out[0]), 0), (1, Fraction(shape[1], out[1]), 0))]

    def describe(self) -> str:
        how = f"×{_pair_text(self.scale)}" if self.scale else f"→ {_pair_text(self.size)}"
        return f"upsample {how} {self.mode}"


class ZeroPad(Layer):
    type = "zeropad"
    aliases = ("pad",)
    OPTIONS = {"padding": Option("sides", required=True)}

    def output_shape(self, shape: Shape) -> Shape:
        height, width, channels = spatial(shape, self)
        top, bottom, left, right = self.padding
        return (height + top + bottom, width + left + right, channels)

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        return [((1, Fraction(1), self.padding[0]), (1, Fraction(1), self.padding[2]))]

    def describe(self) -> str:
        return f"zeropad {list(self.padding)}"


class Crop(Layer):
    type = "crop"
    OPTIONS = {"crop": Option("sides"), "size": Option("pair1")}

    def sides(self, shape: Shape) -> tuple[int, int, int, int]:
        height, width, _ = spatial(shape, self)
        if (self.crop is None) == (self.size is None):
            raise SpecError("crop needs exactly one of 'crop' (sides) or 'size' (centred)")
        if self.crop is not None:
            return self.crop
        if self.size[0] > height or self.size[1] > width:
            raise ShapeError(f"crop size {self.size[0]}×{self.size[1]} is larger than the "
                             f"input {height}×{width}")
        rows, cols = height - self.size[0], width - self.size[1]
        return (rows // 2, rows - rows // 2, cols // 2, cols - cols // 2)

    def output_shape(self, shape: Shape) -> Shape:
        height, width, channels = spatial(shape, self)
        top, bottom, left, right = self.sides(shape)
        out = (height - top - bottom, width - left - right, channels)
        if min(out) < 1:
            raise ShapeError(f"cropping {top}+{bottom} rows and {left}+{right} columns from "
                             f"{height}×{width} leaves nothing; crop less")
        return out

    def rf_steps(self, shape: Shape) -> list[tuple[Step, Step]]:
        top, _, left, _ = self.sides(shape)
        return [((1, Fraction(1), -top), (1, Fraction(1), -left))]


SINGLE_LAYERS: list[type[Layer]] = [
    Conv, ConvTranspose, MaxPool, AvgPool, GlobalAvgPool, GlobalMaxPool, AdaptiveAvgPool,
    AdaptiveMaxPool, Flatten, Dense, BatchNorm, LRN, Dropout, *ACTIVATION_TYPES, Upsample,
    ZeroPad, Crop,
]
CATALOG: dict[str, type[Layer]] = {cls.type: cls for cls in SINGLE_LAYERS}
ALIASES: dict[str, str] = {alias: cls.type for cls in SINGLE_LAYERS for alias in cls.aliases}
ACTIVATIONS = tuple(cls.type for cls in ACTIVATION_TYPES)


def canonical_type(name: str) -> str | None:
    """'Conv2D' → 'conv'; None when the name is not a single-layer type."""
    key = name.lower()
    return key if key in CATALOG else ALIASES.get(key)

