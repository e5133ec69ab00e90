"""The ONNX nodes of SPEC §7's layer types (onnx_ops' table takes them from here): standard
operators where one exists, short Reshape/Transpose/Mul patterns where none does."""

from __future__ import annotations

from ..engine.analysis import Row
from ..engine.shapes import is_spatial, spatial_rank
from .layout import onnx_dims

NORM_EPSILON = 1e-5  # PyTorch's GroupNorm / InstanceNorm default
LN_EPSILON = 1e-6  # ConvNeXt's LayerNorm2d


def _lppool(graph, row: Row, layer, x: str) -> None:
    from .onnx_export import ExportError

    if layer.p != int(layer.p):
        raise ExportError(f"lppool p={layer.p:g}: ONNX LpPool takes an integer p",
                          layer_name=row.path, layer_type=row.type)
    attrs = {"kernel_shape": list(layer.kernel), "strides": list(layer.stride),
             "p": int(layer.p)}
    if layer.ceil_mode:
        attrs["ceil_mode"] = 1  # opset 18 (required_opset asks for it)
    graph.emit("LpPool", [x], row, **attrs)


def _then(graph, row: Row, op: str, inputs: list[str], suffix: str, **attrs) -> str:
    """An intermediate node of a layer made of several, named after the row; its tensor may
    not be a map (a 5-D shuffle view), so it gets no value_info: ONNX infers it."""
    from onnx import helper

    name = f"{row.path}/{suffix}"
    graph.nodes.append(helper.make_node(op, inputs, [name], name=name, **attrs))
    return name


def _silu(graph, row: Row, layer, x: str) -> None:
    gate = _then(graph, row, "Sigmoid", [x], "sigmoid")
    graph.emit("Mul", [x, gate], row)


def _hardsigmoid(graph, row: Row, layer, x: str) -> None:
    graph.emit("HardSigmoid", [x], row, alpha=1 / 6, beta=0.5)  # PyTorch's relu6(x + 3)/6


def _logsoftmax(graph, row: Row, layer, x: str) -> None:
    graph.emit("LogSoftmax", [x], row, axis=1)


def _per_channel(row: Row) -> tuple[int, ...]:
    """A (C, 1, 1) tensor broadcasts over N×C×H×W; a vector's features need (C,)."""
    width = row.input[-1]
    return (width, *([1] * (len(row.input) - 1)))


def _prelu(graph, row: Row, layer, x: str) -> None:
    dims = _per_channel(row) if layer.channels == "all" else (1,)
    graph.emit("PRelu", [x, graph.weight(f"{row.path}.weight", dims, fill="ones")], row)


def _layerscale(graph, row: Row, layer, x: str) -> None:
    graph.emit("Mul", [x, graph.weight(f"{row.path}.gamma", _per_channel(row), fill="ones")],
               row)


def _affine(graph, row: Row, layer, shape: tuple[int, ...]) -> tuple[str, str]:
    """γ and β: learned weights when affine, else constants 1 and 0 (no parameters)."""
    if layer.affine:
        return (graph.weight(f"{row.path}.weight", shape, fill="ones"),
                graph.weight(f"{row.path}.bias", shape, fill="zeros"))
    return (graph.constant(f"{row.path}.ones", [1.0] * shape[0], dtype="float32"),
            graph.constant(f"{row.path}.zeros", [0.0] * shape[0], dtype="float32"))


def _layernorm(graph, row: Row, layer, x: str) -> None:
    """Over the channels at each position: NCHW → NHWC, LayerNormalization on the last
    axis, back (ConvNeXt's LayerNorm2d); a vector is normalised as it is."""
    scale, bias = _affine(graph, row, layer, (row.input[-1],))
    if not is_spatial(row.input):
        graph.emit("LayerNormalization", [x, scale, bias], row, axis=-1, epsilon=LN_EPSILON)
        return
    rank = len(row.input) - 1  # channels last, normalised, channels back to axis 1
    y = _then(graph, row, "Transpose", [x], "to_nhwc", perm=[0, *range(2, rank + 2), 1])
    y = _then(graph, row, "LayerNormalization", [y, scale, bias], "norm", axis=-1,
              epsilon=LN_EPSILON)
    graph.emit("Transpose", [y], row, perm=[0, rank + 1, *range(1, rank + 1)])


def _groupnorm(graph, row: Row, layer, x: str) -> None:
    """As PyTorch exports it before opset 21: (N, G, rest) through InstanceNormalization
    with neutral γ/β, back to NCHW, then the per-channel γ and β."""
    groups = layer.groups
    grouped = graph.constant(f"{row.path}.grouped", [0, groups, -1])
    y = _then(graph, row, "Reshape", [x, grouped], "grouped")
    ones = graph.constant(f"{row.path}.group_ones", [1.0] * groups, dtype="float32")
    zeros = graph.constant(f"{row.path}.group_zeros", [0.0] * groups, dtype="float32")
    y = _then(graph, row, "InstanceNormalization", [y, ones, zeros], "norm",
              epsilon=NORM_EPSILON)
    back = graph.constant(f"{row.path}.shape", onnx_dims(row.input))
    y = _then(graph, row, "Reshape", [y, back], "ungrouped")
    if not layer.affine:
        graph.emit("Identity", [y], row)
        return
    scale, bias = _affine(graph, row, layer, _per_channel(row))
    graph.emit("Add", [_then(graph, row, "Mul", [y, scale], "scale"), bias], row)


def _instancenorm(graph, row: Row, layer, x: str) -> None:
    scale, bias = _affine(graph, row, layer, (row.input[-1],))
    graph.emit("InstanceNormalization", [x, scale, bias], row, epsilon=NORM_EPSILON)


def _channelshuffle(graph, row: Row, layer, x: str) -> None:
    """ShuffleNet's shuffle: Reshape (N, G, C/G, H·W), swap G and C/G, Reshape back."""
    width = row.input[-1]
    split = graph.constant(f"{row.path}.split", [0, layer.groups, width // layer.groups, -1])
    y = _then(graph, row, "Reshape", [x, split], "split")
    y = _then(graph, row, "Transpose", [y], "swap", perm=[0, 2, 1, 3])
    graph.emit("Reshape", [y, graph.constant(f"{row.path}.shape", onnx_dims(row.output))], row)


def _slice(graph, row: Row, layer, x: str) -> None:
    start, stop = layer.channels
    graph.emit("Slice", [x, graph.constant(f"{row.path}.starts", [start]),
                         graph.constant(f"{row.path}.ends", [stop]),
                         graph.constant("axes_c", [1])], row)


def _two_d_only(row: Row) -> None:
    """DepthToSpace and the unshuffle's 6-D view are written for N×C×H×W maps."""
    from .onnx_export import ExportError

    if spatial_rank(row.input) != 2:
        raise ExportError(f"{row.type} exports to ONNX for 2-D maps only (ONNX DepthToSpace "
                          "is 2-D)", layer_name=row.path, layer_type=row.type)


def _pixelshuffle(graph, row: Row, layer, x: str) -> None:
    _two_d_only(row)
    graph.emit("DepthToSpace", [x], row, blocksize=layer.factor, mode="CRD")


def _pixelunshuffle(graph, row: Row, layer, x: str) -> None:
    """PyTorch's channel order c·r² + i·r + j (ONNX SpaceToDepth puts the offset first):
    Reshape (N, C, H/r, r, W/r, r), Transpose the offsets ahead, Reshape."""
    _two_d_only(row)
    r = layer.factor
    height, width, depth = row.output
    blocks = graph.constant(f"{row.path}.blocks", [0, row.input[-1], height, r, width, r])
    y = _then(graph, row, "Reshape", [x, blocks], "blocks")
    y = _then(graph, row, "Transpose", [y], "offsets_first", perm=[0, 1, 3, 5, 2, 4])
    graph.emit("Reshape", [y, graph.constant(f"{row.path}.shape", onnx_dims(row.output))], row)


SECTION7_HANDLERS = {
    "lppool": _lppool, "silu": _silu, "hardsigmoid": _hardsigmoid, "logsoftmax": _logsoftmax,
    "prelu": _prelu, "layerscale": _layerscale, "layernorm": _layernorm,
    "groupnorm": _groupnorm, "instancenorm": _instancenorm, "channelshuffle": _channelshuffle,
    "slice": _slice, "pixelshuffle": _pixelshuffle, "pixelunshuffle": _pixelunshuffle,
}
