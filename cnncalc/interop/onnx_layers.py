"""One ONNX node (with its weights) → one cnncalc layer entry: the importer's operator table.

Each reader returns (type, options); the options are exactly what a spec would write, so the
generated YAML reloads to the same layer.
"""

from __future__ import annotations

from math import prod
from typing import Any

from ..engine.layers import CATALOG
from ..engine.shapes import spatial_rank
from ..errors import SpecError
from .onnx_checks import attrs
from .onnx_graph import OnnxGraph

ACTIVATIONS = {"Relu": "relu", "Sigmoid": "sigmoid", "Tanh": "tanh", "Elu": "elu",
               "Gelu": "gelu", "Identity": "identity",
               "GlobalAveragePool": "globalavgpool", "GlobalMaxPool": "globalmaxpool",
               "HardSwish": "hardswish", "Selu": "selu", "Softplus": "softplus",
               "Mish": "mish"}
# Operators of SPEC §10 that the importer does not read yet: named in errors. (A Transpose
# is read only inside the layernorm and channelshuffle patterns of onnx_patterns.py.)
LATER = {"SpaceToDepth": "pixelunshuffle", "GroupNormalization": "groupnorm",
         "InstanceNormalization": "instancenorm"}


class Unsupported(SpecError):
    pass


def required(graph: OnnxGraph, node, a: dict, name: str) -> Any:
    """An attribute ONNX requires of this operator."""
    if name not in a:
        raise unsupported(graph, node, f"it has no '{name}' attribute, which ONNX's "
                          f"{node.op_type} requires; the file is malformed")
    return a[name]


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
    groups = a.get("group", 1)
    options = {
        "filters": dims[1] * groups, "kernel": list(a.get("kernel_shape", dims[2:])),
        "stride": list(a.get("strides", [1] * rank)), "padding": pads[:rank],
        "output_padding": list(a.get("output_padding", [0] * rank)),
        "dilation": list(a.get("dilations", [1] * rank)), "groups": groups,
        "bias": _has(node, 2)}
    if pads[:rank] != pads[rank:]:  # Keras 'same'/'valid' as cnncalc exports them?
        return "convtranspose", _keras_transpose(graph, node, options, pads)
    return "convtranspose", options


def _keras_transpose(graph, node, options: dict, pads: list[int]) -> dict:
    """Uneven pads are Keras' 'same' when they crop D(F−1)+1 − S with the odd pixel after
    (and add nothing), else unsupported. ONNX pads: all the befores, then all the afters."""
    rank = len(pads) // 2
    for word in ("same", "valid"):
        layer = CATALOG["convtranspose"]("probe", **{**options, "padding": word,
                                                     "output_padding": (0,) * rank})
        layer.bind((1,) * rank + (1,))  # resolve the per-axis options for this rank
        trims = [layer.trims(axis) for axis in range(rank)]
        if [t[0] for t in trims] + [t[1] for t in trims] == pads and \
                [t[2] for t in trims] == list(options["output_padding"]):
            return {**options, "padding": word, "output_padding": [0] * rank}
    raise unsupported(graph, node, f"asymmetric pads {pads} other than Keras' 'same'")


def read_pool(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    kernel = list(required(graph, node, a, "kernel_shape"))
    dilation = list(a.get("dilations", [1] * len(kernel)))
    if any(d != 1 for d in dilation) and node.op_type != "MaxPool":
        raise unsupported(graph, node, "only max pooling is dilated in cnncalc")
    if len(node.output) > 1 and node.output[1]:
        raise unsupported(graph, node, "MaxPool's indices output")
    options = {"kernel": kernel, "stride": list(a.get("strides", [1] * len(kernel))),
               "padding": _padding(graph, node, a), "ceil_mode": bool(a.get("ceil_mode", 0))}
    if node.op_type == "LpPool":
        if any(options.pop("padding")):
            raise unsupported(graph, node, "padded LpPool (PyTorch's LPPool2d has none)")
        return "lppool", {"p": a.get("p", 2), **options}
    if node.op_type == "MaxPool":
        return "maxpool", {**options, "dilation": dilation}
    return "avgpool", options


def read_prelu(graph: OnnxGraph, node) -> tuple[str, dict]:
    dims = graph.weight_dims(node.input[1])
    count = 1 if dims is None else int(prod(dims))
    return "prelu", {"channels": "one" if count == 1 else "all"}


def read_depthtospace(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    if a.get("mode", b"DCR") not in (b"CRD", "CRD"):
        raise unsupported(graph, node, "mode DCR (cnncalc's pixelshuffle is PyTorch's, CRD)")
    return "pixelshuffle", {"factor": required(graph, node, a, "blocksize")}


def read_layernorm(graph: OnnxGraph, node) -> tuple[str, dict]:
    """A LayerNormalization of an N×features vector (on maps, between two Transposes, it is
    read as a pattern: onnx_patterns.py)."""
    dims = graph.shapes.get(node.input[0])
    if dims is None or len(dims) != 1 or attrs(node).get("axis", -1) not in (-1, 1):
        raise unsupported(graph, node, "only the LayerNormalization of a vector is read")
    return "layernorm", {"affine": True}


def read_logsoftmax(graph: OnnxGraph, node) -> tuple[str, dict]:
    axis = attrs(node).get("axis", -1)
    vector = len(graph.shapes.get(node.input[0], (0, 0))) == 1
    if axis != 1 and not (vector and axis == -1):
        raise unsupported(graph, node, "LogSoftmax over another axis than the channels")
    return "logsoftmax", {}


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
                          "(or a channel shuffle: Reshape, Transpose, Reshape)")
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
    if chosen == [1] and starts is not None and (steps is None or list(steps) == [1]):
        start = int(starts[0])
        return "slice", {"channels": [start, start + shape_out[-1]]}
    spatial = bool(chosen) and len(set(chosen)) == len(chosen) and min(chosen) >= 2
    if starts is None or not spatial or (steps is not None and any(int(s) != 1 for s in steps)):
        raise unsupported(graph, node, "only a step-1 Slice of the channels (slice) or of "
                          "the spatial axes (crop) is read")
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
    "LRN": lambda g, n: ("lrn", {"size": required(g, n, attrs(n), "size")}),
    "LpPool": read_pool, "PRelu": read_prelu, "DepthToSpace": read_depthtospace,
    "LayerNormalization": read_layernorm, "LogSoftmax": read_logsoftmax,
    "HardSigmoid": lambda g, n: _hardsigmoid(g, n),
}


def _hardsigmoid(graph: OnnxGraph, node) -> tuple[str, dict]:
    a = attrs(node)
    if abs(a.get("alpha", 0.2) - 1 / 6) > 1e-6 or abs(a.get("beta", 0.5) - 0.5) > 1e-6:
        raise unsupported(graph, node, "HardSigmoid other than PyTorch's (α = 1/6, β = 1/2)")
    return "hardsigmoid", {}
SHAPED_READERS = {"Resize": read_resize, "Upsample": read_resize, "Slice": read_slice,
                  "ReduceMean": read_reducemean}


def read_layer(graph: OnnxGraph, node) -> tuple[str, dict]:
    """The (type, options) of a node with one data input."""
    if node.op_type in ACTIVATIONS:
        return ACTIVATIONS[node.op_type], {}
    if node.op_type in SIMPLE_READERS:
        try:
            return SIMPLE_READERS[node.op_type](graph, node)
        except IndexError:  # node.input[1] of a Conv with no weight input, …
            raise unsupported(graph, node, f"it has {len(node.input)} inputs, fewer than "
                              f"ONNX's {node.op_type} takes; the file is malformed") from None
        except (TypeError, ValueError) as error:  # a value of the wrong kind or size
            raise unsupported(graph, node, f"the file is malformed ({error})") from None
    if node.op_type in SHAPED_READERS:
        shape_in = graph.shape(node.input[0], node)
        shape_out = graph.shape(node.output[0], node)
        if spatial_rank(shape_in) == 0:
            raise unsupported(graph, node, "it needs an N×C×L, N×C×H×W or N×C×D×H×W input")
        return SHAPED_READERS[node.op_type](graph, node, shape_in, shape_out)
    raise unsupported(graph, node)
