"""Every reference kernel under one name, as the pass, `apply` and the tests call them.

The kernels live in reference/kernels/, one module per family. They deliberately never use
an output-size formula: they pad the array, slide windows over it (or scatter into a
canvas, for transposed convolution), and whatever shape falls out is the answer. The
reference pass compares that shape with the one the arithmetic engine predicted, so the two
must be computed independently.
"""

from .kernels.channels import (
    channel_shuffle,
    layer_scale,
    pixel_shuffle,
    pixel_unshuffle,
    slice_channels,
)
from .kernels.common import DEFAULT_WORKSPACE
from .kernels.conv import _FLAT_MAX_WASTE, conv2d, conv_transpose2d
from .kernels.elementwise import (
    add,
    concat_channels,
    dropout,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    identity,
    leaky_relu,
    log_softmax,
    mish,
    prelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softplus,
    tanh,
)
from .kernels.graph import multiply, split_channels
from .kernels.linear import dense, flatten
from .kernels.norm import (
    batchnorm,
    group_norm,
    instance_norm,
    layer_norm_channels,
    local_response_norm,
)
from .kernels.pool import (
    adaptive_avg_pool2d,
    adaptive_max_pool2d,
    avg_pool2d,
    global_avg_pool,
    global_max_pool,
    lp_pool2d,
    max_pool2d,
)
from .kernels.resample import center_crop, crop, upsample, upsample_scale, zeropad

__all__ = [
    "DEFAULT_WORKSPACE", "_FLAT_MAX_WASTE", "adaptive_avg_pool2d", "adaptive_max_pool2d", "add",
    "avg_pool2d", "batchnorm", "center_crop", "concat_channels", "conv2d", "conv_transpose2d",
    "crop", "dense", "dropout", "elu", "flatten", "gelu", "global_avg_pool", "global_max_pool",
    "identity", "leaky_relu", "local_response_norm", "max_pool2d", "relu", "relu6", "sigmoid",
    "softmax", "tanh", "upsample", "upsample_scale", "zeropad",
    "channel_shuffle", "group_norm", "hardsigmoid", "hardswish", "instance_norm",
    "layer_norm_channels", "layer_scale", "log_softmax", "lp_pool2d", "mish",
    "pixel_shuffle", "pixel_unshuffle", "prelu", "selu", "silu", "slice_channels", "softplus",
    "multiply", "split_channels",
]
