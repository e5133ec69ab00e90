"""Inverse card questions in closed form: which paddings, strides or kernel sizes fit (SPEC §2's
rule: the division is exact, or only padding is left after the last window) over SPEC §12's
finite ranges, without trying every value of a range that may be astronomically long.

An axis is (size H, span D(F−1)+1, stride S, padding P per side); its room is H + 2P − span
and the rows left after the last window are r = room mod S. It fits when room ≥ 0 and
r ≤ P (r = 0 is the exact case).
"""

from __future__ import annotations

from collections.abc import Iterator

from ..engine.search import fitting_strides

Interval = tuple[int, int]  # inclusive
MOST_LEFTOVER = 64  # rows of padding a stride search tries as the leftover after the last window
# Strides beyond the room (one window, every later one in padding) a search lists at most:
# past the room every stride fits the same way, so a few are enough to show the pattern.
MOST_BEYOND_ROOM = 10_000


def _padding_intervals(size: int, span: int, stride: int, limit: int) -> list[Interval]:
    """Paddings 0…limit that fit one axis, as a few intervals. Below S − 1 the room falls in
    zone k = room // S, where r = room − kS ≤ P means P ≤ span − H + kS; from S − 1 on,
    r ≤ S − 1 ≤ P always holds."""
    lowest = max(0, -(-(span - size) // 2))  # room ≥ 0
    found: list[Interval] = []
    top = min(stride - 2, limit)
    if lowest <= top:
        zone = (size + 2 * lowest - span) // stride
        while True:
            start = max(lowest, -(-(zone * stride - size + span) // 2))
            end = min(top, (zone * stride + stride - 1 - size + span) // 2)
            if start > top:
                break
            fit_end = min(end, span - size + zone * stride)
            if start <= fit_end:
                found.append((start, fit_end))
            zone += 1
    start = max(lowest, stride - 1)
    if start <= limit:
        found.append((start, limit))
    return found


def _intersect(first: list[Interval], second: list[Interval]) -> list[Interval]:
    joined = []
    for a, b in first:
        for c, d in second:
            if max(a, c) <= min(b, d):
                joined.append((max(a, c), min(b, d)))
    return sorted(joined)


def fitting_paddings(axes: list[tuple[int, int, int]], limit: int) -> Iterator[int]:
    """Symmetric paddings 0…limit fitting every axis (size, span, stride), ascending."""
    intervals = [(0, limit)]
    for size, span, stride in axes:
        intervals = _intersect(intervals, _padding_intervals(size, span, stride, limit))
    for start, end in intervals:
        yield from range(start, end + 1)


def fitting_strides_loosely(axes: list[tuple[int, int]], limit: int,
                            most_leftover: int = MOST_LEFTOVER) -> tuple[list[int], bool]:
    """Strides 1…limit for which every axis (room, padding after) leaves r = room mod S ≤ its
    padding: S divides room − t for some t ≤ P (the divisors of those few numbers), or S is
    above the room and the whole room is padding. Complete when P ≤ most_leftover and the
    divisor searches were complete."""
    if any(room < 0 for room, _ in axes):
        return [], True
    room, padding = axes[0]
    candidates: set[int] = set()
    complete = True
    for leftover in range(min(padding, room, most_leftover) + 1):
        divisors, done = fitting_strides([room - leftover], min(limit, room - leftover or 1))
        candidates.update(divisors)
        complete = complete and done
    complete = complete and min(padding, room) <= most_leftover
    if room <= padding:
        candidates.update(range(room + 1, min(limit, room + 1 + MOST_BEYOND_ROOM) + 1))
    chosen = sorted(stride for stride in candidates if stride <= limit and all(
        each_room % stride <= each_padding for each_room, each_padding in axes))
    return chosen, complete


def fitting_kernels(axes: list[tuple[int, int, int, int]], wanted: tuple[int, ...],
                    dilation: int | tuple[int, ...]) -> list[int]:
    """Kernel sizes F ≥ 1 giving the wanted output size on every axis (size, stride,
    padding before, padding after) and fitting by §2. With E = H + Pb + Pa − 1 − (O−1)·S,
    the output is O exactly when D(F−1) = E − r for a leftover r in 0…S−1, and it fits when
    r ≤ Pa: r ≡ E (mod D), so at most ⌊Pa/D⌋ + 1 values per axis. The dilation is one for
    every axis or one per axis (1-D and 3-D inputs, SPEC §8)."""
    dilations = (dilation,) * len(axes) if isinstance(dilation, int) else dilation
    chosen: set[int] | None = None
    for (size, stride, before, after), out, spread in zip(axes, wanted, dilations, strict=True):
        room = size + before + after - 1 - (out - 1) * stride
        found = set()
        leftover = room % spread if room >= 0 else None
        while leftover is not None and leftover <= min(stride - 1, after, room):
            found.add((room - leftover) // spread + 1)
            leftover += spread
        chosen = found if chosen is None else chosen & found
    return sorted(chosen or ())
