"""One-layer answer cards: every figure of a conv or pooling layer, derived with the user's numbers.

The numbers come from layers.py (output_shape, counts) and fit.py (AxisFit); this module only
writes down how they arise, the way a worked homework solution would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..engine.fit import AxisFit, advice
from ..engine.layers import AvgPool, Conv, Layer, MaxPool, Pool
from ..engine.receptive import Field
from ..engine.shapes import Shape, numel, shape_str
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
    first, second = axes
    return (first.size, first.kernel, first.stride, first.pad_before, first.pad_after,
            first.dilation) == (second.size, second.kernel, second.stride, second.pad_before,
                                second.pad_after, second.dilation)


def _size_steps(layer: Layer, shape: Shape, out: Shape) -> tuple[list[Step], list[str],
                                                                    list[str]]:
    """Output height/width with the lecture formula, plus the does-not-fit explanation."""
    axes = layer.axis_fits(shape)
    labelled = ([("output size", axes[0], out[0])] if _same_axes(axes)
                else [("output height", axes[0], out[0]), ("output width", axes[1], out[1])])
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
        warnings.extend(_misfit_lines(layer, axis, size, both))
    for axis in axes[:1] if both else axes:
        if axis.stride > axis.span:  # the division may be exact, yet rows are skipped
            what = "rows and columns" if both else f"{axis.axis}s"
            warnings.append(f"stride {axis.stride} > kernel {axis.span}: {axis.stride - axis.span}"
                            f" of every {axis.stride} input {what} between windows are never "
                            "read")
    return steps, warnings, notes


def _misfit_lines(layer: Layer, axis: AxisFit, size: int, both: bool) -> list[str]:
    """Why it does not fit and what would, in summary's words, plus the strides that fit."""
    label = "rows and columns" if both else axis.axis + "s"
    strides = axis.fitting_strides(axis.span)
    return [*advice(axis, label, layer.max_padding()),
            f"strides ≤ {axis.span} that fit: " + ", ".join(map(str, strides))]


def layer_card(layer: Layer, shape: Shape) -> Card:
    """The answer card of a Conv, MaxPool or AvgPool layer on `shape` (H, W, C)."""
    if not isinstance(layer, (Conv, Pool)):
        raise ShapeError(f"an answer card needs a conv or pooling layer, not {layer.type}")
    out = layer.output_shape(shape)
    counts = layer.counts(shape, out)
    steps, warnings, notes = _size_steps(layer, shape, out)
    steps.append(Step("output shape", "", shape_str(out, times="×")))
    kh, kw = layer.kernel
    neurons = numel(out)
    steps.append(Step("neurons", "·".join(map(str, out)), _n(neurons)))
    if isinstance(layer, Conv):
        steps += _conv_steps(layer, shape, neurons, counts)
    else:
        steps += [Step("inputs per neuron", f"{kh}·{kw}", _n(kh * kw), "one window per channel"),
                  Step("connections", f"{_n(neurons)} × {kh * kw}", _n(counts.connections)),
                  Step("params", "", "0", "pooling has no weights or biases"),
                  Step("MACs", "", "0", "max/mean are not multiply-accumulates")]
    rf = Field().after(layer.rf_steps(shape)).rf
    dilation = getattr(layer, "dilation", (1, 1))
    rf_formula = ""
    if dilation != (1, 1):
        rf_formula = " × ".join(f"({d}·({k}−1) + 1)"
                                for d, k in zip(dilation, layer.kernel, strict=True))
    steps.append(Step("receptive field", rf_formula,
                      f"{format_number(rf[0])}×{format_number(rf[1])}",
                      "of this layer alone"))
    return Card(_title(layer, shape), shape, out, steps, warnings, notes)


def _conv_steps(layer: Conv, shape: Shape, neurons: int, counts) -> list[Step]:
    kh, kw = layer.kernel
    groups, filters = layer.resolve(shape)
    per_neuron = layer.inputs_per_neuron(shape)
    channels = str(shape[-1]) if groups == 1 else f"({shape[-1]}/{groups})"
    inputs = f"{kh}·{kw}·{channels}"
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


def _pair(pair: tuple[int, int]) -> str:
    return str(pair[0]) if pair[0] == pair[1] else f"{pair[0]}×{pair[1]}"


def _title(layer: Layer, shape: Shape) -> str:
    padding = layer.padding
    if padding != "same":
        top, bottom, left, right = padding
        padding = str(top) if len(set(padding)) == 1 else str(list(padding))
    text = f"{layer.kernel[0]}×{layer.kernel[1]}"
    if isinstance(layer, Conv):
        filters = layer.resolve(shape)[1]
        text = f"conv {text}, {filters} filter{'s' if filters != 1 else ''}"
        if layer.dilation != (1, 1):
            text += f", dilation {_pair(layer.dilation)}"
        if layer.groups > 1 or layer.depthwise:
            text += f", groups {layer.resolve(shape)[0]}"
    else:
        text = f"{layer.type} {text}"
    return (f"{text}, stride {_pair(layer.stride)}, padding {padding} "
            f"on {shape_str(shape, times='×')}")


# -- building a single layer from command-line numbers ---------------------------------------
Pair = tuple[int, int]


def _both(value: int | Pair) -> Pair:
    return (value, value) if isinstance(value, int) else tuple(value)


def _padding(value: int | Pair | str):
    """An int, [h, w] or 'same'/'valid' as a layer's padding option."""
    if value == "same":
        return "same"
    if value == "valid":
        return (0,) * 4
    height, width = _both(value)
    return (height, height, width, width)


def conv_layer(filters: int, kernel: int | Pair, stride: int | Pair = 1,
               padding: int | Pair | str = 0, dilation: int | Pair = 1, groups: int = 1,
               bias: bool = True) -> Conv:
    return Conv("conv", filters=filters, kernel=_both(kernel), stride=_both(stride),
                padding=_padding(padding), dilation=_both(dilation), groups=groups,
                depthwise=False, bias=bias)


def pool_layer(kernel: int | Pair, stride: int | Pair | None = None,
               padding: int | Pair | str = 0, mode: str = "max",
               ceil_mode: bool = False) -> MaxPool | AvgPool:
    cls = MaxPool if mode == "max" else AvgPool
    stride = kernel if stride is None else stride
    return cls(cls.type, kernel=_both(kernel), stride=_both(stride), padding=_padding(padding),
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


def explore(make, shape: Shape, what: str, wanted: tuple[int, int] | None = None) -> Choices:
    """The values of `what` that fit by §2 over SPEC §12's ranges (paddings 0…F−1, pools
    0…⌊F/2⌋; strides 1…room + 1; kernels 1…H + 2P giving `wanted`), found in closed form
    (homework/inverse.py) and listed up to limits.CARD_LISTED."""
    from .inverse import fitting_kernels, fitting_paddings, fitting_strides_loosely

    probe = make(1 if what == "kernel" else 0 if what == "padding" else 1)
    axes = probe.axis_fits(shape)
    complete = True
    if what == "padding":
        top = probe.kernel[0] // 2 if isinstance(probe, Pool) else axes[0].span - 1
        values = fitting_paddings([(axis.size, axis.span, axis.stride) for axis in axes], top)
        note = (f"paddings 0–{top} (PyTorch allows at most half the kernel)"
                if isinstance(probe, Pool) else
                f"paddings 0–{top} (more padding than F−1 only adds zeros)")
    elif what == "stride":
        rooms = [(axis.size + axis.pad_before + axis.pad_after - axis.span, axis.pad_after)
                 for axis in axes]
        top = max(max(room for room, _ in rooms) + 1, 1)
        values, complete = fitting_strides_loosely(rooms, top)
        note = f"strides 1–{top}; a stride above the kernel size skips rows between windows"
    else:
        dilation = getattr(probe, "dilation", (1, 1))[0]
        values = fitting_kernels([(axis.size, axis.stride, axis.pad_before, axis.pad_after)
                                  for axis in axes], wanted, dilation)
        top = axes[0].size + axes[0].pad_before + axes[0].pad_after
        note = f"kernels 1–{top} giving {wanted[0]}×{wanted[1]}"
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
        note += "; leftovers beyond 64 rows of padding not searched"
    if not fitting and what == "padding":
        axis = axes[0]
        total = axis.smallest_total_padding()
        below, above = axis.nearest_sizes()
        sizes = f"{below} or {above}" if below is not None else str(above)
        note += (f"; a total of {total} split [{total // 2}, {total - total // 2}] would, or "
                 f"an input of {sizes} with padding 0")
    title = _title(probe, shape)
    title = (title.replace(", stride 1,", ", stride ?,") if what == "stride"
             else title.replace(", padding 0 on", ", padding ? on") if what == "padding"
             else title.replace("1×1", "?×?", 1) + f" → {wanted[0]}×{wanted[1]}")
    return Choices(what, title, fitting, note, axes[0].span)
