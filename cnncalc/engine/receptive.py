"""Receptive field, jump and start of a feature, per spatial axis (Araujo et al. 2019).

rf' = rf + (F−1)·D·jump, jump' = jump·S, start' = start + ((F−1)/2·D − P)·jump (SPEC §3).
Fractions, because an upsampling step divides the jump; `pixels` rounds up at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Field:
    """The receptive field of one output feature: one entry per spatial axis."""

    rf: tuple[Fraction, ...] = (Fraction(1), Fraction(1))
    jump: tuple[Fraction, ...] = (Fraction(1), Fraction(1))
    start: tuple[Fraction, ...] = (Fraction(0), Fraction(0))

    @staticmethod
    def of_input(rank: int) -> Field:
        """A single input pixel: the field before any layer (a vector input counts one axis)."""
        axes = max(rank, 1)
        return Field((Fraction(1),) * axes, (Fraction(1),) * axes, (Fraction(0),) * axes)

    def after(self, steps) -> Field:
        """The field after these steps, each one (span, stride, padding before) per axis.

        Values stay Python ints while they are whole (nearly always: only an upsampling step
        makes a jump fractional) — Fraction arithmetic is some twenty times slower, and a
        50,000-layer network does this for every layer."""
        rf, jump, start = list(self.rf), list(self.jump), list(self.start)
        for step in steps:
            for axis, (kernel, stride, pad) in enumerate(step):
                stride = _whole(stride)
                rf[axis] = _whole(rf[axis] + (kernel - 1) * jump[axis])
                twice = (kernel - 1 - 2 * pad) * jump[axis]  # 2 × the move of the start
                start[axis] = _whole(start[axis] + (twice // 2 if isinstance(twice, int) and
                                                   twice % 2 == 0 else Fraction(twice, 2)))
                jump[axis] = _whole(jump[axis] * stride)
        return Field(tuple(rf), tuple(jump), tuple(start))

    @property
    def pixels(self) -> tuple[int, ...]:
        """The receptive field in whole input pixels (a transposed conv can make it fractional)."""
        return tuple(-(-size // 1) for size in self.rf)

    @staticmethod
    def widest(fields: list[Field]) -> Field:
        """Of several branches' fields, the one covering the most input."""
        def area(field: Field) -> Fraction | int:
            total = 1  # an int product while the sizes are whole (see after())
            for size in field.rf:
                total *= size
            return total
        return max(fields, key=lambda f: (area(f), f.rf))


def _whole(value):
    """An int when the value is whole, else the Fraction."""
    if isinstance(value, Fraction) and value.denominator == 1:
        return value.numerator
    return value
