"""The analysis of a network: its rows, groups, totals, checks and outputs (walker.py walks)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .model import Network
from .receptive import Field
from .rows import Check, Group, Row, Totals, sum_rows
from .shapes import Shape, channels, shape_str, spatial_rank
from .walker import Flowing, Walker, figures_of


@dataclass
class Analysis:
    """Everything `summary` shows: rows in execution order, groups, totals, checks."""

    network: Network
    input: Shape
    batch: int
    output: Shape  # the main output (the first of `outputs`)
    rows: list[Row]
    groups: list[Group]
    totals: Totals
    checks: list[Check] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    outputs: dict[str, Shape] = field(default_factory=dict)  # every output by name
    output_tensors: dict[str, str] = field(default_factory=dict)  # … and the row making it
    skipped: list[Check] = field(default_factory=list)  # expect checks --input invalidates
    # Every input by name, the first (`input` unless `inputs:` names it) at the size this
    # analysis ran with: `--input` may have changed it.
    inputs: dict[str, Shape] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.network.name

    @property
    def misfits(self) -> list[Row]:
        return [row for row in self.rows if row.fits is False]

    @property
    def failed_checks(self) -> list[Check]:
        return [check for check in self.checks if not check.ok]

    def output_text(self, chw: bool = False, times: str = "x") -> str:
        """The output shape, or every output by name: 'p3 28×28×256, p4 14×14×256'."""
        if len(self.outputs) <= 1:
            return shape_str(self.output, chw=chw, times=times)
        return ", ".join(f"{name} {shape_str(shape, chw=chw, times=times)}"
                         for name, shape in self.outputs.items())

    @property
    def has_aux(self) -> bool:
        return any(row.aux for row in self.rows)

    @property
    def params_without_aux(self) -> int:
        return sum(row.params for row in self.rows if not row.aux)

    @property
    def macs_without_aux(self) -> int:
        return sum(row.macs for row in self.rows if not row.aux)


def analyze(network: Network, input: Shape | None = None, batch: int | None = None) -> Analysis:
    """Apply the layer arithmetic to every layer of the network."""
    inputs = dict(network.inputs) or {"input": network.input}
    first = next(iter(inputs))
    if input is not None:
        inputs[first] = tuple(input)
    walker = Walker(network.referenced)
    for name, shape in inputs.items():
        walker.tensors[name] = Flowing(shape, Field.of_input(spatial_rank(shape)), name)
    last = walker.sequence(network.layers, walker.tensors[first], 0, ())
    outputs = {name: walker.tensors[path] for name, path in network.outputs.items()} or {
        "output": last, **walker.aux_heads}
    main = next(iter(outputs.values()))
    walker.mark_unused({flow.tensor for flow in outputs.values()})
    batch = batch if batch is not None else network.batch
    totals = sum_rows(walker.rows, batch)
    figures = figures_of(main.shape, walker.rows, main.field)
    checks = walker.checks + [Check("(network)", e.figure, e.expected(figures[e.figure]),
                                    figures[e.figure])
                              for e in network.expect]
    warnings = [f"{row.path}: {text}" for row in walker.rows for text in row.warnings]
    written = dict(network.inputs).get(first, network.input)
    checks, skipped = _skip_for_input(checks, walker.rows, written, inputs[first])
    if skipped:
        warnings.append(f"--input {shape_str(inputs[first])}: {len(skipped)} expect check(s) "
                        f"skipped, written for {shape_str(written)}: "
                        + ", ".join(f"{check.path} {check.figure}" for check in skipped))
    return Analysis(network, inputs[first], batch, main.shape, walker.rows, walker.groups,
                    totals, checks, warnings,
                    outputs={name: flow.shape for name, flow in outputs.items()},
                    output_tensors={name: flow.tensor for name, flow in outputs.items()},
                    skipped=skipped, inputs=inputs)


# Figures that change with the input's size; params, weights and biases change only with its
# channels (SPEC §12: an --input override skips the expectations it invalidates).
SHAPE_FIGURES = {"output", "neurons", "connections", "macs", "flops", "rf"}
CHANNEL_FIGURES = {"params", "weights", "biases"}


def _skip_for_input(checks: list[Check], rows: list[Row], written: Shape,
                    used: Shape) -> tuple[list[Check], list[Check]]:
    """(checks that still apply, checks skipped) when `used` overrides the spec's input."""
    if used == written:
        return checks, []
    changed = set(SHAPE_FIGURES)
    if channels(used) != channels(written) or len(used) != len(written):
        changed |= CHANNEL_FIGURES
    for row in rows:
        row.checks = [check for check in row.checks if check.figure not in changed]
    return ([check for check in checks if check.figure not in changed],
            [check for check in checks if check.figure in changed])
