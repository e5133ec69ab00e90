"""Analysis → rich renderables: the per-layer table, notes and the totals panel.

The only module of the summary path that imports rich; it decides looks, not numbers.
"""

from __future__ import annotations

from rich.console import Group as RichGroup
from rich.console import RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .analysis import Analysis
from .report import DEFAULT_COLUMNS, column_text, display_lines, human_bytes, human_count
from .shapes import shape_str

BAR_WIDTH = 10
RIGHT_ALIGNED = {"params", "weights", "biases", "buffers", "neurons", "connections", "macs",
                 "flops", "memory", "rf"}
TITLES = {"macs": "MACs", "flops": "FLOPs", "rf": "RF", "memory": "act. memory"}


def share_bar(part: int, whole: int) -> str:
    """A ten-cell bar of this layer's share, in eighths of a cell."""
    if not whole or not part:
        return ""
    eighths = round(part / whole * BAR_WIDTH * 8)
    full, rest = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if not rest else "▏▎▍▌▋▊▉"[rest - 1])


def summary_table(analysis: Analysis, columns=DEFAULT_COLUMNS, chw: bool = False,
                  depth: int | None = None, keras: bool = False,
                  verified: bool = False) -> Table:
    bar_figure = "params" if "params" in columns else "macs"
    whole = analysis.totals.params + (analysis.totals.buffers if keras else 0)
    if bar_figure == "macs":
        whole = analysis.totals.macs
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("layer", no_wrap=True)
    table.add_column("type", no_wrap=True)
    for column in columns:
        title_text = TITLES.get(column, column)
        if column == "params" and keras:
            title_text = "params (Keras)"
        table.add_column(title_text, justify="right" if column in RIGHT_ALIGNED else "left",
                         no_wrap=True)
    table.add_column(f"% {TITLES.get(bar_figure, bar_figure)}", no_wrap=True)
    table.add_column("expect", justify="center")
    if verified:
        table.add_column("✓", justify="center")
    for line in display_lines(analysis, depth, keras):
        indent = "  " * line.depth
        style = "bold" if line.kind != "row" else ""
        label = Text(indent + line.label, style=style)
        kind = Text(line.description, style="dim" if line.kind == "header" else "")
        cells = [column_text(line, column, chw) for column in columns]
        bar = share_bar(line.figures[bar_figure], whole) if line.kind != "header" else ""
        row = [label, kind, *cells, bar, _mark(line.checks)]
        if verified:
            row.append(_mark(line.verified))
        table.add_row(*row, style="dim" if line.kind == "header" else None)
    return table


def _mark(mark: str) -> Text:
    return Text(mark, style={"✓": "green", "✗": "bold red"}.get(mark, ""))


def notes_text(analysis: Analysis) -> Text:
    """Failed expectations, does-not-fit warnings, then informational notes."""
    text = Text()
    for check in analysis.failed_checks:
        text.append("✗ ", style="bold red")
        text.append(f"{check.path} {check.figure}: expected {_value(check.expected)}, "
                    f"got {_value(check.got)}\n")
    for row in analysis.rows:
        for warning in row.warnings:
            text.append("⚠ ", style="bold yellow")
            text.append(f"{row.path}: {warning}\n")
        if row.verified is False:
            text.append("✗ ", style="bold red")
            text.append(f"{row.path}: {row.verify_note}\n")
    for row in analysis.rows:
        for note in row.notes:
            text.append("ℹ ", style="cyan")
            text.append(f"{row.path}: {note}\n")
    text.rstrip()
    return text


def _value(value) -> str:
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1]:
            return str(value[0])
        return shape_str(value, times="×")
    return f"{value:,}" if isinstance(value, int) else str(value)


def totals_panel(analysis: Analysis, chw: bool = False, keras: bool = False,
                 verified: bool = False) -> Panel:
    totals = analysis.totals
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.add_column(style="dim")
    shape = shape_str(analysis.input, chw=chw, times="×")
    grid.add_row("input → output", f"{shape} → {shape_str(analysis.output, chw=chw, times='×')}",
                 "")
    grid.add_row("params", f"{totals.params:,}", human_count(totals.params))
    grid.add_row("  weights / biases", f"{totals.weights:,} / {totals.biases:,}", "")
    if totals.buffers or keras:
        grid.add_row("buffers (BN running stats)", f"{totals.buffers:,}", "non-trainable")
    if keras:
        grid.add_row("Keras total params", f"{totals.params + totals.buffers:,}",
                      f"trainable {totals.params:,} + non-trainable {totals.buffers:,}")
    grid.add_row("MACs", f"{totals.macs:,}", human_count(totals.macs))
    grid.add_row("FLOPs", f"{totals.flops:,}", "2 × MACs")
    grid.add_row("connections", f"{totals.connections:,}", human_count(totals.connections))
    grid.add_row("activation memory", human_bytes(totals.activation_bytes),
                 f"float32, batch {analysis.batch}")
    grid.add_row("parameter memory", human_bytes(totals.param_bytes), "float32")
    status = []
    if analysis.checks:
        failed = len(analysis.failed_checks)
        status.append(f"expect {len(analysis.checks) - failed}/{len(analysis.checks)} ✓")
    misfits = len(analysis.misfits)
    status.append("every layer fits" if not misfits else f"{misfits} layer(s) do not fit ⚠")
    if verified:
        bad = sum(1 for row in analysis.rows if row.verified is False)
        done = sum(1 for row in analysis.rows if row.verified is True)
        status.append(f"verified {done}/{len(analysis.rows)} ✓" if not bad
                      else f"{bad} shape mismatch(es) ✗")
    grid.add_row("checks", " · ".join(status), "")
    return Panel(grid, title="totals", title_align="left", expand=False)


def summary(analysis: Analysis, columns=DEFAULT_COLUMNS, chw: bool = False,
            depth: int | None = None, keras: bool = False,
            verified: bool = False) -> RenderableType:
    heading = Text(analysis.name, style="bold")
    if analysis.network.description:
        heading.append(f" — {analysis.network.description}", style="dim")
    parts: list[RenderableType] = [heading,
                                   summary_table(analysis, columns, chw, depth, keras, verified)]
    notes = notes_text(analysis)
    if notes.plain:
        parts.append(notes)
    parts.append(totals_panel(analysis, chw, keras, verified))
    return RichGroup(*parts)
