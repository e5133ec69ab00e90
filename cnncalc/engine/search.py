"""Strides that divide exactly in closed form: the common divisors of the axes' rooms
R = H + Pb + Pa − D(F−1) − 1 (found by trial division up to √R, with a bound on the work for
huge rooms), never by trying every stride of a range that may be astronomically long
(SPEC §12). The cards' searches (homework/inverse.py) build on it."""

from __future__ import annotations

from collections.abc import Iterator
from math import gcd, isqrt

DIVISOR_TRIALS = 10**6  # trial divisions at most; beyond, only the divisors found are listed


def fitting_strides(rooms: list[int], limit: int) -> tuple[Iterator[int], bool]:
    """Strides 1…limit dividing every room, ascending; and whether the search was complete."""
    if any(room < 0 for room in rooms):
        return iter(()), True
    common = 0
    for room in rooms:
        common = gcd(common, room)
    if common == 0:  # every axis fits exactly with one window: every stride does
        return iter(range(1, limit + 1)), True
    root = isqrt(common)
    trials = min(root, DIVISOR_TRIALS)
    small = [d for d in range(1, trials + 1) if common % d == 0]
    large = [common // d for d in reversed(small) if common // d > trials]
    found = [d for d in small + large if d <= limit]
    return iter(found), trials >= root
