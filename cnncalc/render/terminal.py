"""The terminal: the console every command prints to, and the `list` table."""

from __future__ import annotations

import os
import sys

from rich.console import Console
from rich.table import Table

from ..engine.analysis import Analysis
from ..engine.shapes import shape_str
from ..engine.text import human_count


def console() -> Console:
    """A console that wraps at the terminal's width, at $COLUMNS, or at 120 when piped."""
    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120
    return Console(highlight=False, width=width)


def builtins_table(analyses: dict[str, Analysis]) -> Table:
    """`cnncalc list`: one row per built-in with its input, output, params and MACs."""
    table = Table(show_edge=False, header_style="bold")
    from ..homework.depth import depth_text

    for title in ("name", "input", "output", "params", "MACs", "depth", "description"):
        table.add_column(title, justify="right" if title in ("params", "MACs") else "left")
    for name, result in analyses.items():
        table.add_row(name, shape_str(result.input, times="×"),
                      shape_str(result.output, times="×"), f"{result.totals.params:,}",
                      human_count(result.totals.macs), depth_text(result.rows),
                      result.network.description)
    return table
