"""How each layer type runs on arrays: one runner per engine type name, registered once.

`RUNNERS` maps the engine's canonical type names to functions (pass, layer, x, owned) → array.
A test keeps the two in step: every engine type has a runner, every runner names a type.
Runners read a layer's options, never its output-size formulas.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import ops, weights

Runner = Callable[[Any, Any, np.ndarray, bool], np.ndarray]
RUNNERS: dict[str, Runner] = {}


def runs(*types: str) -> Callable[[Runner], Runner]:
    """Register a runner for these layer types."""
    def register(function: Runner) -> Runner:
        for name in types:
            RUNNERS[name] = function
        return function
    return register


def identity_batchnorm(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Inference batchnorm with the (almost) identity parameters of weights.py."""
    return ops.batchnorm(x, *weights.batchnorm_identity(x.shape[0]), out=out)


# Layers that overwrite an input the pass owns (``out=x``) instead of allocating a new
# array: on ResNet-50 that took its 53 batchnorms from 28 to 18 ms.
IN_PLACE: dict[str, Callable] = {
    "relu": ops.relu, "relu6": ops.relu6, "batchnorm": identity_batchnorm,
}
# Layers that always hand back an array no one else holds: a new one, or (IN_PLACE) their
# own input overwritten when it was already the pass's alone.
OWNED_RESULT = {"conv", "convtranspose", "dense", *IN_PLACE}
ELEMENTWISE: dict[str, Callable] = {
    "elu": ops.elu, "gelu": ops.gelu, "tanh": ops.tanh, "sigmoid": ops.sigmoid,
    "softmax": ops.softmax, "identity": ops.identity, "dropout": ops.dropout,
    "silu": ops.silu, "hardswish": ops.hardswish, "hardsigmoid": ops.hardsigmoid,
    "mish": ops.mish, "selu": ops.selu, "softplus": ops.softplus,
    "logsoftmax": ops.log_softmax, "droppath": ops.identity,  # drop-path: inference identity
}
PRELU_INIT = 0.25  # PyTorch's initial slope


def tf_same(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding split: the definition of the option, not a shape check."""
    wanted = -(-size // stride)
    total = max((wanted - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


def padding(layer, x: np.ndarray) -> tuple[int, int, int, int]:
    if layer.padding != "same":
        return layer.padding
    dilation = getattr(layer, "dilation", (1, 1))
    top, bottom = tf_same(x.shape[1], layer.kernel[0], layer.stride[0], dilation[0])
    left, right = tf_same(x.shape[2], layer.kernel[1], layer.stride[1], dilation[1])
    return (top, bottom, left, right)


@runs(*IN_PLACE)
def _in_place(walk, layer, x, owned):
    return IN_PLACE[layer.type](x, out=x if owned else None)


@runs(*ELEMENTWISE)
def _elementwise(walk, layer, x, owned):
    return ELEMENTWISE[layer.type](x)


@runs("leakyrelu")
def _leakyrelu(walk, layer, x, owned):
    return ops.leaky_relu(x, layer.slope)


@runs("conv")
def _conv(walk, layer, x, owned):
    channels = x.shape[0]
    groups = channels if layer.depthwise else layer.groups
    filters = layer.filters if layer.filters is not None else channels
    return weights.conv2d_random(
        x, filters, layer.kernel, walk.rng, stride=layer.stride, padding=padding(layer, x),
        dilation=layer.dilation, groups=groups, bias=layer.bias, chunk_bytes=walk.chunk,
        workspace_bytes=walk.workspace)


def keras_transpose(layer, full: np.ndarray, sizes: tuple[int, ...]) -> np.ndarray:
    """Keras' 'same' / 'valid' on a transposed conv run without padding (output (H−1)S + K):
    crop or extend it to H·S ('same', the odd pixel cut at the end as TensorFlow does) or
    to at least H·S ('valid'). The option's definition, written here on purpose apart from
    the engine's ConvTranspose.trims: the referee must not share the formula it checks."""
    index, grow = [slice(None)], [(0, 0)]
    for axis, size in enumerate(sizes):
        have, want = full.shape[1 + axis], size * layer.stride[axis]
        if layer.padding == "valid":
            want = max(have, want)
        extra = have - want
        index.append(slice(extra // 2, have - (extra - extra // 2)) if extra > 0 else
                     slice(None))
        grow.append((0, max(-extra, 0)))
    return np.pad(full[tuple(index)], grow)


@runs("convtranspose")
def _convtranspose(walk, layer, x, owned):
    keras = isinstance(layer.padding, str)
    y = weights.conv_transpose2d_random(
        x, layer.filters, layer.kernel, walk.rng, stride=layer.stride,
        padding=(0, 0) if keras else layer.padding, output_padding=layer.output_padding,
        dilation=layer.dilation, groups=layer.groups, bias=layer.bias, chunk_bytes=walk.chunk,
        workspace_bytes=walk.workspace)
    return keras_transpose(layer, y, x.shape[1:]) if keras else y


@runs("maxpool")
def _maxpool(walk, layer, x, owned):
    return ops.max_pool2d(x, layer.kernel, layer.stride, padding(layer, x), layer.ceil_mode,
                          layer.dilation)


@runs("lppool")
def _lppool(walk, layer, x, owned):
    return ops.lp_pool2d(x, layer.p, layer.kernel, layer.stride, layer.ceil_mode)


@runs("avgpool")
def _avgpool(walk, layer, x, owned):
    return ops.avg_pool2d(x, layer.kernel, layer.stride, padding(layer, x), layer.ceil_mode)


@runs("globalavgpool")
def _globalavgpool(walk, layer, x, owned):
    return ops.global_avg_pool(x)


@runs("globalmaxpool")
def _globalmaxpool(walk, layer, x, owned):
    return ops.global_max_pool(x)


@runs("adaptiveavgpool")
def _adaptiveavgpool(walk, layer, x, owned):
    return ops.adaptive_avg_pool2d(x, layer.output)


@runs("adaptivemaxpool")
def _adaptivemaxpool(walk, layer, x, owned):
    return ops.adaptive_max_pool2d(x, layer.output)


@runs("flatten")
def _flatten(walk, layer, x, owned):
    return ops.flatten(x)


@runs("dense")
def _dense(walk, layer, x, owned):
    return weights.dense_random(x, layer.units, layer.bias, walk.rng, walk.chunk)


@runs("lrn")
def _lrn(walk, layer, x, owned):
    return ops.local_response_norm(x, layer.size)


@runs("upsample")
def _upsample(walk, layer, x, owned):
    if layer.size is not None:
        return ops.upsample(x, layer.size, layer.mode)
    return ops.upsample_scale(x, layer.scale, layer.mode)


@runs("zeropad")
def _zeropad(walk, layer, x, owned):
    return ops.zeropad(x, layer.padding)


@runs("crop")
def _crop(walk, layer, x, owned):
    if layer.size is not None:
        return ops.center_crop(x, layer.size)
    return ops.crop(x, layer.crop)


@runs("prelu")
def _prelu(walk, layer, x, owned):
    count = x.shape[0] if layer.channels == "all" else 1
    return ops.prelu(x, np.full(count, PRELU_INIT, dtype=np.float32))


@runs("layernorm")
def _layernorm(walk, layer, x, owned):
    return ops.layer_norm_channels(x)  # γ = 1, β = 0: the affine part keeps the shape


@runs("groupnorm")
def _groupnorm(walk, layer, x, owned):
    return ops.group_norm(x, layer.groups)


@runs("instancenorm")
def _instancenorm(walk, layer, x, owned):
    return ops.instance_norm(x)


@runs("layerscale")
def _layerscale(walk, layer, x, owned):
    return ops.layer_scale(x, np.full(x.shape[0], layer.init, dtype=np.float32))


@runs("channelshuffle")
def _channelshuffle(walk, layer, x, owned):
    return ops.channel_shuffle(x, layer.groups)


@runs("slice")
def _slice(walk, layer, x, owned):
    return ops.slice_channels(x, *layer.channels)


@runs("pixelshuffle")
def _pixelshuffle(walk, layer, x, owned):
    return ops.pixel_shuffle(x, layer.factor)


@runs("pixelunshuffle")
def _pixelunshuffle(walk, layer, x, owned):
    return ops.pixel_unshuffle(x, layer.factor)
