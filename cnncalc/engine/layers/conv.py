"""Convolution and transposed convolution (SPEC §2)."""

from __future__ import annotations

from fractions import Fraction

from ...errors import ShapeError, SpecError
from ..options import Option
from ..shapes import Shape, conv_out, effective_kernel, numel, shape_str, transpose_out
from .base import Counts, Layer, Step, Windowed, pair_text, register, spatial, window_text


def _check_groups(groups: int, channels: int, filters: int) -> None:
    if channels % groups or filters % groups:
        raise ShapeError(f"groups={groups} does not divide {channels} input channels "
                         f"and {filters} filters; choose groups dividing both")


@register
class Conv(Windowed):
    type = "conv"
    aliases = ("conv2d", "conv1d", "conv3d")
    takes_activation = True
    needs_workspace = True
    OPTIONS = {
        "filters": Option("int1"), "kernel": Option("pair1", required=True),
        "stride": Option("pair1", (1, 1)), "padding": Option("padding", (0, 0, 0, 0)),
        "dilation": Option("pair1", (1, 1)), "groups": Option("int1", 1),
        "depthwise": Option("bool", False), "bias": Option("bool", True),
    }

    @property
    def fit_exempt(self) -> bool:
        return self.padding == "same"

    def resolve(self, shape: Shape) -> tuple[int, int]:
        """(groups, filters) for this input; depthwise sets G = C."""
        _, channels = spatial(shape, self)
        if self.depthwise:
            if self.groups not in (1, channels):
                raise ShapeError(f"depthwise sets groups to the {channels} input channels, but "
                                 f"groups={self.groups} is given too; drop 'groups' (or write "
                                 f"groups: {channels} without depthwise)")
            filters = self.filters if self.filters is not None else channels
            if filters % channels:
                raise ShapeError(f"depthwise filters={filters} must be a multiple of the "
                                 f"{channels} input channels")
            return channels, filters
        if self.filters is None:
            raise SpecError("conv needs 'filters' (the number of output channels K)")
        _check_groups(self.groups, channels, self.filters)
        return self.groups, self.filters

    def output_shape(self, shape: Shape) -> Shape:
        sizes, _ = spatial(shape, self)
        _, filters = self.resolve(shape)
        padding = self.padding_for(shape)
        self.check_kernel(shape, self.kernel, padding, self.dilation)
        return (*(conv_out(size, self.kernel[a], self.stride[a], padding[2 * a],
                           padding[2 * a + 1], self.dilation[a])
                  for a, size in enumerate(sizes)), filters)

    def inputs_per_neuron(self, shape: Shape) -> int:
        groups, _ = self.resolve(shape)
        return numel(self.kernel) * shape[-1] // groups

    def counts(self, shape: Shape, out: Shape) -> Counts:
        _, filters = self.resolve(shape)
        per_neuron = self.inputs_per_neuron(shape)
        neurons = numel(out)
        return Counts(weights=per_neuron * filters, biases=filters if self.bias else 0,
                      connections=neurons * (per_neuron + (1 if self.bias else 0)),
                      macs=neurons * per_neuron)

    def describe(self) -> str:
        text = f"{self.label} {window_text(self.kernel, self.stride, self.padding)}"
        if any(d != 1 for d in self.dilation):
            text += f" d{pair_text(self.dilation)}"
        if self.depthwise:
            text += " depthwise"
        elif self.groups > 1:
            text += f" g{self.groups}"
        return text + (f", {self.filters}" if self.filters is not None else "")


@register
class ConvTranspose(Layer):
    type = "convtranspose"
    aliases = ("deconv", "conv_transpose", "convtranspose1d", "convtranspose2d",
               "convtranspose3d")
    takes_activation = True
    needs_workspace = True
    OPTIONS = {
        "filters": Option("int1", required=True), "kernel": Option("pair1", required=True),
        "stride": Option("pair1", (1, 1)), "padding": Option("transpose_padding", (0, 0)),
        "output_padding": Option("pair0", (0, 0)), "dilation": Option("pair1", (1, 1)),
        "groups": Option("int1", 1), "bias": Option("bool", True),
    }

    def trims(self, axis: int) -> tuple[int, int, int]:
        """(cropped before, cropped after, added after) on one axis of the full transposed
        output (H−1)·S + D(F−1) + 1: PyTorch's padding P is (P, P, output_padding); Keras'
        'valid' gives H·S + max(F − S, 0) and 'same' H·S, cropping the odd pixel after as
        TensorFlow does. ONNX takes the three as they are (pads, output_padding)."""
        if not isinstance(self.padding, str):
            return self.padding[axis], self.padding[axis], self.output_padding[axis]
        overlap = effective_kernel(self.kernel[axis], self.dilation[axis]) - self.stride[axis]
        if self.padding == "valid" or overlap < 0:
            return 0, 0, max(-overlap, 0)  # windows apart: the gap after the last one stays
        return overlap // 2, overlap - overlap // 2, 0

    def output_shape(self, shape: Shape) -> Shape:
        sizes, channels = spatial(shape, self)
        _check_groups(self.groups, channels, self.filters)
        if isinstance(self.padding, str) and any(self.output_padding):
            raise SpecError(f"output_padding cannot be combined with padding '{self.padding}' "
                            "(which sets the output size H·S itself); give a numeric padding "
                            "instead")
        for axis in range(len(sizes)):
            if self.output_padding[axis] >= max(self.stride[axis], self.dilation[axis]):
                raise ShapeError(f"output_padding={self.output_padding[axis]} must be smaller "
                                 f"than max(stride={self.stride[axis]}, "
                                 f"dilation={self.dilation[axis]})")
        trims = [self.trims(a) for a in range(len(sizes))]  # (before, after, added)
        out = tuple(transpose_out(size, self.kernel[a], self.stride[a], 0, 0, self.dilation[a])
                    - trims[a][0] - trims[a][1] + trims[a][2]
                    for a, size in enumerate(sizes))
        if min(out) < 1:
            axis = next(a for a, size in enumerate(out) if size < 1)
            unpadded = out[axis] + 2 * trims[axis][0]
            raise ShapeError(
                f"output size {shape_str(out)} is below 1: (H−1)·S − 2P + D(F−1) + "
                f"output_padding + 1 = {unpadded} − 2·{trims[axis][0]} = {out[axis]}; "
                f"use padding ≤ {max((unpadded - 1) // 2, 0)}")
        return (*out, self.filters)

    def counts(self, shape: Shape, out: Shape) -> Counts:
        per_input = numel(self.kernel) * self.filters // self.groups
        macs = numel(shape) * per_input
        return Counts(weights=shape[-1] * per_input, biases=self.filters if self.bias else 0,
                      connections=macs + (numel(out) if self.bias else 0), macs=macs)

    def rf_steps(self, shape: Shape) -> list[Step]:
        # A transposed conv is a zero-insertion upsampling by S followed by a stride-1 conv
        # whose padding is D(F−1) − P: two steps for the receptive-field recurrence.
        axes = range(len(self.kernel))
        spans = [effective_kernel(self.kernel[a], self.dilation[a]) for a in axes]
        upsample = tuple((1, Fraction(1, self.stride[a]), 0) for a in axes)
        conv = tuple((spans[a], Fraction(1), spans[a] - 1 - self.trims(a)[0]) for a in axes)
        return [upsample, conv]

    def describe(self) -> str:
        keras = f" {self.padding}" if isinstance(self.padding, str) else ""
        return (f"{self.label} {'×'.join(map(str, self.kernel))}/{pair_text(self.stride)}"
                f"{keras}, {self.filters}")
