"""`explain`: the worked solution of a whole network, layer by layer, shapes flowing along.

Conv and pooling layers reuse the answer card's derivation (card.py); the other layer types
get their own short derivations here. Every value comes from the analysis rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.analysis import Analysis, Check, Row
from ..engine.layers import Activation, BatchNorm, Conv, ConvTranspose, Dense, Flatten, Pool
from ..engine.receptive import Field
from ..engine.shapes import SIZE_NAMES, axis_names, is_spatial, numel, shape_str, spatial_rank
from ..engine.text import format_number
from ..errors import CnnCalcError, suggest
from .card import Step, layer_card
from .depth import depth_text
from .explain_graph import merge_steps


class LayerNotFound(CnnCalcError):
    """The LAYER argument of explain names no layer or group of the network."""


@dataclass
class LayerExplanation:
    """One executed layer: where it is, what it does to the shape, and why."""

    path: str
    description: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    steps: list[Step]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


@dataclass
class Explanation:
    """The worked solution: every (or the selected) layer, then how the totals add up."""

    name: str
    input: tuple[int, ...]
    output: tuple[int, ...]
    layers: list[LayerExplanation]
    totals: list[Step]
    depth: str = ""  # '8 weight layers (5 conv + 3 dense)', for the whole network
    skipped: list[str] = field(default_factory=list)  # expect checks --input invalidates


def _n(value: int) -> str:
    return f"{value:,}"


def explain(analysis: Analysis, layer: str | None = None) -> Explanation:
    """Explain every row, or those whose path or name is `layer` (a group: all its rows)."""
    rows = analysis.rows
    chosen = rows if layer is None else select(rows, layer)
    fields = {id(row): before for row, before in _fields_before(rows)}
    shapes = {**analysis.inputs, **{row.path: row.output for row in rows}}  # what merges read
    layers = [explain_row(row, fields.get(id(row)), shapes) for row in chosen]
    return Explanation(analysis.name, analysis.input, analysis.output, layers,
                       _total_steps(chosen, whole=layer is None),
                       depth_text(rows) if layer is None else "",
                       [f"{check.path} {check.figure}" for check in analysis.skipped
                        if layer is None or any(check.path == row.path for row in chosen)])


def select(rows: list[Row], layer: str) -> list[Row]:
    chosen = [row for row in rows
              if row.path == layer or row.name == layer or row.path.startswith(layer + ".")]
    if not chosen:
        known = sorted({row.path for row in rows} | {row.name for row in rows})
        raise LayerNotFound(f"no layer or group named '{layer}'{suggest(layer, known)} "
                            f"(names: {', '.join(row.path for row in rows[:8])}"
                            f"{', …' if len(rows) > 8 else ''})")
    return chosen


def _fields_before(rows: list[Row]):
    """The receptive field entering each row, when the previous row is really its input.

    Rows run in execution order; inside residual/concat branches the previous row is not
    always the input, so we only claim it when recomputing this row's field agrees.
    """
    previous = Field.of_input(spatial_rank(rows[0].input)) if rows else Field()
    for row in rows:
        steps = row.layer.rf_steps(row.input) if row.layer and is_spatial(row.input) else []
        if previous.after(steps) == row.field:
            yield row, previous
        previous = row.field


def explain_row(row: Row, before: Field | None,
                shapes: dict[str, tuple[int, ...]] | None = None) -> LayerExplanation:
    layer = row.layer
    warnings: list[str] = []
    notes = list(row.notes)
    if isinstance(layer, (Conv, Pool)):
        card = layer_card(layer, row.input)
        steps = [step for step in card.steps if step.label != "receptive field"]
        # Windows that skip input are subsampling by design (SPEC §7): the row's ℹ note,
        # not the card's does-not-fit advice.
        warnings = card.warnings if row.fits is not True else []
        notes = card.notes + [n for n in row.notes if not n.startswith("inexact")]
    elif isinstance(layer, Dense):
        steps = _dense_steps(row)
    elif isinstance(layer, ConvTranspose):
        steps = _transpose_steps(row)
    elif isinstance(layer, Flatten):
        steps = [Step("output", "·".join(map(str, row.input)), _n(row.output[0]))]
    elif isinstance(layer, BatchNorm):
        channels = row.input[-1]
        steps = [Step("params", f"2 × {channels} (γ and β per channel)", _n(row.params)),
                 Step("buffers", f"2 × {channels} (running mean and variance)",
                      _n(row.buffers))]
    elif row.type in SECTION7_STEPS:
        steps = SECTION7_STEPS[row.type](row)
    elif isinstance(layer, Activation) or row.input == row.output:
        steps = [Step("output", "", "same shape, no parameters")]
    else:
        steps = [Step("output shape", "", shape_str(row.output, times="×"))]
    if layer is not None and is_spatial(row.input) and layer.rf_steps(row.input):
        steps.append(_rf_step(row, before))
    if not row.layer:  # merges and splits: written from the tensors they read
        steps = merge_steps(row, shapes or {})
    return LayerExplanation(row.path, row.description, row.input, row.output, steps,
                            warnings, notes, list(row.checks))


def _rf_step(row: Row, before: Field | None) -> Step:
    """rf' = rf + (F−1)·D·jump (Araujo et al.), written out when the layer is a plain window."""
    rf, jump = row.field.rf, row.field.jump
    value = (format_number(rf[0]) if len(set(rf)) == 1  # one number when every axis agrees
             else "×".join(map(format_number, rf)))
    steps = row.layer.rf_steps(row.input) if row.layer else []
    if (before is None or len(steps) != 1 or len(set(rf)) != 1 or len(set(steps[0])) != 1
            or len(set(before.rf)) != 1 or len(set(before.jump)) != 1):
        jumps = (format_number(jump[0]) if len(set(jump)) == 1
                 else "×".join(map(format_number, jump)))
        return Step("receptive field", "", value, f"jump {jumps}")
    span, stride, _ = steps[0][0]
    old_rf, old_jump = before.rf[0], before.jump[0]
    formula = f"{format_number(old_rf)} + ({span} − 1)·{format_number(old_jump)}"
    return Step("receptive field", formula, value,
                f"jump {format_number(old_jump)}·{format_number(stride)} = "
                f"{format_number(jump[0])}")


def _dense_steps(row: Row) -> list[Step]:
    inputs, units = row.weights // row.output[0], row.output[0]
    bias = 1 if row.biases else 0
    steps = []
    if is_spatial(row.input):
        steps.append(Step("flattens", "·".join(map(str, row.input)), _n(inputs)))
    params = f"({_n(inputs)} + 1) × {units}" if bias else f"{_n(inputs)} × {units}"
    return steps + [Step("weights", f"{_n(inputs)} × {units}", _n(row.weights)),
                    Step("biases", "", _n(row.biases), "one per unit" if bias else "no bias"),
                    Step("params", params, _n(row.params)),
                    Step("connections", f"{units} × {_n(inputs + bias)}",
                         _n(row.connections)),
                    Step("MACs", f"{_n(inputs)} × {units}", _n(row.macs))]


def _transpose_steps(row: Row) -> list[Step]:
    layer = row.layer
    steps = []
    names = [f"output {SIZE_NAMES.get(name, name)}" for name in axis_names(row.input)]
    for axis, label in enumerate(names):
        size, stride = row.input[axis], layer.stride[axis]
        span = layer.dilation[axis] * (layer.kernel[axis] - 1) + 1
        if layer.padding == "same":  # Keras: H·S
            formula = f"{size}·{stride}"
        elif layer.padding == "valid":  # Keras: H·S + max(F − S, 0)
            formula = f"{size}·{stride} + max({span} − {stride}, 0)"
        else:
            formula = (f"({size} − 1)·{stride} − 2·{layer.padding[axis]} + "
                       f"{layer.dilation[axis]}·({layer.kernel[axis]} − 1) + "
                       f"{layer.output_padding[axis]} + 1")
        steps.append(Step(label, formula, str(row.output[axis])))
    per_input = numel(layer.kernel) * layer.filters // layer.groups
    return steps + [
        Step("output shape", "", shape_str(row.output, times="×")),
        Step("weights", f"{row.input[-1]} × {per_input}", _n(row.weights)),
        Step("params", f"{_n(row.weights)} + {row.biases}", _n(row.params)),
        Step("MACs", f"{'·'.join(map(str, row.input))} × {per_input}", _n(row.macs))]


def _total_steps(rows: list[Row], whole: bool) -> list[Step]:
    """How the totals add up from the layers that carry parameters and MACs."""
    label = "total" if whole else "selected"
    steps = []
    for figure in ("params", "macs"):
        parts = [getattr(row, figure) for row in rows if getattr(row, figure)]
        total = sum(parts)
        shown = " + ".join(_n(part) for part in parts[:12]) + (" + …" if len(parts) > 12 else "")
        name = "MACs" if figure == "macs" else figure
        steps.append(Step(f"{label} {name}", shown if len(parts) > 1 else "", _n(total)))
    return steps


# -- SPEC §7 types: the arithmetic each one does, written out --------------------------------
def _sizes(row: Row) -> tuple[str, str]:
    return "×".join(map(str, row.input[:-1])), "×".join(map(str, row.output[:-1]))


def _pixelshuffle_steps(row: Row) -> list[Step]:
    """pixelshuffle multiplies the sizes by r and divides the channels by r^rank;
    pixelunshuffle does the reverse."""
    r, rank = row.layer.factor, len(row.input) - 1
    block = f"{r}{'²' if rank == 2 else f'^{rank}'}"
    before, after = _sizes(row)
    up = row.type == "pixelshuffle"
    spread, gather = ("×", "/") if up else ("/", "×")
    return [Step("spatial", f"{before} {spread} {r}", after,
                 "each r×r block from r² channels" if up else "each r×r block into channels"),
            Step("channels", f"{row.input[-1]} {gather} {block}", str(row.output[-1])),
            Step("output shape", "", shape_str(row.output, times="×"), "no parameters")]


def _slice_steps(row: Row) -> list[Step]:
    start, stop = row.layer.channels
    return [Step("channels", f"{stop} − {start}", str(row.output[-1]),
                 f"channels {start}…{stop - 1} of {row.input[-1]} (stop exclusive)"),
            Step("output shape", "", shape_str(row.output, times="×"), "no parameters")]


def _channelshuffle_steps(row: Row) -> list[Step]:
    groups, width = row.layer.groups, row.input[-1]
    return [Step("channels", f"{groups} groups × {width // groups}", str(width),
                 f"viewed {groups}×{width // groups}, transposed, flattened"),
            Step("output shape", "", "same shape, no parameters")]


def _norm_steps(row: Row) -> list[Step]:
    width, layer = row.input[-1], row.layer
    steps = []
    if row.type == "groupnorm":
        steps.append(Step("channels per group", f"{width} / {layer.groups}",
                          str(width // layer.groups), "mean and variance per group"))
    elif row.type == "layernorm":
        steps.append(Step("normalised over", "", f"the {width} channels at each position"))
    else:
        steps.append(Step("normalised over", "", "each channel's positions, per sample"))
    affine = getattr(layer, "affine", False)
    steps.append(Step("params", f"2 × {width} (γ and β per channel)" if affine else "",
                      _n(row.params), "" if affine else "affine: false"))
    if row.buffers:
        steps.append(Step("buffers", f"2 × {width} (running mean and variance)",
                          _n(row.buffers)))
    return steps


def _per_channel_steps(row: Row) -> list[Step]:
    what = {"prelu": "slope", "layerscale": "scale γ"}[row.type]
    width = row.input[-1]
    per_channel = row.params == width and width != 1
    formula, note = (f"{width} channels × 1 {what}", "") if per_channel else ("", f"one {what}")
    return [Step("params", formula, _n(row.params), f"{note}; elementwise: no MACs".lstrip("; ")),
            Step("output", "", "same shape")]


SECTION7_STEPS = {
    "pixelshuffle": _pixelshuffle_steps, "pixelunshuffle": _pixelshuffle_steps,
    "slice": _slice_steps, "channelshuffle": _channelshuffle_steps,
    "groupnorm": _norm_steps, "layernorm": _norm_steps, "instancenorm": _norm_steps,
    "prelu": _per_channel_steps, "layerscale": _per_channel_steps,
}
