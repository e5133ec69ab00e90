"""The number formatters use integers only, yet print what float formatting printed.

The references are the float formulas cnncalc used before (written out here): wherever a
float can hold the value, the text must be the same; beyond, there must be text at all.
"""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from cnncalc.engine.text import format_number, human_bytes, human_count, printable
from cnncalc.render.table import BAR_WIDTH, share_bar


def float_bytes(count):
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if count < 1024 or unit == "TiB":
            return f"{count:,.0f} {unit}" if unit == "B" else f"{count:,.1f} {unit}"
        count /= 1024
    return str(count)


def float_count(count):
    for size, unit in ((10**18, "E"), (10**15, "P"), (10**12, "T"), (10**9, "G"),
                       (10**6, "M"), (10**3, "k")):
        if count >= size:
            return f"{count / size:.2f} {unit}"
    return str(count)


def float_bar(part, whole):
    if not whole or not part:
        return ""
    eighths = round(part / whole * BAR_WIDTH * 8)
    full, rest = divmod(max(eighths, 1), 8)
    return "█" * full + ("" if not rest else "▏▎▍▌▋▊▉"[rest - 1])


# Sizes of every magnitude up to 10^300, and round numbers with a 5 where ties happen.
COUNTS = st.one_of(st.integers(0, 10**300), st.integers(0, 2**64),
                   st.builds(lambda head, tail, zeros: (head * 10 + tail) * 10**zeros,
                             st.integers(0, 9999), st.sampled_from([0, 5, 4, 6]),
                             st.integers(0, 20)))


@given(COUNTS)
def test_human_bytes_and_count_match_float_formatting(count: int):
    assert human_bytes(count) == float_bytes(count)
    assert human_count(count) == float_count(count)


@given(st.integers(0, 10**30), st.integers(1, 10**18))
def test_format_number_matches_float_formatting(numerator: int, denominator: int):
    value = Fraction(numerator, denominator)
    expected = str(numerator // denominator) if value.denominator == 1 else \
        f"{float(value):.2f}".rstrip("0").rstrip(".")
    assert format_number(value) == expected


@given(st.integers(1, 10**15), st.data())
def test_share_bar_matches_float_rounding(whole: int, data):
    part = data.draw(st.integers(0, whole))
    assert share_bar(part, whole) == float_bar(part, whole)


def test_figures_beyond_a_float_are_printed():
    huge = 10**400
    # 10^400 / 2^40 = 5^40 × 10^360 exactly: beyond a double, nothing is rounded away
    assert human_bytes(huge) == f"{5**40 * 10**360:,}.0 TiB"
    assert human_count(huge) == "1" + "0" * 382 + ".00 E"
    assert share_bar(huge, huge) == "█" * BAR_WIDTH
    assert share_bar(huge // 2, huge) == "█" * (BAR_WIDTH // 2)
    assert format_number(Fraction(huge + 1, 3)).startswith("3333")


def test_printable_keeps_names_and_drops_what_a_terminal_would_obey():
    assert printable("layer1.conv1") == "layer1.conv1"
    assert printable("é 日本") == "é 日本"
    assert printable("a\x1b[31mred\x1b[0m") == "ared"
    assert printable("two\nlines\tand\u00a0space") == "two lines and space"
    assert printable("evil\u202eten\x00\x07") == "evilten"
    assert printable("title\x1b]0;pwned\x07!") == "title!"
