"""Analysis → the stable JSON document of SPEC §4, streamed layer by layer.

Exact integers throughout; shapes as "HxWxC" strings (a vector as its length). The CSV of
formats.py reuses the per-layer record.
"""

from __future__ import annotations

from collections.abc import Iterator
from fractions import Fraction
from typing import Any

from ..engine.analysis import Analysis, Row, Totals
from ..engine.figures import TOTALS
from ..engine.shapes import Shape, is_spatial, shape_str


def json_shape(shape: Shape) -> str | int:
    return shape_str(shape) if is_spatial(shape) else shape[0]


def _number(value: Fraction | int) -> int | float:
    return value.numerator if value.denominator == 1 else float(value)


def _pair(values: tuple[Fraction | int, ...]) -> Any:
    """One number when every axis agrees (SPEC §8), else one per axis."""
    if len(set(values)) == 1:
        return _number(values[0])
    return [_number(value) for value in values]


def layer_record(row: Row, keras: bool = False) -> dict[str, Any]:
    """One layer; with `keras`, params include batchnorm's buffers (Keras' "Total params")."""
    return {
        "path": row.path, "type": row.type, "input": json_shape(row.input),
        "output": json_shape(row.output), "params": row.params + (row.buffers if keras else 0),
        "weights": row.weights,
        "biases": row.biases, "buffers": row.buffers, "neurons": row.neurons,
        "connections": row.connections, "macs": row.macs, "flops": row.flops,
        "rf": _pair(row.field.pixels), "jump": _pair(row.field.jump),
        "start": _pair(row.field.start), "fits": row.fits, "verified": row.verified,
        "notes": [*row.warnings, *row.notes],
    }


def layer_options(row: Row) -> dict[str, Any]:
    """The layer's options as resolved for this input, so other tools can rebuild it
    (SPEC §10): pairs as [h, w], padding as [top, bottom, left, right] ('same' worked out),
    a depthwise conv's groups and filters filled in. Merge rows (add, concat) have none."""
    layer = row.layer
    if layer is None:
        return {}
    options: dict[str, Any] = {}
    for key in getattr(layer, "OPTIONS", {}):
        value = getattr(layer, key)
        options[key] = list(value) if isinstance(value, tuple) else value
    if hasattr(layer, "padding_for") and "padding" in options:
        options["padding"] = list(layer.padding_for(row.input))
    if hasattr(layer, "resolve"):
        options["groups"], options["filters"] = layer.resolve(row.input)
    if hasattr(layer, "sides"):
        options["crop"] = list(layer.sides(row.input))
        options.pop("size", None)
    return options


def totals_record(totals: Totals, keras: bool = False) -> dict[str, int]:
    record = {key: getattr(totals, key) for key in TOTALS}
    if keras:
        record["params"] += totals.buffers
    return record


def layer_document(row: Row, keras: bool = False) -> dict[str, Any]:
    """One entry of JSON's "layers": the figures, the options, what it reads, aux or not."""
    return {**layer_record(row, keras), "options": layer_options(row),
            "reads": list(row.reads), **({"aux": True} if row.aux else {})}


def to_dict(analysis: Analysis, keras: bool = False, layers: bool = True) -> dict[str, Any]:
    """The `--format json` document (SPEC §4); exact integers throughout. `layers=False`
    leaves the layer list empty (json_chunks streams it)."""
    document = {
        "name": analysis.name,
        "input": json_shape(analysis.input),
        "output": (json_shape(analysis.output) if len(analysis.outputs) <= 1 else
                   {name: json_shape(shape) for name, shape in analysis.outputs.items()}),
        "batch": analysis.batch,
        "totals": totals_record(analysis.totals, keras),
        "layers": [layer_document(row, keras) for row in analysis.rows] if layers else [],
        "checks": [{"path": c.path, "figure": c.figure, "expected": _check_value(c.expected),
                    "got": _check_value(c.got), "ok": c.ok} for c in analysis.checks],
        "warnings": list(analysis.warnings),
    }
    if analysis.skipped:  # SPEC §12: the expect checks an --input override invalidates
        document["skipped_checks"] = [{"path": c.path, "figure": c.figure,
                                       "expected": _check_value(c.expected)}
                                      for c in analysis.skipped]
    if analysis.has_aux:  # what the network costs once the auxiliary heads are dropped
        document["totals"]["params_without_aux"] = analysis.params_without_aux + (
            sum(row.buffers for row in analysis.rows if not row.aux) if keras else 0)
        document["totals"]["macs_without_aux"] = analysis.macs_without_aux
    if keras:
        document["params_convention"] = "keras"  # params include batchnorm's buffers
    return document


def _check_value(value: Any) -> Any:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1]:
            return value[0]  # a square receptive field
        return json_shape(value) if len(value) != 2 else list(value)
    return value


def to_json(analysis: Analysis, keras: bool = False) -> str:
    return "".join(json_chunks(analysis, keras))


def json_chunks(analysis: Analysis, keras: bool = False) -> Iterator[str]:
    """The `--format json` text piece by piece, one layer at a time: for 50,000 layers the
    whole document never sits in memory as dicts and a string at once. It is indented like
    json.dumps(…, indent=2), except that each layer is one line: a diff of two summaries
    then shows one changed line per changed layer, and the line is written by json's C
    encoder (indenting every layer's fields took a third of a 50,000-layer run)."""
    import json

    def dumps(value: Any, depth: int) -> str:
        return json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + "  " * depth)

    document = to_dict(analysis, keras, layers=False)
    keys = list(document)
    yield "{"
    for index, key in enumerate(keys):
        yield f"\n  {json.dumps(key)}: "
        if key == "layers":
            rows = analysis.rows
            yield "[" if rows else "[]"
            for number, row in enumerate(rows):
                yield ",\n    " if number else "\n    "
                yield json.dumps(layer_document(row, keras), ensure_ascii=False)
            yield "\n  ]" if rows else ""
        else:
            yield dumps(document[key], 1)
        yield "," if index < len(keys) - 1 else ""
    yield "\n}"
