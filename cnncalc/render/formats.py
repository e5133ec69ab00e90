"""Analysis → plain data: CSV and Markdown text (the JSON document: json_document.py).

No rich here: these formats are for scripts and documents, and must import fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..engine.analysis import Analysis, Group, Row
from ..engine.figures import (
    BYTES_PER_VALUE,
    COLUMNS,
    FLOPS_PER_MAC,
    RECORD_FIGURES,
    SUMMED,
)
from ..engine.shapes import Shape, shape_str
from ..engine.text import (  # noqa: F401 (human_*, value_text re-exported)
    human_bytes,
    human_count,
    markdown_cell,
    printable,
    value_text,
)
from .json_document import layer_record, totals_record

LAYER_KEYS = ("path", "type", *RECORD_FIGURES, "jump", "start", "fits", "verified", "notes")
COLUMN_CHOICES = COLUMNS
DEFAULT_COLUMNS = ("output", "params", "macs")


def to_csv(analysis: Analysis, keras: bool = False) -> str:
    """One row per layer, then a `total` row: the summed figures, and in its notes the
    output, the memory totals and the network's warnings (so the CSV is the whole result)."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=LAYER_KEYS, lineterminator="\n")
    writer.writeheader()
    for row in analysis.rows:
        record = layer_record(row, keras)
        for key in ("rf", "jump", "start"):
            if isinstance(record[key], list):
                record[key] = "x".join(map(str, record[key]))
        record["notes"] = "; ".join([*(["aux head"] if row.aux else []), *record["notes"]])
        writer.writerow(record)
    writer.writerow(_csv_total(analysis, keras))
    return buffer.getvalue()


def _csv_total(analysis: Analysis, keras: bool) -> dict[str, Any]:
    totals = totals_record(analysis.totals, keras)
    notes = [f"activation_bytes={totals['activation_bytes']}",
             f"param_bytes={totals['param_bytes']}", f"batch={analysis.batch}",
             *(f"warning: {warning}" for warning in analysis.warnings)]
    record: dict[str, Any] = {"path": "(total)", "type": "total",
                              "input": shape_str(analysis.input),
                              "output": analysis.output_text(), "notes": "; ".join(notes)}
    record.update({key: totals[key] for key in ("params", "weights", "biases", "buffers",
                                                 "neurons", "connections", "macs", "flops")})
    return record


# -- the table's content, shared by the rich table and Markdown ---------------------------
@dataclass
class Line:
    """One displayed line: a layer row, a group header, or a collapsed group."""

    label: str
    depth: int
    kind: str  # "row", "header", "collapsed"
    description: str
    input: Shape
    output: Shape
    figures: dict[str, int]
    field: Any
    checks: str = ""
    verified: str = ""


def display_lines(analysis: Analysis, depth: int | None = None,
                  keras: bool = False) -> list[Line]:
    """Rows and group headers in order; groups deeper than `depth` collapse to one line."""
    groups = {group.path: group for group in analysis.groups}
    sums = _RunningSums(analysis.rows)
    lines: list[Line] = []
    shown_groups: set[str] = set()
    for row in analysis.rows:
        visible = row.ancestors if depth is None else row.ancestors[:depth + 1]
        for level, path in enumerate(visible):
            if path not in shown_groups:
                shown_groups.add(path)
                collapsed = depth is not None and level >= depth
                lines.append(_group_line(analysis, groups[path], row.ancestors[:level],
                                         collapsed, keras, sums))
        if depth is not None and len(row.ancestors) > depth:
            continue
        lines.append(_row_line(row, keras))
    return lines


def _label(path: str, parents: tuple[str, ...]) -> str:
    return path[len(parents[-1]) + 1:] if parents else path


def _figure_dict(values, keras: bool) -> dict[str, int]:
    figures = dict(zip(SUMMED, values, strict=True))
    if keras:
        figures["params"] += figures["buffers"]
    figures["flops"] = FLOPS_PER_MAC * figures["macs"]
    figures["memory"] = figures["neurons"] * BYTES_PER_VALUE
    return figures


class _RunningSums:
    """Prefix sums over the rows, so a group's figures cost O(1) however deep it nests."""

    def __init__(self, rows: list[Row]) -> None:
        self.sums = [(0,) * len(SUMMED)]
        for row in rows:
            previous = self.sums[-1]
            self.sums.append(tuple(total + getattr(row, key)
                                   for total, key in zip(previous, SUMMED, strict=True)))

    def between(self, start: int, end: int, keras: bool) -> dict[str, int]:
        values = (b - a for a, b in zip(self.sums[start], self.sums[end], strict=True))
        return _figure_dict(values, keras)


def _row_figures(row: Row, keras: bool) -> dict[str, int]:
    return _figure_dict((getattr(row, key) for key in SUMMED), keras)


def _marks(rows: list[Row]) -> tuple[str, str]:
    checks = [check for row in rows for check in row.checks]
    check_mark = ("✓" if all(c.ok for c in checks) else "✗") if checks else ""
    verified = [row.verified for row in rows]
    if any(v is False for v in verified):
        verify_mark = "✗"
    elif verified and all(v is True for v in verified):
        verify_mark = "✓"
    else:
        verify_mark = ""
    return check_mark, verify_mark


def _row_line(row: Row, keras: bool) -> Line:
    checks, verified = _marks([row])
    description = row.description + (" (aux)" if row.aux else "")  # counted apart in totals
    return Line(printable(_label(row.path, row.ancestors)), row.depth, "row",
                printable(description), row.input, row.output, _row_figures(row, keras),
                row.field, checks, verified)


def _group_line(analysis: Analysis, group: Group, parents: tuple[str, ...], collapsed: bool,
                keras: bool, sums: _RunningSums) -> Line:
    """A group's own line: a dim header over its rows, or, collapsed, their sum and marks."""
    checks, verified = ("", "")
    if collapsed:
        checks, verified = _marks(analysis.rows[group.start:group.end])
    own = [check for check in analysis.checks if check.path == group.path]
    if own:
        checks = "✓" if all(check.ok for check in own) and checks != "✗" else "✗"
    field = analysis.rows[group.end - 1].field if group.end > group.start else None
    return Line(printable(_label(group.path, parents)), group.depth,
                "collapsed" if collapsed else "header", printable(group.type), group.input,
                group.output,
                sums.between(group.start, group.end, keras), field, checks, verified)


def column_text(line: Line, column: str, chw: bool) -> str:
    if column in ("input", "output"):
        return shape_str(getattr(line, column), chw=chw, times="×")
    if column == "rf":
        if line.field is None:
            return ""
        rf = line.field.pixels
        return str(rf[0]) if len(set(rf)) == 1 else "×".join(map(str, rf))
    value = line.figures[column]
    if column == "memory":
        return human_bytes(value)
    return f"{value:,}" if value or line.kind == "row" else "–"


def to_markdown(analysis: Analysis, columns=DEFAULT_COLUMNS, chw: bool = False,
                depth: int | None = None, keras: bool = False) -> str:
    header = ["layer", "type", *columns, "expect", "verified"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for line in display_lines(analysis, depth, keras):
        name = markdown_cell(line.label)
        label = "&nbsp;" * 2 * line.depth + (f"**{name}**" if line.kind != "row" else name)
        cells = [label, markdown_cell(line.description),
                 *(column_text(line, column, chw) for column in columns),
                 line.checks, line.verified]
        lines.append("| " + " | ".join(cells) + " |")
    totals = analysis.totals
    lines += ["", f"**Total params:** {totals.params:,} · **MACs:** {totals.macs:,} · "
              f"**Output:** {analysis.output_text(chw=chw, times='×')}"]
    from .report import markdown_tail

    lines += markdown_tail(analysis, keras)
    return "\n".join(lines) + "\n"
