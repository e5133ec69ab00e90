"""Node patterns that are one cnncalc layer: the forms cnncalc's exporter (onnx_section7.py)
and torch.onnx write for layer types ONNX has no single operator for.

- layernorm over the channels (ConvNeXt's LayerNorm2d, torchvision's permute → layer_norm
  → permute): Transpose channels last → LayerNormalization(axis −1) → Transpose back.
- channelshuffle (ShuffleNet): Reshape (N, G, C/G, …) → Transpose swapping axes 1 and 2 →
  Reshape back to the input's shape; cnncalc flattens H·W into one axis, torch keeps H, W.
- layerscale (ConvNeXt's γ): a Mul by a weight of one value per channel, (C, 1, …, 1).
"""

from __future__ import annotations

from math import prod

from .onnx_checks import attrs
from .onnx_graph import OnnxGraph


def take_pattern(structure, node, entries: list) -> str | None:
    """When `node` starts a pattern: its entry appended, its nodes marked as read (for the
    flat writer), the output of its last node returned; else None."""
    found = read_pattern(structure.graph, node)
    if found is None:
        return None
    kind, options, nodes = found
    entries.append(structure.entry(kind, options, nodes[-1]))  # named as the last node
    structure.seen.update(id(each) for each in nodes)
    return nodes[-1].output[0]


def read_pattern(graph: OnnxGraph, node) -> tuple[str, dict, list] | None:
    """(type, options, the pattern's nodes) when `node` starts a pattern, else None."""
    if node.op_type == "Transpose":
        return _layernorm(graph, node)
    if node.op_type == "Reshape":
        return _channelshuffle(graph, node)
    if node.op_type == "Mul" and len(node.input) == 2:
        return _layerscale(graph, node)
    return None


def _next(graph: OnnxGraph, node, op_type: str):
    """The one node reading `node`'s output, when it is of `op_type` (else None)."""
    after = graph.consumers.get(node.output[0], [])
    if len(after) != 1 or after[0].op_type != op_type or node.output[0] in graph.outputs:
        return None
    return after[0]


def _layernorm(graph: OnnxGraph, first):
    shape = graph.shapes.get(first.input[0])
    if shape is None or len(shape) < 2:
        return None
    rank = len(shape) - 1  # spatial axes; ONNX axes are N, C, spatial…
    norm = _next(graph, first, "LayerNormalization")
    last = norm and _next(graph, norm, "Transpose")
    if last is None or graph.shapes.get(last.output[0]) != shape:
        return None
    if (list(attrs(first).get("perm", [])) != [0, *range(2, rank + 2), 1]
            or list(attrs(last).get("perm", [])) != [0, rank + 1, *range(1, rank + 1)]
            or attrs(norm).get("axis", -1) not in (-1, rank + 1)):
        return None
    return "layernorm", {"affine": True}, [first, norm, last]


def _channelshuffle(graph: OnnxGraph, first):
    shape = graph.shapes.get(first.input[0])
    split = graph.shapes.get(first.output[0])  # channels last: (C/G, …, G)
    swap = _next(graph, first, "Transpose")
    last = swap and _next(graph, swap, "Reshape")
    if shape is None or split is None or last is None or len(split) < 3:
        return None
    perm = list(attrs(swap).get("perm", []))
    groups, width = split[-1], shape[-1]
    if (perm != [0, 2, 1, *range(3, len(split) + 1)] or graph.shapes.get(last.output[0])
            != shape or groups < 1 or width % groups or split[0] != width // groups
            or prod(split) != prod(shape)):
        return None
    return "channelshuffle", {"groups": groups}, [first, swap, last]


def _layerscale(graph: OnnxGraph, node):
    data = [name for name in node.input if name in graph.data_values]
    shape = graph.shapes.get(data[0]) if len(data) == 1 else None
    weight = [name for name in node.input if name not in graph.data_values]
    if shape is None or not weight or graph.constants.get(graph.source(weight[0])):
        return None  # (a Constant node is a fixed factor, not a learned scale)
    if graph.weight_dims(weight[0]) != (shape[-1], *([1] * (len(shape) - 1))):
        return None
    return "layerscale", {}, [node]
