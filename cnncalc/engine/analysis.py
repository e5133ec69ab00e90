"""Walk the layer tree with a shape: one Row per executed layer, plus totals and checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..errors import CnnCalcError, ShapeError, SpecError
from ..limits import COMPUTED_SIZE_DIGITS
from .figures import EXPECTABLE
from .fit import misfit_message, skip_message
from .layers import BatchNorm, Conv, Counts, Layer
from .layers.base import pair_text
from .model import Concat, Expectation, Network, Node, Residual, Sequential
from .receptive import Field
from .rows import Check, Group, Row, Totals, sum_rows
from .shapes import (
    Shape,
    channels,
    is_spatial,
    numel,
    shape_str,
    spatial_rank,
    spatial_sizes,
    with_spatial,
)
from .text import format_number


@dataclass
class Analysis:
    """Everything `summary` shows: rows in execution order, groups, totals, checks."""

    network: Network
    input: Shape
    batch: int
    output: Shape
    rows: list[Row]
    groups: list[Group]
    totals: Totals
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.network.name

    @property
    def misfits(self) -> list[Row]:
        return [row for row in self.rows if row.fits is False]

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]


def analyze(network: Network, input: Shape | None = None, batch: int | None = None) -> Analysis:
    """Apply the layer arithmetic to every layer of the network."""
    walker = _Walker()
    shape = tuple(input) if input is not None else network.input
    start = Field.of_input(spatial_rank(shape))
    output, final_field = walker.sequence(network.layers, shape, start, 0, ())
    batch = batch if batch is not None else network.batch
    totals = sum_rows(walker.rows, batch)
    figures = _figures(output, walker.rows, final_field)
    checks = walker.checks + [Check("(network)", e.figure, e.value, figures[e.figure])
                              for e in network.expect]
    warnings = [f"{row.path}: {text}" for row in walker.rows for text in row.warnings]
    return Analysis(network, shape, batch, output, walker.rows, walker.groups, totals, checks,
                    warnings)


def _figures(output: Shape, rows: list[Row], field_: Field) -> dict[str, Any]:
    """Every expectable figure of these rows: the totals, the output shape, the field."""
    totals = sum_rows(rows)
    got: dict[str, Any] = {key: getattr(totals, key) for key in EXPECTABLE
                           if hasattr(totals, key)}
    got.update(output=output, rf=field_.pixels)
    return got


class _Walker:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.paths: dict[str, str] = {}  # row path → its type: every path names one row
        self.groups: list[Group] = []
        self.checks: list[Check] = []

    def add(self, row: Row) -> None:
        """Append a row; a path already taken (a layer named like a generated row, such as
        'residual1.add') would make two rows one in JSON and in the referee's check."""
        if row.path in self.paths:
            raise SpecError(f"two rows would have the path '{row.path}' (one is "
                            f"{self.paths[row.path]}, one {row.type}); rename the layer so that "
                            "its path is unique")
        self.paths[row.path] = row.type
        self.rows.append(row)

    def sequence(self, nodes: list[Node], shape: Shape, field_: Field, depth: int,
                 ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        for node in nodes:
            shape, field_ = self.node(node, shape, field_, depth, ancestors)
        return shape, field_

    def node(self, node: Node, shape: Shape, field_: Field, depth: int,
             ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        start = len(self.rows)
        try:
            if isinstance(node, Layer):
                out, field_ = self.leaf(node, node.path, shape, field_, depth, ancestors)
            else:
                group = Group(node.path, getattr(node, "kind", node.type), depth, start,
                              input=shape)
                self.groups.append(group)
                inner = (*ancestors, node.path)
                if isinstance(node, Sequential):
                    out, field_ = self.sequence(node.children, shape, field_, depth + 1, inner)
                elif isinstance(node, Residual):
                    out, field_ = self.residual(node, shape, field_, depth + 1, inner)
                else:
                    out, field_ = self.concat(node, shape, field_, depth + 1, inner)
                group.end, group.output = len(self.rows), out
        except CnnCalcError as error:
            if getattr(node, "kind", "sequential") != "sequential":  # a block call
                error.inside(node.kind, node.path, node.where.get("line"))
            raise error.locate(**node.where) from None
        for expectation in getattr(node, "expect", []):
            self.check(node.path, expectation, out, self.rows[start:], field_)
        return out, field_

    def check(self, path: str, expectation: Expectation, out: Shape, rows: list[Row],
              field_: Field) -> None:
        got = _figures(out, rows, field_)[expectation.figure]
        check = Check(path, expectation.figure, expectation.value, got)
        self.checks.append(check)
        if rows and rows[-1].path == path:
            rows[-1].checks.append(check)

    def leaf(self, layer: Layer, path: str, shape: Shape, field_: Field, depth: int,
             ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        out = layer.output_shape(shape)
        _check_printable(out)
        counts = layer.counts(shape, out)
        field_ = field_.after(layer.rf_steps(shape)) if is_spatial(shape) else field_
        row = Row(path, layer.type, layer.describe(), shape, out, depth, ancestors, counts,
                  field_, layer=layer, notes=layer.notes(shape))
        self.fit(row, layer, shape)
        self.add(row)
        return out, field_

    def fit(self, row: Row, layer: Layer, shape: Shape) -> None:
        axes = layer.axis_fits(shape)
        if not axes:
            return
        row.fits = True
        skipping = any(axis.skips for axis in axes)
        if skipping:  # subsampling by design: ℹ, not ⚠ (SPEC §7)
            row.notes.append(skip_message(axes))
            axes = [axis for axis in axes if not axis.skips]
        if not layer.fit_exempt and not all(axis.fits for axis in axes):
            row.fits = False
            row.warnings.append(misfit_message(axes, layer.max_padding()))
            return
        inexact = next((axis for axis in axes if not axis.exact), None)
        if inexact is None or skipping:  # the skip note already says which rows go unread
            return
        reason = "last padding row unused"
        if getattr(layer, "ceil_mode", False):
            reason = "ceil_mode rounds up"
        elif getattr(layer, "padding", None) == "same":
            reason = "'same' padding chosen"
        row.notes.append(f"inexact: {inexact.formula()} = {format_number(inexact.quotient)}; "
                         f"{reason}")

    def residual(self, node: Residual, shape: Shape, field_: Field, depth: int,
                 ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        body_out, body_field = self.sequence(node.body, shape, field_, depth, ancestors)
        shortcut = node.shortcut
        if shortcut == "auto":
            shortcut = "identity" if body_out == shape else "projection"
        if isinstance(shortcut, list):
            short_out, short_field = self.sequence(shortcut, shape, field_, depth, ancestors)
        elif shortcut == "projection":
            short_out, short_field = self.projection(node, shape, body_out, field_, depth,
                                                     ancestors)
        else:
            short_out, short_field = shape, field_
        if short_out != body_out:
            raise ShapeError(f"residual body gives {shape_str(body_out)} but the shortcut gives "
                             f"{shape_str(short_out)}; use 'shortcut: projection' (or make the "
                             "body keep the shape)")
        merged = Field.widest([body_field, short_field])
        self.add(Row(f"{node.path}.add", "add", "add", body_out, body_out, depth, ancestors,
                     Counts(connections=numel(body_out)), merged))
        out = body_out
        if node.activation is not None:
            out, merged = self.leaf(node.activation, node.activation.path, out, merged, depth,
                                    ancestors)
        return out, merged

    def projection(self, node: Residual, shape: Shape, target: Shape, field_: Field,
                   depth: int, ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        """torchvision's downsample: 1×1 conv (no bias), stride ⌈in/out⌉, then batchnorm."""
        if not (is_spatial(shape) and is_spatial(target)):
            raise ShapeError(f"a projection shortcut needs H×W×C shapes, got {shape_str(shape)} "
                             f"→ {shape_str(target)}")
        stride = tuple(-(-size // want) for size, want
                       in zip(spatial_sizes(shape), spatial_sizes(target), strict=True))
        conv = Conv("conv", filters=channels(target), kernel=(1,) * len(stride), stride=stride,
                    padding=(0,) * 2 * len(stride), dilation=(1,) * len(stride), groups=1,
                    depthwise=False, bias=False)
        prefix = f"{node.path}.shortcut"
        out, field_ = self.leaf(conv, f"{prefix}.conv", shape, field_, depth, ancestors)
        if out != target:
            raise ShapeError(f"no 1×1 projection maps {shape_str(shape)} to the body's "
                             f"{shape_str(target)} (stride {pair_text(stride)} gives "
                             f"{shape_str(out)})")
        return self.leaf(BatchNorm("bn"), f"{prefix}.bn", out, field_, depth, ancestors)

    def concat(self, node: Concat, shape: Shape, field_: Field, depth: int,
               ancestors: tuple[str, ...]) -> tuple[Shape, Field]:
        outputs, fields = [], []
        for branch in node.branches:
            out, branch_field = self.sequence(branch, shape, field_, depth, ancestors)
            outputs.append(out)
            fields.append(branch_field)
        shapes = ", ".join(shape_str(out) for out in outputs)
        if len({len(out) for out in outputs}) > 1:
            raise ShapeError(f"cannot concatenate maps with vectors: {shapes}")
        notes = []
        if is_spatial(outputs[0]):
            smallest = tuple(min(sizes) for sizes in zip(*map(spatial_sizes, outputs), strict=True))
            if any(spatial_sizes(out) != smallest for out in outputs):
                size_text = "×".join(map(str, smallest))
                if node.crop != "center":
                    raise ShapeError(f"branches give different sizes ({shapes}); make them "
                                     f"agree or use 'crop: center' to crop to {size_text}")
                notes = [f"branch {i} centre-cropped {'×'.join(map(str, spatial_sizes(out)))} "
                         f"→ {size_text}"
                         for i, out in enumerate(outputs, 1) if spatial_sizes(out) != smallest]
            out = with_spatial(smallest, sum(channels(out) for out in outputs))
        else:
            out = (sum(out[0] for out in outputs),)
        merged = Field.widest(fields)
        self.add(Row(f"{node.path}.concat", "concat", "concat", shape, out, depth, ancestors,
                     Counts(connections=numel(out)), merged, notes=notes))
        return out, merged


# 1,000 decimal digits need at most this many bits: a size beyond it is refused before any
# figure is formed from it (Python will not even print an integer of over 4,300 digits).
_SIZE_BITS = COMPUTED_SIZE_DIGITS.value * 3322 // 1000


def _check_printable(shape: Shape) -> None:
    for size in shape:
        if size.bit_length() > _SIZE_BITS:
            # digits from the bit length, in integers: log10(2) ≈ 0.30103
            raise COMPUTED_SIZE_DIGITS.error(found=size.bit_length() * 30103 // 100000 + 1)
