"""Channel cuts: the ONNX Split or channel Slices that make one `split` entry (SPEC §7)."""

from __future__ import annotations

from ..engine.shapes import is_spatial
from .onnx_graph import OnnxGraph
from .onnx_layers import attrs


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
