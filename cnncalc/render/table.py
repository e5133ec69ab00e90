"""Analysis → rich renderables: the per-layer table, notes and the totals panel.

The only module of the summary path that imports rich; it decides looks, not numbers.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderableType
from rich.console import Group as RichGroup
from rich.panel import Panel
from rich.segment import Segment
from rich.style import Style
from rich.table import Table
from rich.text import Text

from ..engine.analysis import Analysis
from ..engine.figures import FIGURES, title
from ..engine.shapes import shape_str
from .formats import (
    DEFAULT_COLUMNS,
    column_text,
    display_lines,
    human_bytes,
    human_count,
    printable,
    value_text,
)

BAR_WIDTH = 10
RIGHT_ALIGNED = {figure.key for figure in FIGURES if figure.unit != "shape"}


def share_bar(part: int, whole: int) -> str:
    """A ten-cell bar of this layer's share, in eighths of a cell."""
    if not whole or not part:
        return ""
    # round(part / whole * 80) in integers: a figure may be far beyond a float's range
    eighths, remainder = divmod(part * BAR_WIDTH * 8, whole)
    if 2 * remainder > whole or (2 * remainder == whole and eighths % 2):
        eighths += 1
    full, rest = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if not rest else "▏▎▍▌▋▊▉"[rest - 1])


Cell = tuple[str, str]  # (text, style)


class Grid:
    """A table laid out by hand, yielded as ready-made segments.

    rich's Table measures and pads every cell separately, about 2 ms a row, and a Text
    spends as long again wrapping; a ResNet-152 has 700 lines and a generated spec 60,000.
    We pad once and yield segments, which rich prints as they are. When the grid is wider
    than the console, rich's Table squeezes the columns instead.
    """

    def __init__(self, headers: list[str], right: set[int]) -> None:
        self.headers = headers
        self.right = right
        self.rows: list[tuple[list[Cell], str]] = []

    def add_row(self, cells: list[Cell], style: str = "") -> None:
        self.rows.append((cells, style))

    def widths(self) -> list[int]:
        widths = [cell_len(header) for header in self.headers]
        for cells, _ in self.rows:
            for index, (text, _) in enumerate(cells):
                widths[index] = max(widths[index], cell_len(text))
        return widths

    def __rich_console__(self, console: Console, options: ConsoleOptions):
        widths = self.widths()
        if sum(widths) + 3 * (len(widths) - 1) > options.max_width:
            yield self.as_table()
            return
        styles: dict[str, Style] = {}

        def style(name: str) -> Style | None:
            if name and name not in styles:
                styles[name] = console.get_style(name)
            return styles.get(name)

        yield from self._line([(h, "bold") for h in self.headers], widths, "", style)
        last = len(widths) - 1
        yield Segment("╇".join("━" * ((i > 0) + width + (i < last))
                               for i, width in enumerate(widths)))
        yield Segment.line()
        for cells, row_style in self.rows:
            yield from self._line(cells, widths, row_style, style)

    def _line(self, cells: list[Cell], widths: list[int], row_style: str, style):
        """Segments of one padded line, ending with a newline; plain runs are merged."""
        last = len(cells) - 1
        base = style(row_style)
        plain: list[str] = []
        for index, ((text, cell_style), width) in enumerate(zip(cells, widths, strict=True)):
            pad = " " * (width - cell_len(text))
            right = index in self.right
            plain.append((" │ " if index else "") + (pad if right else ""))
            own = style(cell_style)
            if own:
                yield Segment("".join(plain), base)
                plain = []
                yield Segment(text, base + own if base else own)
            else:
                plain.append(text)
            if not right and index != last:
                plain.append(pad)
        yield Segment("".join(plain), base)
        yield Segment.line()

    def as_table(self) -> Table:
        table = Table(show_edge=False, pad_edge=False, header_style="bold")
        for index, header in enumerate(self.headers):
            table.add_column(header, justify="right" if index in self.right else "left")
        for cells, style in self.rows:
            table.add_row(*(Text(text, style=cell_style) for text, cell_style in cells),
                          style=style or None)
        return table


def summary_table(analysis: Analysis, columns=DEFAULT_COLUMNS, chw: bool = False,
                  depth: int | None = None, keras: bool = False,
                  verified: bool = False) -> Grid:
    bar_figure = "params" if "params" in columns else "macs"
    whole = analysis.totals.params + (analysis.totals.buffers if keras else 0)
    if bar_figure == "macs":
        whole = analysis.totals.macs
    headers = ["layer", "type"]
    for column in columns:
        title_text = title(column)
        headers.append("params (Keras)" if column == "params" and keras else title_text)
    headers += [f"% {title(bar_figure)}", "expect"]
    if verified:
        headers.append("✓")
    right = {index + 2 for index, column in enumerate(columns) if column in RIGHT_ALIGNED}
    grid = Grid(headers, right)
    for line in display_lines(analysis, depth, keras):
        label = ("  " * line.depth + line.label, "bold" if line.kind != "row" else "")
        cells = [label, (line.description, ""),
                 *((column_text(line, column, chw), "") for column in columns)]
        bar = share_bar(line.figures[bar_figure], whole) if line.kind != "header" else ""
        cells += [(bar, ""), _mark(line.checks)]
        if verified:
            cells.append(_mark(line.verified))
        grid.add_row(cells, style="dim" if line.kind == "header" else "")
    return grid


def _mark(mark: str) -> Cell:
    return (mark, {"✓": "green", "✗": "bold red"}.get(mark, ""))


def notes_text(analysis: Analysis) -> Text:
    """Failed expectations, does-not-fit warnings, then informational notes."""
    text = Text()
    for check in analysis.failed_checks:
        text.append("✗ ", style="bold red")
        text.append(printable(f"{check.path} {check.figure}: expected "
                              f"{value_text(check.expected)}, got {value_text(check.got)}") + "\n")
    for row in analysis.rows:
        for warning in row.warnings:
            text.append("⚠ ", style="bold yellow")
            text.append(printable(f"{row.path}: {warning}") + "\n")
        if row.verified is False:
            text.append("✗ ", style="bold red")
            text.append(printable(f"{row.path}: {row.verify_note}") + "\n")
    for row in analysis.rows:
        for note in row.notes:
            text.append("ℹ ", style="cyan")
            text.append(printable(f"{row.path}: {note}") + "\n")
    text.rstrip()
    return text


def totals_panel(analysis: Analysis, chw: bool = False, keras: bool = False,
                 verified: bool = False) -> Panel:
    totals = analysis.totals
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(justify="right")
    grid.add_column(style="dim")
    shape = shape_str(analysis.input, chw=chw, times="×")
    grid.add_row("input → output", f"{shape} → {analysis.output_text(chw=chw, times='×')}",
                 "")
    from ..homework.depth import depth_text

    grid.add_row("depth", depth_text(analysis.rows), f"{len(analysis.rows)} rows")
    grid.add_row("params", f"{totals.params:,}", human_count(totals.params))
    grid.add_row("  weights / biases", f"{totals.weights:,} / {totals.biases:,}", "")
    if totals.buffers or keras:
        grid.add_row("buffers (BN running stats)", f"{totals.buffers:,}", "non-trainable")
    if keras:
        grid.add_row("Keras total params", f"{totals.params + totals.buffers:,}",
                      f"trainable {totals.params:,} + non-trainable {totals.buffers:,}")
    grid.add_row("MACs", f"{totals.macs:,}", human_count(totals.macs))
    grid.add_row("FLOPs", f"{totals.flops:,}", "2 × MACs")
    if analysis.has_aux:  # inference drops the auxiliary heads
        grid.add_row("without aux heads", f"{analysis.params_without_aux:,} params",
                     f"{analysis.macs_without_aux:,} MACs")
    grid.add_row("connections", f"{totals.connections:,}", human_count(totals.connections))
    grid.add_row("activation memory", human_bytes(totals.activation_bytes),
                 f"float32, batch {analysis.batch}")
    grid.add_row("parameter memory", human_bytes(totals.param_bytes), "float32")
    status = []
    if analysis.checks:
        failed = len(analysis.failed_checks)
        status.append(f"expect {len(analysis.checks) - failed}/{len(analysis.checks)} ✓")
    if analysis.skipped:  # SPEC §12: --input invalidates the shape-dependent expectations
        status.append(f"{len(analysis.skipped)} expect skipped (--input)")
    misfits = len(analysis.misfits)
    status.append("every layer fits" if not misfits else f"{misfits} layer(s) do not fit ⚠")
    if verified:
        bad = sum(1 for row in analysis.rows if row.verified is False)
        done = sum(1 for row in analysis.rows if row.verified is True)
        skipped = len(analysis.rows) - bad - done
        text = (f"verified {done}/{len(analysis.rows)} ✓" if not bad
                else f"{bad} shape mismatch(es) ✗ — a cnncalc bug, please report it")
        status.append(text + (f" ({skipped} skipped: memory)" if skipped else ""))
    grid.add_row("checks", " · ".join(status), "")
    return Panel(grid, title="totals", title_align="left", expand=False)


def summary(analysis: Analysis, columns=DEFAULT_COLUMNS, chw: bool = False,
            depth: int | None = None, keras: bool = False,
            verified: bool = False) -> RenderableType:
    heading = Text(printable(analysis.name), style="bold")
    if analysis.network.description:
        heading.append(f" — {printable(analysis.network.description)}", style="dim")
    parts: list[RenderableType] = [heading,
                                   summary_table(analysis, columns, chw, depth, keras, verified)]
    notes = notes_text(analysis)
    if notes.plain:
        parts.append(notes)
    parts.append(totals_panel(analysis, chw, keras, verified))
    return RichGroup(*parts)
