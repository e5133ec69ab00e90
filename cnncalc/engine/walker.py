"""The walk behind `analyze`: the layer tree with a tensor in hand, one Row per executed layer.

Each node reads the previous node's output, or a named tensor (`from:`); composites and
merges say how several tensors combine (shape rules in merges.py). Every row records the
tensors it reads, so that the data flow (dataflow.py) and "never used" follow from the rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import CnnCalcError, ShapeError, SpecError
from ..limits import COMPUTED_SIZE_DIGITS
from .figures import EXPECTABLE
from .fit import misfit_message, skip_message
from .layers import BatchNorm, Conv, Counts, Layer
from .layers.base import pair_text
from .merges import added, broadcast, concatenated, split_parts, unused_rows
from .model import (
    MERGE_KINDS,
    PREVIOUS,
    Aux,
    Concat,
    Expectation,
    Gate,
    Merge,
    Node,
    Residual,
    Sequential,
    Split,
)
from .receptive import Field
from .rows import Check, Group, Row, sum_rows
from .shapes import Shape, channels, is_spatial, numel, shape_str, spatial_sizes
from .text import format_number


@dataclass
class Flowing:
    """A tensor as the walk carries it: its shape, receptive field and the row (or input)
    that made it."""

    shape: Shape
    field: Field
    tensor: str


def figures_of(output: Shape, rows: list[Row], field_: Field) -> dict[str, Any]:
    """Every expectable figure of these rows: the totals, the output shape, the field."""
    totals = sum_rows(rows)
    got: dict[str, Any] = {key: getattr(totals, key) for key in EXPECTABLE
                           if hasattr(totals, key)}
    got.update(output=output, rf=field_.pixels)
    return got


class Walker:
    def __init__(self, referenced: set[str]) -> None:
        self.rows: list[Row] = []
        self.paths: dict[str, str] = {}  # row path → its type: every path names one row
        self.groups: list[Group] = []
        self.checks: list[Check] = []
        self.referenced = referenced  # node paths some entry reads by name
        self.tensors: dict[str, Flowing] = {}  # inputs and referenced node outputs
        self.aux_heads: dict[str, Flowing] = {}  # aux entry path → its head's result
        self.in_aux = 0

    def add(self, row: Row) -> None:
        """Append a row; a path already taken (a layer named like a generated row, such as
        'residual1.add') would make two rows one in JSON and in the referee's check."""
        if row.path in self.paths:
            raise SpecError(f"two rows would have the path '{row.path}' (one is "
                            f"{self.paths[row.path]}, one {row.type}); rename the layer so that "
                            "its path is unique")
        self.paths[row.path] = row.type
        row.aux = self.in_aux > 0
        self.rows.append(row)

    def merge_row(self, path: str, kind: str, inputs: list[Flowing], out: Shape, depth: int,
                  ancestors: tuple[str, ...], notes: list[str] | None = None,
                  input: Shape | None = None) -> Flowing:
        """An add, multiply or concat row: no params, no MACs; each output neuron of a sum or
        product reads one value per input, of a concatenation one value."""
        fan_in = 1 if kind == "concat" else len(inputs)
        merged = Field.widest([flow.field for flow in inputs])
        self.add(Row(path, kind, kind, input or inputs[0].shape, out, depth, ancestors,
                     Counts(connections=numel(out) * fan_in), merged, notes=notes or [],
                     reads=tuple(flow.tensor for flow in inputs)))
        return Flowing(out, merged, path)

    def sequence(self, nodes: list[Node], x: Flowing, depth: int,
                 ancestors: tuple[str, ...]) -> Flowing:
        for node in nodes:
            x = self.node(node, x, depth, ancestors)
        return x

    def node(self, node: Node, x: Flowing, depth: int, ancestors: tuple[str, ...]) -> Flowing:
        start = len(self.rows)
        try:
            if node.source is not None:
                x = self.tensors[node.source]
            if isinstance(node, Layer):
                out = result = self.leaf(node, node.path, x, depth, ancestors)
            elif isinstance(node, Merge):
                out = result = self.merge(node, x, depth, ancestors)
            else:
                group = Group(node.path, getattr(node, "kind", node.type), depth, start,
                              input=x.shape)
                self.groups.append(group)
                inner = (*ancestors, node.path)
                out = getattr(self, node.type)(node, x, depth + 1, inner)
                result = self.aux_heads[node.path] if isinstance(node, Aux) else out
                group.end, group.output = len(self.rows), result.shape
        except CnnCalcError as error:
            if getattr(node, "kind", "sequential") not in ("sequential", *MERGE_KINDS):
                error.inside(node.kind, node.path, node.where.get("line"))  # a block call
            raise error.locate(**node.where) from None
        if node.path in self.referenced:
            self.tensors[node.path] = result
        for expectation in getattr(node, "expect", []):
            self.check(node.path, expectation, result.shape, self.rows[start:], result.field)
        return out

    def check(self, path: str, expectation: Expectation, out: Shape, rows: list[Row],
              field_: Field) -> None:
        got = figures_of(out, rows, field_)[expectation.figure]
        check = Check(path, expectation.figure, expectation.expected(got), got)
        self.checks.append(check)
        if rows and rows[-1].path == path:
            rows[-1].checks.append(check)

    def leaf(self, layer: Layer, path: str, x: Flowing, depth: int,
             ancestors: tuple[str, ...]) -> Flowing:
        shape = x.shape
        if layer.target is not None:  # `to: NAME`: sized by that tensor
            target = self.tensors[layer.target].shape
            if len(target) != len(shape):
                raise ShapeError(f"'to: {layer.target}' is {shape_str(target)}, not a map of "
                                 f"this rank like {shape_str(shape)}")
            layer = layer.toward(spatial_sizes(shape), spatial_sizes(target))
        out = layer.output_shape(shape)
        check_printable(out)
        counts = layer.counts(shape, out)
        field_ = x.field.after(layer.rf_steps(shape)) if is_spatial(shape) else x.field
        row = Row(path, layer.type, layer.describe(), shape, out, depth, ancestors, counts,
                  field_, layer=layer, notes=layer.notes(shape), reads=(x.tensor,))
        self.fit(row, layer, shape)
        self.add(row)
        return Flowing(out, field_, path)

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

    def sequential(self, node: Sequential, x: Flowing, depth: int,
                   ancestors: tuple[str, ...]) -> Flowing:
        return self.sequence(node.children, x, depth, ancestors)

    def residual(self, node: Residual, x: Flowing, depth: int,
                 ancestors: tuple[str, ...]) -> Flowing:
        body = self.sequence(node.body, x, depth, ancestors)
        shortcut = node.shortcut
        if shortcut == "auto":
            shortcut = "identity" if body.shape == x.shape else "projection"
        if isinstance(shortcut, list):
            short = self.sequence(shortcut, x, depth, ancestors)
        elif shortcut == "projection":
            short = self.projection(node, x, body.shape, depth, ancestors)
        else:
            short = x
        if short.shape != body.shape:
            raise ShapeError(f"residual body gives {shape_str(body.shape)} but the shortcut "
                             f"gives {shape_str(short.shape)}; use 'shortcut: projection' (or "
                             "make the body keep the shape)")
        out = self.merge_row(f"{node.path}.add", "add", [body, short], body.shape, depth,
                             ancestors)
        if node.activation is not None:
            out = self.leaf(node.activation, node.activation.path, out, depth, ancestors)
        return out

    def projection(self, node: Residual, x: Flowing, target: Shape, depth: int,
                   ancestors: tuple[str, ...]) -> Flowing:
        """torchvision's downsample: 1×1 conv (no bias), stride ⌈in/out⌉, then batchnorm."""
        shape = x.shape
        if not (is_spatial(shape) and is_spatial(target)):
            raise ShapeError(f"a projection shortcut needs H×W×C shapes, got {shape_str(shape)} "
                             f"→ {shape_str(target)}")
        stride = tuple(-(-size // want) for size, want
                       in zip(spatial_sizes(shape), spatial_sizes(target), strict=True))
        conv = Conv("conv", filters=channels(target), kernel=(1,) * len(stride), stride=stride,
                    padding=(0,) * 2 * len(stride), dilation=(1,) * len(stride), groups=1,
                    depthwise=False, bias=False)
        prefix = f"{node.path}.shortcut"
        out = self.leaf(conv, f"{prefix}.conv", x, depth, ancestors)
        if out.shape != target:
            raise ShapeError(f"no 1×1 projection maps {shape_str(shape)} to the body's "
                             f"{shape_str(target)} (stride {pair_text(stride)} gives "
                             f"{shape_str(out.shape)})")
        return self.leaf(BatchNorm("bn"), f"{prefix}.bn", out, depth, ancestors)

    def concat(self, node: Concat, x: Flowing, depth: int,
               ancestors: tuple[str, ...]) -> Flowing:
        outputs = [self.sequence(branch, x, depth, ancestors) for branch in node.branches]
        out, notes = concatenated([flow.shape for flow in outputs], node.crop)
        return self.merge_row(f"{node.path}.concat", "concat", outputs, out, depth, ancestors,
                              notes, input=x.shape)

    def merge(self, node: Merge, x: Flowing, depth: int,
              ancestors: tuple[str, ...]) -> Flowing:
        inputs = [x if source == PREVIOUS else self.tensors[source] for source in node.sources]
        shapes = [flow.shape for flow in inputs]
        notes: list[str] = []
        if node.kind == "add":
            out = added(shapes, node.sources)
        elif node.kind == "multiply":
            out = broadcast(shapes, node.sources)
        else:
            out, notes = concatenated(shapes, node.crop)
        return self.merge_row(node.path, node.kind, inputs, out, depth, ancestors, notes)

    def gate(self, node: Gate, x: Flowing, depth: int, ancestors: tuple[str, ...]) -> Flowing:
        values = self.sequence(node.body, x, depth, ancestors)
        out = broadcast([x.shape, values.shape], ["the gate's input", "the gate values"])
        if out != x.shape:
            raise ShapeError(f"the gate values {shape_str(values.shape)} would enlarge its "
                             f"input {shape_str(x.shape)}; a gate is 1×1×C or H×W×1")
        return self.merge_row(f"{node.path}.multiply", "multiply", [x, values], out, depth,
                              ancestors)

    def split(self, node: Split, x: Flowing, depth: int, ancestors: tuple[str, ...]) -> Flowing:
        parts, start = [], 0  # a row per part, then the branches (SPEC §7)
        for index, part in enumerate(split_parts(x.shape, len(node.branches), node.sizes), 1):
            path, stop = f"{node.path}.part{index}", start + channels(part)
            self.add(Row(path, "split", f"split {start}:{stop}", x.shape, part, depth,
                         ancestors, Counts(connections=numel(part)), x.field,
                         reads=(x.tensor,), part=(start, stop)))
            parts.append(Flowing(part, x.field, path))
            start = stop
        outputs = [self.sequence(branch, part, depth, ancestors)
                   for part, branch in zip(parts, node.branches, strict=True)]
        out, notes = concatenated([flow.shape for flow in outputs], "none")
        return self.merge_row(f"{node.path}.concat", "concat", outputs, out, depth, ancestors,
                              notes, input=x.shape)

    def aux(self, node: Aux, x: Flowing, depth: int, ancestors: tuple[str, ...]) -> Flowing:
        self.in_aux += 1
        try:
            # by path: two blocks may each hold an aux head of the same name
            self.aux_heads[node.path] = self.sequence(node.layers, x, depth, ancestors)
        finally:
            self.in_aux -= 1
        return x  # the main path goes on from the head's input

    def mark_unused(self, outputs: set[str]) -> None:
        """One warning per run of entries whose results reach no output, named by the
        outermost entries (a whole unused block is one name, not each of its layers)."""
        flags = unused_rows(self.rows, outputs)
        whole = {group.path for group in self.groups
                 if group.end > group.start and all(flags[group.start:group.end])}
        runs: list[tuple[Row, list[str]]] = []  # (first row, entry names) per run
        previous_unused = False
        for row, unused in zip(self.rows, flags, strict=True):
            if unused:
                key = next((path for path in row.ancestors if path in whole), row.path)
                if not previous_unused:
                    runs.append((row, []))
                if key not in runs[-1][1]:
                    runs[-1][1].append(key)
            previous_unused = unused
        for row, keys in runs:
            named = f"the result of '{keys[0]}' reaches" if len(keys) == 1 else \
                f"the results of '{keys[0]}' … '{keys[-1]}' ({len(keys)} entries) reach"
            row.warnings.append(f"never used: {named} no output (read it with 'from:', list "
                                "it in 'outputs:' or remove it)")


# 1,000 decimal digits need at most this many bits: a size beyond it is refused before any
# figure is formed from it (Python will not even print an integer of over 4,300 digits).
_SIZE_BITS = COMPUTED_SIZE_DIGITS.value * 3322 // 1000


def check_printable(shape: Shape) -> None:
    for size in shape:
        if size.bit_length() > _SIZE_BITS:
            # digits from the bit length, in integers: log10(2) ≈ 0.30103
            raise COMPUTED_SIZE_DIGITS.error(found=size.bit_length() * 30103 // 100000 + 1)
