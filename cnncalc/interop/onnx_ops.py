"""One cnncalc layer row → its ONNX node(s). The table the README's operator list follows."""

from __future__ import annotations

from typing import Any

from ..engine.analysis import Row
from ..engine.shapes import adaptive_bins, is_spatial, numel, shape_str
from .onnx_section7 import SECTION7_HANDLERS

# Element-wise types with a one-to-one ONNX operator and no attributes.
SIMPLE = {"relu": "Relu", "elu": "Elu", "tanh": "Tanh", "sigmoid": "Sigmoid",
          "identity": "Identity", "gelu": "Gelu", "globalavgpool": "GlobalAveragePool",
          "globalmaxpool": "GlobalMaxPool", "hardswish": "HardSwish", "selu": "Selu",
          "softplus": "Softplus", "mish": "Mish",  # Mish: opset 18 (required_opset)
          "droppath": "Identity"}  # drop-path: identity in inference
LRN_ALPHA, LRN_BETA, LRN_BIAS = 1e-4, 0.75, 1.0  # PyTorch's LocalResponseNorm defaults
BN_EPSILON = 1e-5


def _pads(sides) -> list[int]:
    """cnncalc (before, after) per axis → ONNX's every before, then every after: 2-D
    (top, bottom, left, right) → [top, left, bottom, right]."""
    return [*sides[0::2], *sides[1::2]]


def emit_layer(graph: Any, row: Row, x: str) -> None:
    """Append the nodes of one layer row to `graph` (an onnx_export._GraphBuilder)."""
    from .onnx_export import ExportError

    layer, kind = row.layer, row.type
    handler = _HANDLERS.get(kind)
    if kind in SIMPLE:
        graph.emit(SIMPLE[kind], [x], row)
    elif handler is not None:
        handler(graph, row, layer, x)
    else:
        raise ExportError(f"layer type '{kind}' has no ONNX export", layer_name=row.path,
                          layer_type=kind)


def _conv(graph, row: Row, layer, x: str) -> None:
    channels = row.input[-1]
    groups, filters = layer.resolve(row.input)
    kernel = list(layer.kernel)
    inputs = [x, graph.weight(f"{row.path}.weight", (filters, channels // groups, *kernel),
                              fan_in=layer.inputs_per_neuron(row.input))]
    if layer.bias:
        inputs.append(graph.weight(f"{row.path}.bias", (filters,), fill="zeros"))
    graph.emit("Conv", inputs, row, kernel_shape=kernel, strides=list(layer.stride),
               pads=_pads(layer.padding_for(row.input)), dilations=list(layer.dilation),
               group=groups)


def _convtranspose(graph, row: Row, layer, x: str) -> None:
    channels, kernel = row.input[-1], list(layer.kernel)
    inputs = [x, graph.weight(f"{row.path}.weight",
                              (channels, layer.filters // layer.groups, *kernel),
                              fan_in=channels * numel(kernel))]
    if layer.bias:
        inputs.append(graph.weight(f"{row.path}.bias", (layer.filters,), fill="zeros"))
    trims = [layer.trims(axis) for axis in range(len(kernel))]  # (before, after, added)
    graph.emit("ConvTranspose", inputs, row, kernel_shape=kernel, strides=list(layer.stride),
               pads=[t[0] for t in trims] + [t[1] for t in trims],
               dilations=list(layer.dilation), output_padding=[t[2] for t in trims],
               group=layer.groups)


def _pool(graph, row: Row, layer, x: str) -> None:
    attrs = {"kernel_shape": list(layer.kernel), "strides": list(layer.stride),
             "pads": _pads(layer.padding_for(row.input)), "ceil_mode": int(layer.ceil_mode)}
    if row.type == "avgpool":
        attrs["count_include_pad"] = 1  # PyTorch's default; shapes do not depend on it
    if row.type == "maxpool" and any(d != 1 for d in layer.dilation):
        attrs["dilations"] = list(layer.dilation)
    graph.emit("MaxPool" if row.type == "maxpool" else "AveragePool", [x], row, **attrs)


def _adaptive(graph, row: Row, layer, x: str) -> None:
    """Adaptive pooling has no ONNX operator: equal bins are a plain pool, one bin global."""
    from .onnx_export import ExportError

    op = "AveragePool" if row.type == "adaptiveavgpool" else "MaxPool"
    if set(layer.output) == {1}:
        graph.emit("Global" + op, [x], row)
        return
    kernel = []
    for size, out in zip(row.input[:-1], layer.output, strict=True):
        bins = {end - start for start, end in adaptive_bins(size, out)}
        if size % out or len(bins) != 1:
            raise ExportError(f"{row.type} to {out} bins on {size} pixels makes bins of unequal "
                              "size, which no ONNX operator expresses; choose an input size "
                              f"that is a multiple of {out}", layer_name=row.path,
                              layer_type=row.type)
        kernel.append(size // out)
    graph.emit(op, [x], row, kernel_shape=kernel, strides=kernel)


def _flatten(graph, row: Row, layer, x: str) -> None:
    graph.emit("Flatten", [x], row, axis=1)


def _dense(graph, row: Row, layer, x: str) -> None:
    inputs = numel(row.input)
    if is_spatial(row.input):
        # A Reshape, not a Flatten: the importer reads a Flatten node as a `flatten` row and
        # a Reshape feeding only a dense layer as that layer's own flattening.
        shape = graph.constant("flatten.shape", [1, -1])
        x = graph.emit("Reshape", [x, shape], None, name=f"{row.path}/flatten",
                       shape=(inputs,))
    names = [x, graph.weight(f"{row.path}.weight", (layer.units, inputs), fan_in=inputs)]
    if layer.bias:
        names.append(graph.weight(f"{row.path}.bias", (layer.units,), fill="zeros"))
    graph.emit("Gemm", names, row, transB=1)


def _batchnorm(graph, row: Row, layer, x: str) -> None:
    channels = row.input[-1]
    inputs = [x, graph.weight(f"{row.path}.weight", (channels,), fill="ones"),
              graph.weight(f"{row.path}.bias", (channels,), fill="zeros"),
              graph.weight(f"{row.path}.running_mean", (channels,), fill="zeros"),
              graph.weight(f"{row.path}.running_var", (channels,), fill="ones")]
    graph.emit("BatchNormalization", inputs, row, epsilon=BN_EPSILON)


def _lrn(graph, row: Row, layer, x: str) -> None:
    graph.emit("LRN", [x], row, size=layer.size, alpha=LRN_ALPHA, beta=LRN_BETA,
               bias=LRN_BIAS)


def _dropout(graph, row: Row, layer, x: str) -> None:
    ratio = graph.constant(f"{row.path}.ratio", layer.rate, dtype="float32")
    graph.emit("Dropout", [x, ratio], row)


def _relu6(graph, row: Row, layer, x: str) -> None:
    low = graph.constant("relu6.min", 0.0, dtype="float32")
    high = graph.constant("relu6.max", 6.0, dtype="float32")
    graph.emit("Clip", [x, low, high], row)


def _leakyrelu(graph, row: Row, layer, x: str) -> None:
    graph.emit("LeakyRelu", [x], row, alpha=layer.slope)


def _softmax(graph, row: Row, layer, x: str) -> None:
    graph.emit("Softmax", [x], row, axis=1)  # over channels (or units), as nn.Softmax(1)


def _upsample(graph, row: Row, layer, x: str) -> None:
    from .layout import onnx_dims

    sizes = graph.constant(f"{row.path}.sizes", onnx_dims(row.output))
    mode = "linear" if layer.mode == "bilinear" else "nearest"
    graph.emit("Resize", [x, "", "", sizes], row, mode=mode)


def _zeropad(graph, row: Row, layer, x: str) -> None:
    pads = graph.constant(f"{row.path}.pads", [0, 0, *layer.padding[0::2], 0, 0,
                                                *layer.padding[1::2]])
    graph.emit("Pad", [x, pads], row, mode="constant")


def _crop(graph, row: Row, layer, x: str) -> None:
    sides, sizes = layer.sides(row.input), row.input[:-1]
    starts = graph.constant(f"{row.path}.starts", list(sides[0::2]))
    ends = graph.constant(f"{row.path}.ends",
                          [size - after for size, after in zip(sizes, sides[1::2], strict=True)])
    # the spatial axes of N, C, …: 2, 3 for H×W (named as before), 2 or 2–4 in 1-D and 3-D
    axes = graph.constant("axes_hw" if len(sizes) == 2 else f"axes_{len(sizes)}d",
                          list(range(2, 2 + len(sizes))))
    graph.emit("Slice", [x, starts, ends, axes], row)


_HANDLERS = {
    "conv": _conv, "convtranspose": _convtranspose, "maxpool": _pool, "avgpool": _pool,
    "adaptiveavgpool": _adaptive, "adaptivemaxpool": _adaptive, "flatten": _flatten,
    "dense": _dense, "batchnorm": _batchnorm, "lrn": _lrn, "dropout": _dropout,
    "relu6": _relu6, "leakyrelu": _leakyrelu, "softmax": _softmax, "upsample": _upsample,
    "zeropad": _zeropad, "crop": _crop, **SECTION7_HANDLERS,
}

__all__ = ["SIMPLE", "emit_layer", "shape_str"]
