"""Views of `apply` beyond the forward result (backward, symbolic, im2col), and its JSON
(SPEC §12: matrices as nested lists of numbers)."""

from __future__ import annotations

import json

from rich.console import Group, RenderableType
from rich.text import Text

from ..homework.exercise import Exercise
from ..homework.matrix import number
from .homework import applied, matrix_table


def plain(values):
    """Nested floats → nested numbers for JSON, whole numbers as integers (3.0 → 3)."""
    if isinstance(values, list):
        return [plain(item) for item in values]
    return int(values) if float(values).is_integer() else values


def _dims(values) -> list[int]:
    dims = []
    while isinstance(values, list):
        dims.append(len(values))
        values = values[0]
    return dims


def _maps(title: str, maps: list, label: str) -> list[RenderableType]:
    """A list of 2-D maps (channels or filters), each labelled when there are several."""
    dims = _dims(maps)
    parts: list[RenderableType] = [Text(f"{title} ({'×'.join(map(str, dims[1:]))}"
                                        + (f", {dims[0]} {label}s" if dims[0] > 1 else "")
                                        + ")", style="bold")]
    for index, rows in enumerate(maps, 1):
        if dims[0] > 1:
            parts.append(Text(f"{label} {index}", style="dim"))
        parts.append(matrix_table(rows))
    return parts


def exercise(result: Exercise) -> RenderableType:
    forward = applied(result.applied)
    if result.computes:  # right under the heading, before any number
        forward.renderables.insert(1, Text(f"computes {result.computes}", style="dim"))
    parts: list[RenderableType] = [forward]
    backward = result.backward
    if backward is not None:
        per = "filter" if backward.grad_filter is not None else "channel"
        parts += _maps("∂L/∂Z given", backward.grad_output, per)
        if backward.grad_filter is not None:
            parts.append(Text("∂L/∂F = the padded input correlated with ∂L/∂Z "
                              "(S − 1 zeros between its entries)", style="dim"))
            for index, weight in enumerate(backward.grad_filter, 1):
                suffix = f", filter {index}" if len(backward.grad_filter) > 1 else ""
                parts += _maps(f"∂L/∂F{suffix}", weight, "channel")
            parts.append(Text("∂L/∂X = full convolution of ∂L/∂Z with the filter, cropped "
                              "by the padding", style="dim"))
        if backward.grad_bias is not None:
            parts.append(Text("∂L/∂b = the sum of ∂L/∂Z: "
                              + ", ".join(number(value) for value in backward.grad_bias)))
        parts += _maps("∂L/∂X", backward.grad_input, "channel")
        if backward.steps:
            parts.append(Text("first gradients term by term:", style="bold"))
            parts += [Text(line) for line in backward.steps]
    if result.symbolic is not None:
        for title, lines in (("forward", result.symbolic.forward),
                             ("∂L/∂F", result.symbolic.grad_filter),
                             ("∂L/∂X", result.symbolic.grad_input)):
            parts.append(Text(f"{title}:", style="bold"))
            parts += [Text(line) for line in lines]
    if result.im2col is not None:
        matrices = result.im2col
        k, ho, wo = matrices.output_dims
        for title, rows in (("patch matrix", matrices.patches),
                            ("filter matrix", matrices.filters),
                            ("product = filter matrix × patch matrix", matrices.product)):
            dims = _dims(rows)
            parts += [Text(f"{title} ({dims[0]}×{dims[1]})", style="bold"), matrix_table(rows)]
        parts.append(Text(f"product reshaped: {k}×{ho * wo} → {k}×{ho}×{wo} "
                          "(filters × output rows × output columns)"))
    return Group(*parts)


def exercise_json(result: Exercise) -> str:
    data: dict = {"operation": result.applied.operation, "output": plain(result.applied.output)}
    if result.computes:
        data["computes"] = result.computes
    if result.backward is not None:
        data["grad_output"] = plain(result.backward.grad_output)
        if result.backward.grad_filter is not None:
            data["grad_filter"] = plain(result.backward.grad_filter)
        data["grad_input"] = plain(result.backward.grad_input)
        if result.backward.grad_bias is not None:
            data["grad_bias"] = plain(result.backward.grad_bias)
        if result.backward.steps:
            data["backward_steps"] = result.backward.steps
    if result.symbolic is not None:
        data["symbolic"] = {"forward": result.symbolic.forward,
                            "grad_filter": result.symbolic.grad_filter,
                            "grad_input": result.symbolic.grad_input}
    if result.im2col is not None:
        data.update(patches=plain(result.im2col.patches),
                    filters=plain(result.im2col.filters),
                    product=plain(result.im2col.product))
    if result.applied.steps:
        data["steps"] = result.applied.steps
    return json.dumps(data, ensure_ascii=False) + "\n"
