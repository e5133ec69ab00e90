"""`--stride ?` and `--padding ?` in closed form: the values that divide exactly on every axis,
found without trying every value of a range that may be astronomically long (SPEC §12).

An axis fits when its room R = H + Pb + Pa − D(F−1) − 1 is ≥ 0 and a multiple of S:
- strides that fit are the common divisors of the axes' rooms (found by trial division up to
  √R, with a bound on the work for huge rooms);
- symmetric paddings that fit solve 2P ≡ D(F−1) + 1 − H (mod S) on each axis: one arithmetic
  progression per axis, joined by the Chinese remainder theorem.
"""

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


def fitting_paddings(axes: list[tuple[int, int, int]], stride: int,
                     limit: int) -> Iterator[int]:
    """Symmetric paddings 0…limit that fit every axis, ascending. An axis is (size, span,
    stride): its room with padding P is size + 2P − span."""
    modulus, residue, lowest = 1, 0, 0
    for size, span, axis_stride in axes:
        progression = _axis_paddings(size, span, axis_stride)
        if progression is None:
            return iter(())
        joined = _crt(residue, modulus, progression[0], progression[1])
        if joined is None:
            return iter(())
        residue, modulus = joined
        lowest = max(lowest, progression[2])
    first = lowest + (residue - lowest) % modulus
    return iter(range(first, limit + 1, modulus))


def _axis_paddings(size: int, span: int, stride: int) -> tuple[int, int, int] | None:
    """(residue, modulus, lowest) of the paddings P with size + 2P − span ≥ 0 and ≡ 0 mod S;
    None when 2P can never reach the needed residue (an even stride and an odd remainder)."""
    need = (span - size) % stride  # 2P ≡ need (mod S)
    lowest = max(0, -(-(span - size) // 2))
    if stride % 2:
        return (need * pow(2, -1, stride)) % stride, stride, lowest
    if need % 2:
        return None
    return (need // 2) % (stride // 2), stride // 2, lowest


def _crt(a: int, m: int, b: int, n: int) -> tuple[int, int] | None:
    """x ≡ a (mod m) and x ≡ b (mod n) as one x ≡ c (mod lcm), or None when incompatible."""
    g = gcd(m, n)
    if (b - a) % g:
        return None
    lcm = m // g * n
    step = ((b - a) // g * pow(m // g, -1, n // g)) % (n // g) if n // g > 1 else 0
    return (a + m * step) % lcm, lcm
