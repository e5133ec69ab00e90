"""The inverse card searches (homework/inverse.py) agree with trying every value by §2's rule,
written here from the lecture: windows counted one by one, the rows after the last one checked."""

from hypothesis import given
from hypothesis import strategies as st

from cnncalc.homework.inverse import fitting_kernels, fitting_paddings, fitting_strides_loosely


def fits(size, kernel, stride, padding, dilation=1):
    """The windows' last row reaches the real input's last row, or only padding follows."""
    padded = size + 2 * padding
    span = dilation * (kernel - 1) + 1
    if span > padded:
        return False
    last_end = (padded - span) // stride * stride + span
    return padded - last_end <= padding


def output(size, kernel, stride, padding, dilation=1):
    count, start = 0, 0
    while start + dilation * (kernel - 1) + 1 <= size + 2 * padding:
        count, start = count + 1, start + stride
    return count


@given(st.lists(st.integers(1, 50), min_size=1, max_size=2), st.integers(1, 9),
       st.integers(1, 9), st.integers(0, 12))
def test_paddings(sizes, span, stride, limit):
    naive = [p for p in range(limit + 1) if all(fits(n, span, stride, p) for n in sizes)]
    assert list(fitting_paddings([(n, span, stride) for n in sizes], limit)) == naive


@given(st.lists(st.integers(1, 50), min_size=1, max_size=2), st.integers(1, 9),
       st.integers(0, 5))
def test_strides(sizes, kernel, padding):
    rooms = [(n + 2 * padding - kernel, padding) for n in sizes]
    limit = max(max(room for room, _ in rooms) + 1, 1)
    naive = [s for s in range(1, limit + 1) if all(fits(n, kernel, s, padding) for n in sizes)]
    assert fitting_strides_loosely(rooms, limit)[0] == naive


@given(st.lists(st.integers(1, 50), min_size=1, max_size=2), st.integers(1, 6),
       st.integers(0, 4), st.integers(1, 3), st.integers(1, 40))
def test_kernels(sizes, stride, padding, dilation, wanted):
    naive = [f for f in range(1, max(sizes) + 2 * padding + 1)
             if all(output(n, f, stride, padding, dilation) == wanted
                    and fits(n, f, stride, padding, dilation) for n in sizes)]
    axes = [(n, stride, padding, padding) for n in sizes]
    assert fitting_kernels(axes, (wanted,) * len(sizes), dilation) == naive


def test_huge_ranges_answer_at_once():
    # kernel 10^9 on a 10^9 + 7 input, stride 2: paddings 0…10^9 − 1 as two intervals
    found = fitting_paddings([(10**9 + 7, 10**9, 2)], 10**9 - 1)
    assert next(iter(found)) == 1
    assert fitting_kernels([(10**12, 10**9, 0, 0)], (1000,), 1) == [10**12 - 999 * 10**9]
