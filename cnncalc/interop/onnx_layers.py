"""One ONNX node (with its weights) → one cnncalc layer entry: the importer's operator table.

Each reader returns (type, options); the options are exactly what a spec would write, so the
generated YAML reloads to the same layer.
"""

from __future__ import annotations

from typing import Any

from ..engine.shapes import is_spatial, spatial_rank
from ..errors import SpecError
from .onnx_graph import OnnxGraph

ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Elu": "elu",
               "Gelu": "gelu", "Identity": "identity",
               "GlobalAveragePool": "globalavgpool", "GlobalMaxPool": "globalmaxpool"}
# Operators of SPEC §10 whose cnncalc layer type arrives with Part II (§7): named in errors.
LATER = {"HardSwish": "hardswish", "HardSigmoid": "hardsigmoid", "Selu": "selu",
         "DepthToSpace": "pixelshuffle",
         "SpaceToDepth": "pixelunshuffle", "LayerNormalization": "layernorm",
         "GroupNormalization": "groupnorm", "InstanceNormalization": "instancenorm",
         "PRelu": "prelu", "Softplus": "softplus", "Mish": "mish", "LpPool": "lppool"}


class Unsupported(SpecError):
    pass


def attrs(node) -> dict[str, Any]:
    from onnx import helper

    return {attribute.name: helper.get_attribute_value(attribute) for attribute in node.attribute}


def unsupported(graph: OnnxGraph, node, why: str = "") -> Unsupported:
    later = LATER.get(node.op_type)
    if later and not why:
        why = f"cnncalc's '{later}' layer type is not available in this version"
    return Unsupported(f"unsupported ONNX operator '{node.op_type}' (node '{node.name}')"
                       + (f": {why}" if why else ""), file=graph.file)


def _sides(pads: list[int]) -> list[int]:
    """ONNX [every begin, every end] → cnncalc (before, after) per axis: 2-D
    [top, left, bottom, right] → [top, bottom, left, right]."""
    rank = len(pads) // 2
    return [side for axis in range(rank) for side in (pads[axis], pads[rank + axis])]


def _padding(graph, node, a) -> Any:
    auto = a.get("auto_pad", b"NOTSET")
    auto = auto.decode() if isinstance(auto, bytes) else auto
    if auto == "SAME_UPPER":
        return "same"
    if auto == "VALID":
        return 0
    if auto not in ("NOTSET", ""):
        raise unsupported(graph, node, f"auto_pad {auto} (cnncalc's 'same' is SAME_UPPER)")
    pads = list(a.get("pads", [0] * 2 * len(a.get("kernel_shape", [0, 0]))))
    if len(pads) not in (2, 4, 6):
        raise unsupported(graph, node, f"{len(pads) // 2}-D padding; cnncalc reads 1-D, 2-D "
                          "and 3-D layers")
    return _sides(pads)


def _has(node, index: int) -> bool:
    return len(node.input) > index and node.input[index] != ""


def read_conv(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    dims = graph.weight_dims(node.input[1])
    if dims is None or len(dims) not in (3, 4, 5):
        raise unsupported(graph, node, "its weight is neither an initializer nor a weight "
                          "input of rank 3 to 5 (1-D to 3-D)")
    ones = [1] * (len(dims) - 2)
    options = {"filters": dims[0], "kernel": list(a.get("kernel_shape", dims[2:])),
               "stride": list(a.get("strides", ones)), "padding": _padding(graph, node, a),
               "dilation": list(a.get("dilations", ones)), "groups": a.get("group", 1),
               "bias": _has(node, 2)}
    return "conv", options


def read_convtranspose(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    dims = graph.weight_dims(node.input[1])
    if dims is None or len(dims) not in (3, 4, 5):
        raise unsupported(graph, node, "its weight is not a known tensor of rank 3 to 5")
    if "output_shape" in a or a.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
        raise unsupported(graph, node, "output_shape / auto_pad (write explicit pads)")
    rank = len(dims) - 2
    pads = list(a.get("pads", [0] * 2 * rank))
    if pads[:rank] != pads[rank:]:
        raise unsupported(graph, node, f"asymmetric pads {pads}")
    groups = a.get("group", 1)
    return "convtranspose", {
        "filters": dims[1] * groups, "kernel": list(a.get("kernel_shape", dims[2:])),
        "stride": list(a.get("strides", [1] * rank)), "padding": pads[:rank],
        "output_padding": list(a.get("output_padding", [0] * rank)),
        "dilation": list(a.get("dilations", [1] * rank)), "groups": groups,
        "bias": _has(node, 2)}


def read_pool(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    if any(d != 1 for d in a.get("dilations", [1, 1])):
        raise unsupported(graph, node, "dilated pooling arrives with Part II (SPEC §7)")
    if len(node.output) > 1 and node.output[1]:
        raise unsupported(graph, node, "MaxPool's indices output")
    kernel = list(a["kernel_shape"])
    return ("maxpool" if node.op_type == "MaxPool" else "avgpool"), {
        "kernel": kernel, "stride": list(a.get("strides", [1] * len(kernel))),
        "padding": _padding(graph, node, a), "ceil_mode": bool(a.get("ceil_mode", 0))}


def read_gemm(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    dims = graph.weight_dims(node.input[1])
    if a.get("transA", 0) or dims is None or len(dims) != 2:
        raise unsupported(graph, node, "Gemm of two activations or with transA")
    return "dense", {"units": dims[0] if a.get("transB", 0) else dims[1],
                     "bias": _has(node, 2)}


def read_batchnorm(graph, node) -> tuple[str, dict]:
    if attrs(node).get("training_mode", 0):
        raise unsupported(graph, node, "training_mode=1")
    return "batchnorm", {}


def read_clip(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    low = graph.constant(node.input[1]) if _has(node, 1) else a.get("min")
    high = graph.constant(node.input[2]) if _has(node, 2) else a.get("max")
    if low is not None and high is not None and float(low) == 0 and float(high) == 6:
        return "relu6", {}
    raise unsupported(graph, node, f"Clip({low}, {high}); only Clip(0, 6) is relu6")


def read_dropout(graph: OnnxGraph, node) -> tuple[str, dict]:
    ratio = graph.constant(node.input[1]) if _has(node, 1) else attrs(node).get("ratio")
    return "dropout", {"rate": round(float(ratio), 6) if ratio is not None else 0.5}


def read_flatten(graph: OnnxGraph, node) -> tuple[str, dict]:
    if attrs(node).get("axis", 1) != 1:
        raise unsupported(graph, node, "Flatten with axis ≠ 1")
    return "flatten", {}


def read_reshape(graph: OnnxGraph, node) -> tuple[str, dict]:
    out = graph.shapes.get(node.output[0])
    if out is None or len(out) != 1:
        raise unsupported(graph, node, "a Reshape that does not flatten to N×features "
                          "(channel shuffles arrive with Part II)")
    return "flatten", {}


def read_pad(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    mode = a.get("mode", b"constant")
    pads = graph.constant(node.input[1]) if _has(node, 1) else a.get("pads")
    value = graph.constant(node.input[2]) if _has(node, 2) else None
    if (mode not in (b"constant", "constant") or pads is None or len(pads) not in (6, 8, 10)
            or (value is not None and float(value) != 0) or _has(node, 3)):
        raise unsupported(graph, node, "only zero padding of the spatial axes is zeropad")
    pads = [int(p) for p in pads]
    axes = len(pads) // 2  # N, C and the spatial axes; begins, then ends
    if pads[0] or pads[1] or pads[axes] or pads[axes + 1] or min(pads) < 0:
        raise unsupported(graph, node, f"pads {pads} touch the batch or channel axes")
    return "zeropad", {"padding": _sides(pads[2:axes] + pads[axes + 2:])}


def read_resize(graph: OnnxGraph, node, shape_in, shape_out) -> tuple[str, dict]:
    a = attrs(node)
    mode = a.get("mode", b"nearest")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if mode not in ("nearest", "linear") or shape_out[-1] != shape_in[-1]:
        raise unsupported(graph, node, f"mode {mode}; cnncalc's upsample is nearest or bilinear")
    options: dict[str, Any] = {"mode": "bilinear" if mode == "linear" else "nearest"}
    pairs = list(zip(shape_in[:-1], shape_out[:-1], strict=True))  # every spatial axis
    if all(after % before == 0 for before, after in pairs):
        options["scale"] = [after // before for before, after in pairs]
    else:
        options["size"] = [after for _, after in pairs]
    return "upsample", options


def read_slice(graph: OnnxGraph, node, shape_in, shape_out) -> tuple[str, dict]:
    starts, axes = graph.constant(node.input[1]), None
    if _has(node, 3):
        axes = graph.constant(node.input[3])
    steps = graph.constant(node.input[4]) if _has(node, 4) else None
    ndim = len(shape_in) + 1  # N, C and the spatial axes 2 … ndim − 1
    chosen = [int(x) % ndim for x in axes] if axes is not None else []
    spatial = bool(chosen) and len(set(chosen)) == len(chosen) and min(chosen) >= 2
    if starts is None or not spatial or (steps is not None and any(int(s) != 1 for s in steps)):
        raise unsupported(graph, node, "only a step-1 Slice of the spatial axes is a crop, "
                          "and channel Slices must cut every channel into a split")
    begin = {int(axis) % ndim: int(start) for axis, start in zip(axes, starts, strict=True)}
    if min(begin.values()) < 0:
        raise unsupported(graph, node, "negative Slice starts")
    crop = []
    for index in range(ndim - 2):
        before = begin.get(index + 2, 0)
        crop += [before, shape_in[index] - shape_out[index] - before]
    return "crop", {"crop": crop}


def read_reducemean(graph: OnnxGraph, node, shape_in, shape_out) -> tuple[str, dict]:
    a = attrs(node)
    axes = a.get("axes") or (list(graph.constant(node.input[1])) if _has(node, 1) else [])
    ndim = len(shape_in) + 1
    if sorted(int(x) % ndim for x in axes) == list(range(2, ndim)) and a.get("keepdims", 1) == 1:
        return "globalavgpool", {}
    raise unsupported(graph, node, "only ReduceMean over the spatial axes (keepdims) is "
                      "global average pooling")


SIMPLE_READERS = {
    "Conv": read_conv, "ConvTranspose": read_convtranspose, "MaxPool": read_pool,
    "AveragePool": read_pool, "Gemm": read_gemm, "BatchNormalization": read_batchnorm,
    "Clip": read_clip, "Dropout": read_dropout, "Flatten": read_flatten,
    "Reshape": read_reshape, "Pad": read_pad,
    "LeakyRelu": lambda g, n: ("leakyrelu", {"slope": round(attrs(n).get("alpha", 0.01), 6)}),
    "Softmax": lambda g, n: ("softmax", {}),
    "LRN": lambda g, n: ("lrn", {"size": attrs(n)["size"]}),
}
SHAPED_READERS = {"Resize": read_resize, "Upsample": read_resize, "Slice": read_slice,
                  "ReduceMean": read_reducemean}


def read_layer(graph: OnnxGraph, node) -> tuple[str, dict]:
    """The (type, options) of a node with one data input."""
    if node.op_type in ACTIVATIONS:
        return ACTIVATIONS[node.op_type], {}
    if node.op_type in SIMPLE_READERS:
        return SIMPLE_READERS[node.op_type](graph, node)
    if node.op_type in SHAPED_READERS:
        shape_in = graph.shape(node.input[0], node)
        shape_out = graph.shape(node.output[0], node)
        if spatial_rank(shape_in) == 0:
            raise unsupported(graph, node, "it needs an N×C×L, N×C×H×W or N×C×D×H×W input")
        return SHAPED_READERS[node.op_type](graph, node, shape_in, shape_out)
    raise unsupported(graph, node)


# -- channel cuts: what `split` entries are made of (onnx_import.py) --------------------
def channel_parts(graph: OnnxGraph, value: str, consumers: list) -> list | None:
    """[(node, output, channels)] when `consumers` cut `value`'s channels into consecutive
    parts (a channel Split, or step-1 channel Slices covering every channel), else None."""
    shape = graph.shapes.get(value)
    if shape is None or not is_spatial(shape):
        return None
    if len(consumers) == 1 and consumers[0].op_type == "Split":
        node = consumers[0]
        if not _is_channel_axis(graph, node, attrs(node).get("axis", 0)) \
                or any(o not in graph.shapes for o in node.output):
            return None
        return [(node, out, graph.shapes[out][-1]) for out in node.output]
    if len(consumers) < 2 or any(node.op_type != "Slice" for node in consumers):
        return None
    ranges = []
    for node in consumers:
        starts, ends = graph.constant(node.input[1]), graph.constant(node.input[2])
        axes = graph.constant(node.input[3]) if len(node.input) > 3 and node.input[3] else None
        steps = graph.constant(node.input[4]) if len(node.input) > 4 and node.input[4] else None
        if (starts is None or ends is None or axes is None or len(axes) != 1
                or not _is_channel_axis(graph, node, int(axes[0]))
                or (steps is not None and int(steps[0]) != 1)):
            return None
        start, stop = int(starts[0]), min(int(ends[0]), shape[-1])
        ranges.append((start, stop, node))
    ranges.sort(key=lambda item: item[0])
    if [start for start, _, _ in ranges] != [0] + [stop for _, stop, _ in ranges[:-1]] \
            or ranges[-1][1] != shape[-1]:
        return None
    return [(node, node.output[0], stop - start) for start, stop, node in ranges]


def cuts_channels(graph: OnnxGraph, node) -> bool:
    """A Split or Slice of the channel axis (a Slice's axes given as a constant)."""
    if node.op_type == "Split":
        return _is_channel_axis(graph, node, attrs(node).get("axis", 0))
    if node.op_type != "Slice" or len(node.input) < 4 or not node.input[3]:
        return False
    axes = graph.constant(node.input[3])
    return axes is not None and len(axes) == 1 and _is_channel_axis(graph, node, int(axes[0]))


def _is_channel_axis(graph: OnnxGraph, node, axis: int) -> bool:
    """Axis 1 of N×C×…, a negative axis counted from the input's rank (batch included)."""
    shape = graph.shapes.get(node.input[0])
    return axis == 1 or (shape is not None and axis == 1 - (len(shape) + 1))
