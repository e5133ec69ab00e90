"""Rich views of `compare` (two networks side by side) and `check` (one line per spec)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine.compare import Comparison, Figure
from ..engine.shapes import shape_str
from ..engine.text import figure_text, fixed, human_count, printable, value_text
from ..spec.check import FileCheck
from .table import share_bar

BARRED = ("params", "MACs")  # totals that get a relative bar, scaled to the larger network


def _ratio(figure: Figure) -> str:
    ratio = figure.ratio
    if ratio is None:
        return "same" if figure.kind == "shape" and figure.a == figure.b else ""
    return f"{fixed(ratio, 2)}×"


def totals_table(result: Comparison) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column("")
    # Text, not str: a name is shown as written, never read as rich markup ('[red]').
    table.add_column(Text(printable(result.a.name)), justify="right")
    table.add_column(Text(printable(result.b.name)), justify="right")
    table.add_column("B/A", justify="right")
    table.add_column("relative size", no_wrap=True)
    for figure in result.totals:
        bars = Text()
        if figure.label in BARRED:
            whole = max(figure.a, figure.b)  # type: ignore[type-var]
            bars.append(f"A {share_bar(figure.a, whole):<10} {human_count(figure.a)}\n")
            bars.append(f"B {share_bar(figure.b, whole):<10} {human_count(figure.b)}")
        table.add_row(figure.label, figure_text(figure.kind, figure.a),
                      figure_text(figure.kind, figure.b), _ratio(figure), bars)
    return table


def failed_checks(result: Comparison) -> Text:
    """The `expect:` checks that fail in A or B; compare exits 1 when there is one."""
    text = Text()
    for side, analysis in (("A", result.a), ("B", result.b)):
        for check in analysis.failed_checks:
            text.append("✗ ", style="bold red")
            text.append(printable(f"{side} ({analysis.name}) {check.path} {check.figure}: "
                                  f"expected {value_text(check.expected)}, got "
                                  f"{value_text(check.got)}") + "\n")
    text.rstrip()
    return text


def layers_table(result: Comparison) -> Table:
    table = Table(show_edge=False, pad_edge=False, header_style="bold",
                  title="layers that differ most (matched by path)", title_justify="left")
    table.add_column("layer")
    for title in ("A output", "B output", "A params", "B params", "A MACs", "B MACs"):
        table.add_column(title, justify="right")
    for diff in result.layers:
        outputs = [shape_str(row.output, times="×") if row is not None else "—"
                   for row in (diff.a, diff.b)]
        cells = []
        for figure in ("params", "macs"):
            for row in (diff.a, diff.b):
                cells.append(f"{getattr(row, figure):,}" if row is not None else "—")
        table.add_row(Text(printable(diff.path)), *outputs, *cells)
    return table


def comparison(result: Comparison) -> RenderableType:
    heading = Text(printable(f"A = {result.a.name}   B = {result.b.name}"), style="bold")
    parts: list[RenderableType] = [heading, totals_table(result)]
    if result.layers:
        parts.append(layers_table(result))
    if result.same_layers:
        parts.append(Text(f"{result.same_layers} layer(s) with the same path have identical "
                          "figures", style="dim"))
    return Group(*parts)


def check_line(result: FileCheck) -> Text:
    """'✓ lenet5: OK — …', '✗ bad.yaml: FAIL — …' or '✗ x.yaml: ERROR — …', on one line."""
    line = Text()
    if result.error is not None:
        line.append("✗ ", style="bold red")
        line.append(printable(f"{result.source}: ERROR — {result.error}"))
        return line
    analysis = result.analysis
    assert analysis is not None
    line.append("✓ " if result.ok else "✗ ", style="green" if result.ok else "bold red")
    line.append(f"{result.source}: {'OK' if result.ok else 'FAIL'} — ")
    if result.failed:
        failed = "; ".join(f"{check.path} {check.figure}: expected "
                           f"{value_text(check.expected)}, got {value_text(check.got)}"
                           for check in result.failed)
        line.append(printable(failed), style="red")
    else:
        checks = f", expect {len(analysis.checks)}/{len(analysis.checks)} ✓" \
            if analysis.checks else ""
        line.append(f"{printable(analysis.name)}: {shape_str(analysis.input, times='×')} → "
                    f"{shape_str(analysis.output, times='×')}, {len(analysis.rows)} "
                    f"layer{'s' if len(analysis.rows) != 1 else ''}, "
                    f"{analysis.totals.params:,} params, "
                    f"{human_count(analysis.totals.macs)} MACs{checks}")
    if result.misfits:
        paths = [printable(row.path) for row in result.misfits]
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        line.append(f"; ⚠ {len(paths)} layer(s) do not fit: {shown}", style="yellow")
    return line


def check_summary(results: list[FileCheck]) -> Text:
    failed = sum(1 for result in results if not result.ok)
    if not failed:
        return Text(f"all {len(results)} spec(s) hold", style="green")
    return Text(f"{failed} of {len(results)} spec(s) fail", style="bold red")
