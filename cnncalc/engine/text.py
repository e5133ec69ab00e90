"""Numbers and figures as people read them: one set of formatters for every message and view.

They live in the engine (not render/) because error messages and notes written by every
package need them too; render/ builds its views from these.

Integer arithmetic only: a figure may have hundreds of digits (a --batch of 400 digits, a
shape beyond 10^308 after chained upsamples), where a float overflows. The rounded texts
("62.38 M", "1.1 KiB") reproduce what float division then formatting used to print, so the
output is unchanged wherever a float could hold the value.
"""

from __future__ import annotations

import re
from fractions import Fraction

from .shapes import shape_str

DOUBLE_BITS = 53  # significant bits of an IEEE double
DOUBLE_MAX_EXPONENT = 1024  # a double is below 2^1024 (about 1.8 × 10^308)


def _as_double(value: Fraction) -> Fraction:
    """`value` rounded to 53 significant bits, half to even, as float(value) rounds it.
    Beyond a double's range (2^1024, where float() overflows) the value stays exact."""
    numerator, denominator = abs(value.numerator), value.denominator
    if numerator == 0:
        return Fraction(0)
    shift = numerator.bit_length() - denominator.bit_length() - DOUBLE_BITS
    if shift + DOUBLE_BITS > DOUBLE_MAX_EXPONENT:
        return value
    while True:  # at most two rounds: the first guess is off by at most one bit
        top, bottom = (numerator, denominator << shift) if shift >= 0 else \
            (numerator << -shift, denominator)
        quotient, remainder = divmod(top, bottom)
        if quotient.bit_length() == DOUBLE_BITS:
            break
        shift += 1 if quotient.bit_length() > DOUBLE_BITS else -1
    if 2 * remainder > bottom or (2 * remainder == bottom and quotient % 2):
        quotient += 1
    result = quotient * (Fraction(2) ** shift)
    return result if value > 0 else -result


def fixed(value: Fraction | int, decimals: int, grouped: bool = False) -> str:
    """f"{float(value):,.{decimals}f}" without the float: 1,234.6 from 1234.56."""
    scaled = round(_as_double(Fraction(value)) * 10**decimals)  # Fraction rounds half to even
    sign = "-" if scaled < 0 else ""
    whole, part = divmod(abs(scaled), 10**decimals)
    text = f"{whole:,}" if grouped else str(whole)
    return sign + text + (f".{part:0{decimals}d}" if decimals else "")


def format_number(value: Fraction | int) -> str:
    """54.25, 2.33, 28: a quotient as a person would write it."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return fixed(value, 2).rstrip("0").rstrip(".")

def value_text(value) -> str:
    """An expected/got figure for people: 34,944; 55×55×96; a square receptive field as 11."""
    if isinstance(value, tuple):
        if len(value) == 2 and value[0] == value[1]:
            return str(value[0])
        return shape_str(value, times="×")
    return f"{value:,}" if isinstance(value, int) else str(value)

def human_bytes(count: int) -> str:
    """1,000 B, 1.1 KiB … TiB (the largest unit: 4,096.0 TiB rather than PiB)."""
    if count < 1024:
        return f"{count:,} B"
    for power, unit in enumerate(("KiB", "MiB", "GiB", "TiB"), start=1):
        value = _as_double(Fraction(count, 1024**power))
        if value < 1024 or unit == "TiB":
            return f"{fixed(value, 1, grouped=True)} {unit}"
    raise AssertionError("unreachable: TiB is the last unit")

def human_count(count: int) -> str:
    """62,378,344 → '62.38 M' — for totals, beside the exact figure."""
    for size, unit in ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"), (10**6, "M"),
                       (10**3, "k")):
        if count >= size:
            return f"{fixed(Fraction(count, size), 2)} {unit}"
    return str(count)

# An ANSI escape sequence: CSI (colours, cursor moves), OSC (titles, links), or ESC + one char.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?"
                   r"|\x9b[0-?]*[ -/]*[@-~]")


def printable(text: str) -> str:
    """A user's name as a terminal may show it: ANSI escapes, control characters and bidi
    overrides removed, line breaks and other spaces as ' ', so a layer name cannot recolour,
    move, reorder or split the output."""
    if text.isprintable():
        return text  # the usual case: no copy
    text = _ANSI.sub("", text)
    return "".join(char if char.isprintable() else " " if char.isspace() else ""
                   for char in text)


def markdown_cell(text: str) -> str:
    """A name inside a Markdown table cell: printable, with '|' escaped."""
    return printable(text).replace("|", "\\|")


def figure_text(kind: str, value) -> str:
    """A figure as people read it, by its kind: a shape 55×55×96, bytes 238.0 MiB, a count
    62,378,344 (compare's tables in the terminal and in Markdown)."""
    if kind == "shape":
        return shape_str(value, times="×")
    if kind == "bytes":
        return human_bytes(value)
    return f"{value:,}"
