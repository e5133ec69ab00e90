"""Numbers and figures as people read them: one set of formatters for every message and view.

They live in the engine (not render/) because error messages and notes written by every
package need them too; render/ builds its views from these.
"""

from __future__ import annotations

from fractions import Fraction

from .shapes import shape_str


def format_number(value: Fraction | int) -> str:
    """54.25, 2.33, 28: a quotient as a person would write it."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return f"{float(value):.2f}".rstrip("0").rstrip(".")

def value_text(value) -> str:
    """An expected/got figure for people: 34,944; 55×55×96; a square receptive field as 11."""
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1]:
            return str(value[0])
        return shape_str(value, times="×")
    return f"{value:,}" if isinstance(value, int) else str(value)

def human_bytes(count: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if count < 1024 or unit == "TiB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    return str(count)

def human_count(count: int) -> str:
    """62,378,344 → '62.38 M' — for totals, beside the exact figure."""
    for size, unit in ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"),
                       (10**3, "k")):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return str(count)
