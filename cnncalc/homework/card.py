"""One-layer answer cards: every figure of a conv or pooling layer, derived with the user's numbers.

The numbers come from layers.py (output_shape, counts) and fit.py (AxisFit); this module only
writes down how they arise, the way a worked homework solution would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.fit import AxisFit, advice
from ..engine.layers import AvgPool, Conv, Layer, MaxPool, Pool
from ..engine.options import Each
from ..engine.receptive import Field
from ..engine.shapes import SIZE_NAMES, Shape, axis_names, numel, shape_str
from ..engine.text import format_number
from ..errors import ShapeError
from ..limits import CARD_LISTED


@dataclass(frozen=True)
class Step:
    """One line of a derivation: label, the arithmetic written out, its value, a remark."""

    label: str
    formula: str
    value: str
    note: str = ""

    def __str__(self) -> str:
        text = f"{self.label}: "
        text += f"{self.formula} = {self.value}" if self.formula else self.value
        return text + (f" — {self.note}" if self.note else "")


@dataclass
class Card:
    """The worked answer for one conv/pool layer on one input."""

    title: str
    input: Shape
    output: Shape
    steps: list[Step]
    warnings: list[str] = field(default_factory=list)  # does-not-fit details
    notes: list[str] = field(default_factory=list)  # inexact, but only padding is lost

    @property
    def fits(self) -> bool:
        return not self.warnings


def _n(value: int) -> str:
    return f"{value:,}"


def _same_axes(axes: list[AxisFit]) -> bool:
    """Every axis does the same arithmetic (one line says it all); a 1-D input has one."""
    return len({(axis.size, axis.kernel, axis.stride, axis.pad_before, axis.pad_after,
                 axis.dilation) for axis in axes}) == 1


def _size_steps(layer: Layer, shape: Shape, out: Shape) -> tuple[list[Step], list[str],
                                                                    list[str]]:
    """Output height/width with the lecture formula, plus the does-not-fit explanation."""
    axes = layer.axis_fits(shape)
    labelled = ([("output size", axes[0], out[0])] if _same_axes(axes)
                else [(f"output {SIZE_NAMES.get(axis.axis, axis.axis)}", axis, out[a])
                      for a, axis in enumerate(axes)])
    steps, warnings, notes = [], [], []
    both = len(labelled) == 1
    for label, axis, size in labelled:
        quotient = format_number(axis.quotient)
        if axis.exact:
            steps.append(Step(label, axis.formula(), quotient))
            continue
        if layer.fit_exempt:
            reason = "ceil_mode rounds up" if getattr(layer, "ceil_mode", False) else "'same'"
            steps.append(Step(label, axis.formula(), quotient, f"inexact → {size} ({reason})"))
            continue
        if axis.fits:
            steps.append(Step(label, axis.formula(), quotient, f"inexact → {size}"))
            notes.append(f"{label} {size} fits: only padding left over after the last "
                         "window (the last padding row is unused)")
            continue
        steps.append(Step(label, axis.formula(), quotient, "does not fit"))
        warnings.extend(_misfit_lines(layer, axis, size, both, shape))
    for axis in axes[:1] if both else axes:
        if axis.stride > axis.span:  # the division may be exact, yet rows are skipped
            what = _every_axis(shape) if both else f"{axis.axis}s"
            warnings.append(f"stride {axis.stride} > kernel {axis.span}: {axis.stride - axis.span}"
                            f" of every {axis.stride} input {what} between windows are never "
                            "read")
    return steps, warnings, notes


def _every_axis(shape: Shape) -> str:
    """'rows and columns', 'frames, rows and columns', 'samples': all axes of the input."""
    names = [name + "s" for name in axis_names(shape)]
    return " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _misfit_lines(layer: Layer, axis: AxisFit, size: int, both: bool, shape: Shape
                  ) -> list[str]:
    """Why it does not fit and what would, in summary's words, plus the strides that fit."""
    label = _every_axis(shape) if both else axis.axis + "s"
    strides = axis.fitting_strides(axis.span)
    return [*advice(axis, label, layer.max_padding()),
            f"strides ≤ {axis.span} that fit: " + ", ".join(map(str, strides))]


def layer_card(layer: Layer, shape: Shape) -> Card:
    """The answer card of a Conv, MaxPool or AvgPool layer on `shape` (L×C, H×W×C or
    D×H×W×C: every figure with the kernel volume, the sizes per axis)."""
    if not isinstance(layer, (Conv, Pool)):
        raise ShapeError(f"an answer card needs a conv or pooling layer, not {layer.type}")
    out = layer.output_shape(shape)
    counts = layer.counts(shape, out)
    steps, warnings, notes = _size_steps(layer, shape, out)
    if len(shape) == 2 and shape[1] > 1:  # L×C (SPEC §8), or an image without its channels?
        notes.append(f"{shape_str(shape)} is read as 1-D: length {shape[0]}, {shape[1]} "
                     f"channels (a {shape[0]}×{shape[1]} image is {shape[0]}x{shape[1]}x1)")
    steps.append(Step("output shape", "", shape_str(out, times="×")))
    volume, window = numel(layer.kernel), "·".join(map(str, layer.kernel))
    neurons = numel(out)
    steps.append(Step("neurons", "·".join(map(str, out)), _n(neurons)))
    if isinstance(layer, Conv):
        steps += _conv_steps(layer, shape, neurons, counts)
    else:
        steps += [Step("inputs per neuron", window, _n(volume), "one window per channel"),
                  Step("connections", f"{_n(neurons)} × {volume}", _n(counts.connections)),
                  Step("params", "", "0", "pooling has no weights or biases"),
                  Step("MACs", "", "0", "max/mean are not multiply-accumulates")]
    rf = Field.of_input(len(shape) - 1).after(layer.rf_steps(shape)).rf
    dilation = getattr(layer, "dilation", (1,) * len(rf))
    rf_formula = ""
    if any(d != 1 for d in dilation):
        rf_formula = " × ".join(f"({d}·({k}−1) + 1)"
                                for d, k in zip(dilation, layer.kernel, strict=True))
    steps.append(Step("receptive field", rf_formula,
                      "×".join(map(format_number, rf)),
                      "of this layer alone"))
    return Card(_title(layer, shape), shape, out, steps, warnings, notes)


def _conv_steps(layer: Conv, shape: Shape, neurons: int, counts) -> list[Step]:
    groups, filters = layer.resolve(shape)
    per_neuron = layer.inputs_per_neuron(shape)
    channels = str(shape[-1]) if groups == 1 else f"({shape[-1]}/{groups})"
    inputs = "·".join([*map(str, layer.kernel), channels])
    bias = 1 if layer.bias else 0
    steps = [Step("weights per neuron", inputs + (" + 1 bias" if bias else ""),
                  _n(per_neuron + bias), "n + 1 with bias" if bias else "n, no bias"),
             Step("connections", f"{_n(neurons)} × {_n(per_neuron + bias)}",
                  _n(counts.connections)),
             Step("weights", f"{inputs} × {filters}", _n(counts.weights)),
             Step("biases", "", _n(counts.biases), "one per filter" if bias else "no bias")]
    params = f"({_n(per_neuron)} + 1) × {filters}" if bias else f"{_n(per_neuron)} × {filters}"
    steps += [Step("params", params, _n(counts.params)),
              Step("MACs", f"{_n(neurons)} × {_n(per_neuron)}", _n(counts.macs)),
              Step("FLOPs", f"2 × {_n(counts.macs)}", _n(2 * counts.macs))]
    return steps


def _pair(pair: tuple[int, ...]) -> str:
    return str(pair[0]) if len(set(pair)) == 1 else "×".join(map(str, pair))


def _title(layer: Layer, shape: Shape) -> str:
    padding = layer.padding
    if padding != "same":
        symmetric = all(padding[a] == padding[a + 1] for a in range(0, len(padding), 2))
        if len(set(padding)) == 1:
            padding = str(padding[0])
        elif symmetric and len(padding) != 4:  # 1-D, 3-D: one number per axis
            padding = _pair(padding[::2])
        else:
            padding = str(list(padding))
    text = "×".join(map(str, layer.kernel))
    if isinstance(layer, Conv):
        filters = layer.resolve(shape)[1]
        text = f"conv {text}, {filters} filter{'s' if filters != 1 else ''}"
        if any(d != 1 for d in layer.dilation):
            text += f", dilation {_pair(layer.dilation)}"
        if layer.groups > 1 or layer.depthwise:
            text += f", groups {layer.resolve(shape)[0]}"
    else:
        text = f"{layer.type} {text}"
    return (f"{text}, stride {_pair(layer.stride)}, padding {padding} "
            f"on {shape_str(shape, times='×')}")


# -- building a single layer from command-line numbers ---------------------------------------
PerAxis = int | tuple[int, ...]


def _axes(value: PerAxis, sides: bool = False) -> tuple[int, ...]:
    """An int (every axis, resolved for the input's rank by engine/options.py) or one value
    per axis ([h, w] on a 2-D input; 1x2x2 on a 3-D one)."""
    if isinstance(value, tuple):
        return value
    return Each((value,) * (4 if sides else 2))


def _padding(value: PerAxis | str):
    """An int, one per axis, or 'same'/'valid'/'causal' as a layer's padding option."""
    if value in ("same", "causal"):
        return value
    return _axes(0 if value == "valid" else value, sides=True)


def conv_layer(filters: int, kernel: PerAxis, stride: PerAxis = 1,
               padding: PerAxis | str = 0, dilation: PerAxis = 1, groups: int = 1,
               bias: bool = True) -> Conv:
    return Conv("conv", filters=filters, kernel=_axes(kernel), stride=_axes(stride),
                padding=_padding(padding), dilation=_axes(dilation), groups=groups,
                depthwise=False, bias=bias)


def pool_layer(kernel: PerAxis, stride: PerAxis | None = None, padding: PerAxis | str = 0,
               mode: str = "max", ceil_mode: bool = False) -> MaxPool | AvgPool:
    cls = MaxPool if mode == "max" else AvgPool
    stride = kernel if stride is None else stride
    return cls(cls.type, kernel=_axes(kernel), stride=_axes(stride), padding=_padding(padding),
               ceil_mode=ceil_mode)


@dataclass
class Choices:
    """Answer to `--padding ?`, `--stride ?` or `--kernel ?`: every value that fits by §2 in
    the searched range, its output, the formula, and whether the division is exact."""

    what: str  # "padding", "stride" or "kernel"
    title: str  # the layer with the unknown written as '?'
    fitting: list[tuple[int, Shape, str, bool]]  # value, output, formula, exact
    note: str = ""
    span: int = 0  # the kernel's span: a stride above it skips input


def explore(make, shape: Shape, what: str, wanted: tuple[int, ...] | None = None) -> Choices:
    """The values of `what` that fit by §2 over SPEC §12's ranges (paddings 0…F−1, pools
    0…⌊F/2⌋; strides 1…room + 1; kernels 1…H + 2P giving `wanted`, one size per axis or one
    for all), found in closed form (homework/inverse.py) and listed up to limits.CARD_LISTED.
    The searched value is one integer for every axis of the input's rank (an `Each`)."""
    from .inverse import MOST_LEFTOVER, fitting_kernels, fitting_paddings, fitting_strides_loosely

    probe = make(0 if what == "padding" else 1)
    axes = probe.axis_fits(shape)  # resolves the per-axis options for the input's rank
    complete = True
    if what == "padding":
        # the largest span decides when more padding only adds zeros; PyTorch caps a pool's
        # padding at half its smallest window
        top = (min(probe.kernel) // 2 if isinstance(probe, Pool)
               else max(axis.span for axis in axes) - 1)
        values = fitting_paddings([(axis.size, axis.span, axis.stride) for axis in axes], top)
        note = (f"paddings 0–{top} (PyTorch allows at most half the kernel)"
                if isinstance(probe, Pool) else
                f"paddings 0–{top} (more padding than F−1 only adds zeros)")
    elif what == "stride":
        rooms = [(axis.size + axis.pad_before + axis.pad_after - axis.span, axis.pad_after)
                 for axis in axes]
        top = max(max(room for room, _ in rooms) + 1, 1)
        values, complete = fitting_strides_loosely(rooms, top)
        skipped = "rows" if len(axes) == 2 else "input"
        note = f"strides 1–{top}; a stride above the kernel size skips {skipped} between windows"
    else:
        if len(wanted) != len(axes):
            wanted = (wanted[0],) * len(axes)
        values = fitting_kernels([(axis.size, axis.stride, axis.pad_before, axis.pad_after)
                                  for axis in axes], wanted,
                                 tuple(axis.dilation for axis in axes))
        top = min(axis.size + axis.pad_before + axis.pad_after for axis in axes)
        note = f"kernels 1–{top} giving {'×'.join(map(str, wanted))}"
    fitting, more = [], False
    for value in values:
        if len(fitting) == CARD_LISTED.value:
            more = True
            break
        try:
            layer = make(value)
            out = layer.output_shape(shape)
        except ShapeError:
            continue
        fits = layer.axis_fits(shape)
        formulas = dict.fromkeys(f"{axis.formula()} = {format_number(axis.quotient)}"
                                 for axis in fits)
        fitting.append((value, out, "; ".join(formulas), all(axis.exact for axis in fits)))
    if more:
        note += f"; {CARD_LISTED.error(f'more than {CARD_LISTED.value}').message}"
    if not complete:
        note += f"; leftovers beyond {MOST_LEFTOVER} rows of padding not searched"
    if not fitting and what == "padding":
        axis = axes[0]
        total = axis.smallest_total_padding()
        below, above = axis.nearest_sizes()
        sizes = f"{below} or {above}" if below is not None else str(above)
        note += (f"; a total of {total} split [{total // 2}, {total - total // 2}] would, or "
                 f"an input of {sizes} with padding 0")
    title = _title(probe, shape)
    ones, unknown = "×".join("1" * len(axes)), "×".join("?" * len(axes))
    title = (title.replace(", stride 1,", ", stride ?,") if what == "stride"
             else title.replace(", padding 0 on", ", padding ? on") if what == "padding"
             else title.replace(f" {ones},", f" {unknown},", 1)
             + f" → {'×'.join(map(str, wanted))}")
    # a stride above the narrowest window skips input on that axis
    return Choices(what, title, fitting, note, min(axis.span for axis in axes))
