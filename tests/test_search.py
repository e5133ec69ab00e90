"""Exact strides in closed form agree with trying every value (a naive loop
written here from the lecture's formula), and stay instant on huge ranges."""

from hypothesis import given
from hypothesis import strategies as st

from cnncalc.engine.search import fitting_strides


def _fits(size: int, span: int, stride: int, before: int, after: int) -> bool:
    room = size + before + after - span  # (W − F + 2P) in the lecture's formula
    return room >= 0 and room % stride == 0


@given(st.lists(st.integers(1, 60), min_size=1, max_size=3), st.integers(1, 40))
def test_strides_match_trying_every_stride(sizes, span):
    limit = max(span, 1)
    naive = [s for s in range(1, limit + 1) if all(_fits(n, span, s, 0, 0) for n in sizes)]
    found, complete = fitting_strides([n - span for n in sizes], limit)
    assert list(found) == naive and complete


def test_a_billion_wide_kernel_answers_at_once():
    found, complete = fitting_strides([-10**9], 10**9)  # kernel larger than the input
    assert list(found) == [] and complete
    found, complete = fitting_strides([2**38], 2**38)  # its 39 divisors, all found
    assert list(found) == [2**k for k in range(39)] and complete
    found, complete = fitting_strides([2**62], 2**62)  # √ beyond the trial bound: partial
    assert not complete and list(found)[:3] == [1, 2, 4]
