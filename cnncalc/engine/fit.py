"""'Does it fit?': whether the lecture's (W − F + 2P)/S + 1 divides exactly, per axis (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from .shapes import effective_kernel, window_span
from .text import format_number


@dataclass(frozen=True)
class AxisFit:
    """One axis of a strided window: how the windows land on the padded input."""

    axis: str  # "row" or "column"
    size: int
    kernel: int
    stride: int
    pad_before: int
    pad_after: int
    dilation: int = 1

    @property
    def span(self) -> int:
        return effective_kernel(self.kernel, self.dilation)

    @property
    def remainder(self) -> int:
        """Rows of the padded input left after the last window."""
        return window_span(self.size, self.kernel, self.pad_before, self.pad_after,
                           self.dilation) % self.stride

    @property
    def exact(self) -> bool:
        return self.remainder == 0

    @property
    def quotient(self) -> Fraction:
        span = window_span(self.size, self.kernel, self.pad_before, self.pad_after, self.dilation)
        return Fraction(span, self.stride) + 1

    @property
    def dropped(self) -> range:
        """Real input rows (0-based) that no window reads: the remainder minus trailing padding."""
        lost = self.remainder - self.pad_after
        if lost <= 0:
            return range(0)
        return range(max(self.size - lost, 0), self.size)

    @property
    def fits(self) -> bool:
        """False only when real input is dropped; a padding-only remainder still fits."""
        return not self.dropped

    def formula(self) -> str:
        """The lecture formula with the user's numbers: (224 − 11 + 2·0)/4 + 1."""
        if self.pad_before == self.pad_after:
            padding = f"2·{self.pad_before}"
        else:
            padding = f"{self.pad_before} + {self.pad_after}"
        kernel = str(self.span)
        if self.dilation > 1:
            kernel = f"({self.dilation}·({self.kernel}−1) + 1)"
        return f"({self.size} − {kernel} + {padding})/{self.stride} + 1"

    def nearest_sizes(self) -> tuple[int | None, int]:
        """The input sizes on either side that would fit with the same padding."""
        below = self.size - self.remainder
        smallest = self.span - self.pad_before - self.pad_after
        return (below if below >= max(smallest, 1) else None), below + self.stride

    def fitting_paddings(self, max_padding: int | None = None) -> list[int]:
        """Symmetric paddings P (0 ≤ P < kernel span, or ≤ max_padding) that divide exactly."""
        limit = self.span - 1 if max_padding is None else max_padding
        return [p for p in range(limit + 1)
                if window_span(self.size, self.kernel, p, p, self.dilation) >= 0
                and window_span(self.size, self.kernel, p, p, self.dilation) % self.stride == 0]

    def smallest_total_padding(self) -> int:
        """Least total padding (split unevenly if need be) that makes the division exact."""
        return (-window_span(self.size, self.kernel, 0, 0, self.dilation)) % self.stride

    def fitting_strides(self, max_stride: int | None = None) -> list[int]:
        span = window_span(self.size, self.kernel, self.pad_before, self.pad_after, self.dilation)
        limit = max(span, 1) if max_stride is None else max_stride
        return [s for s in range(1, limit + 1) if span >= 0 and span % s == 0]


def describe_rows(rows: range) -> str:
    if len(rows) == 1:
        return str(rows.start)
    return f"{rows.start}–{rows.stop - 1}"


def advice(axis: AxisFit, label: str, max_padding: int | None = None) -> list[str]:
    """What to tell about an axis that does not fit, one phrase each: the floored size, the
    input never read, the sizes and paddings that would fit. Summary, cards and explain all
    say it with these words."""
    floor = axis.quotient.numerator // axis.quotient.denominator
    below, above = axis.nearest_sizes()
    sizes = f"{below} or {above}" if below is not None else str(above)
    paddings = axis.fitting_paddings(max_padding)
    if paddings:
        pad_text = "padding " + " or ".join(str(p) for p in paddings[:4]) + " would fit"
    else:
        total = axis.smallest_total_padding()
        pad_text = (f"no symmetric padding fits (total padding {total}, e.g. "
                    f"[{total // 2}, {total - total // 2}], would)")
    return [f"floored to {floor}", f"input {label} {describe_rows(axis.dropped)} never read",
            f"inputs that fit: {sizes}", pad_text]


def misfit_axes(fits: list[AxisFit]) -> list[tuple[AxisFit, str]]:
    """The axes that do not fit, with their label; equal axes are told once ("rows and
    columns", "frames, rows and columns")."""
    alike: dict[str, list[AxisFit]] = {}
    for axis in fits:
        if not axis.fits:
            alike.setdefault(axis.formula(), []).append(axis)
    labelled = []
    for axes in alike.values():
        names = [axis.axis + "s" for axis in axes]
        label = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
        labelled.append((axes[0], label))
    return labelled


def misfit_message(fits: list[AxisFit], max_padding: int | None = None) -> str:
    """The ⚠ text for a layer whose division leaves real input unread (SPEC §2)."""
    return "; ".join(f"does not fit: {axis.formula()} = {format_number(axis.quotient)}, "
                     + "; ".join(advice(axis, label, max_padding))
                     for axis, label in misfit_axes(fits))
