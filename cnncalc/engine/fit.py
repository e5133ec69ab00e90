"""'Does it fit?': whether the lecture's (W − F + 2P)/S + 1 divides exactly, per axis (SPEC §2)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd

from .shapes import effective_kernel, pool_out, window_span
from .text import format_number

# Beyond this many rows per axis the unread rows are worked out at both ends and over one
# stride period in the middle (every middle row is read iff its residue is): no loop over
# a billion rows.
_ROWS_SCANNED = 4096
_TAPS_LISTED = 1 << 17  # window taps enumerated directly when there are no more than this


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
    ceil_mode: bool = False  # a ceil-mode pool: its last window may overhang (SPEC §7)

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

    @property
    def windows(self) -> int:
        return pool_out(self.size, self.kernel, self.stride, self.pad_before, self.pad_after,
                        self.ceil_mode, self.dilation)

    @property
    def skips(self) -> bool:
        """Do the windows step over input between them (SPEC §7 "windows that skip input")?
        Undilated windows with F ≥ S abut or overlap, so their union has no holes; otherwise
        look for an unread row before the last one read."""
        if self.dilation == 1 and self.kernel >= self.stride:
            return False
        head, families, tail = self._unread_parts()
        first = (head or [run for run, _ in families] or tail or [None])[0]
        if first is None:
            return False
        # The taps k·D of one window hit every residue mod S only if gcd(D, S) = 1 and
        # F ≥ S: otherwise the layer subsamples by design, even where one window fits.
        by_design = gcd(self.dilation, self.stride) > 1 or self.kernel < self.stride
        return by_design or first.start < self.last_read

    @property
    def last_read(self) -> int:
        """The last real row the last window reads (rows after it are the trailing ones)."""
        last = (self.windows - 1) * self.stride + (self.kernel - 1) * self.dilation
        return min(last - self.pad_before, self.size - 1)

    def read(self, row: int) -> bool:
        """Does any window read real row `row`? Taps k with k·D ≡ row + Pb (mod S), k in
        [0, F), window index (row + Pb − k·D)/S in [0, windows): a linear congruence."""
        position = row + self.pad_before
        low = max(0, -(-(position - (self.windows - 1) * self.stride) // self.dilation))
        high = min(self.kernel - 1, position // self.dilation)
        common = gcd(self.dilation, self.stride)
        if low > high or position % common:
            return False
        period = self.stride // common
        if period == 1:
            return True
        # the taps solving k·(D/g) ≡ position/g (mod S/g) are first + j·period
        first = position // common * pow(self.dilation // common, -1, period) % period
        candidate = first if low <= first else first + -(-(low - first) // period) * period
        return candidate <= high

    def unread(self) -> list[range]:
        """Every real input row no window reads, as ranges, trailing rows included (on a
        long axis the middle is periodic: see unread_text, which never lists it out)."""
        head, families, tail = self._unread_parts()
        middle = [range(run.start + j * self.stride, run.stop + j * self.stride)
                  for run, count in families for j in range(count)]
        return _runs(sorted(r for run in [*head, *middle, *tail] for r in run))

    def unread_text(self) -> str:
        """unread() as text: '3–4, 8–9, …, 28–29'."""
        head, families, tail = self._unread_parts()
        return progressions_text([*_progressions(head),
                                  *((run, self.stride, count) for run, count in families),
                                  *_progressions(tail)])

    def _unread_parts(self) -> tuple[list[range], list[tuple[range, int]], list[range]]:
        """(head runs, periodic families (first run, copies every S rows), tail runs)."""
        if self.size <= 2 * _ROWS_SCANNED:
            return _runs([r for r in range(self.size) if not self.read(r)]), [], []
        if self.dilation == 1:
            return self._interval_gaps()
        if self.windows * self.kernel <= _TAPS_LISTED:  # few taps: list what they read
            taps = sorted({i * self.stride + k * self.dilation - self.pad_before
                           for i in range(self.windows) for k in range(self.kernel)})
            bounds = [-1, *(r for r in taps if 0 <= r < self.size), self.size]
            gaps = [range(a + 1, b) for a, b in zip(bounds, bounds[1:], strict=False) if b > a + 1]
            return gaps, [], []
        # Long axis, many taps: both ends row by row; in between, whole stride periods in
        # which every tap is in range, so a row is read iff its residue mod S is. (Only a
        # stride beyond _TAPS_LISTED with as many taps is sampled over its first residues.)
        start, period = _ROWS_SCANNED, self.stride
        copies = max((self.size - 2 * _ROWS_SCANNED) // period, 0)
        end = start + copies * period
        head = _runs([r for r in range(start) if not self.read(r)])
        pattern = _runs([r for r in range(start, start + min(period, _TAPS_LISTED))
                         if not self.read(r)]) if copies else []
        tail = _runs([r for r in range(end, min(self.size, end + _TAPS_LISTED))
                      if not self.read(r)])
        return head, [(run, copies) for run in pattern], tail

    def _interval_gaps(self) -> tuple[list[range], list[tuple[range, int]], list[range]]:
        """Undilated windows read intervals [i·S − Pb, i·S − Pb + F): between two of them
        S − F rows go unread, the same every S rows, so the gaps are one family in closed
        form; only the ends, clipped to the real input, are worked out one by one."""
        size, stride, gap = self.size, self.stride, self.stride - self.kernel
        if gap <= 0:
            return [], [], [range(self.last_read + 1, size)] if self.last_read + 1 < size else []

        def gap_after(i: int) -> range:  # rows between window i and window i + 1
            start = i * stride - self.pad_before + self.kernel
            return range(max(start, 0), min(start + gap, size))

        first = max(0, -(-(self.pad_before - self.kernel) // stride))  # first whole gap
        last = min(self.windows - 2, (size - gap + self.pad_before - self.kernel) // stride)
        head = [gap_after(i) for i in range(max(first - 1, 0), min(first, self.windows - 1))]
        tail = [gap_after(i) for i in range(max(last + 1, first), self.windows - 1)]
        tail.append(range(self.last_read + 1, size))
        families = [(gap_after(first), last - first + 1)] if last >= first else []
        return [run for run in head if run], families, _merged(tail)

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


def _runs(rows: list[int]) -> list[range]:
    """Sorted row numbers → maximal ranges of consecutive rows."""
    runs: list[range] = []
    for row in rows:
        if runs and runs[-1].stop == row:
            runs[-1] = range(runs[-1].start, row + 1)
        else:
            runs.append(range(row, row + 1))
    return runs


def _merged(runs: list[range]) -> list[range]:
    """Ranges sorted and joined where they touch or overlap (never listing their rows)."""
    joined: list[range] = []
    for run in sorted((run for run in runs if run), key=lambda run: run.start):
        if joined and run.start <= joined[-1].stop:
            joined[-1] = range(joined[-1].start, max(joined[-1].stop, run.stop))
        else:
            joined.append(run)
    return joined


Progression = tuple[range, int, int]  # first run, step between runs, number of runs


def _progressions(runs: list[range]) -> list[Progression]:
    """Consecutive runs of one length at one spacing, grouped."""
    groups: list[Progression] = []
    for run in runs:
        if groups:
            first, step, count = groups[-1]
            spacing = run.start - first.start - (count - 1) * step
            if len(run) == len(first) and (count == 1 or spacing == step):
                groups[-1] = (first, spacing, count + 1)
                continue
        groups.append((run, 0, 1))
    return groups


def progressions_text(groups: list[Progression]) -> str:
    """Every run; four or more evenly spaced runs of one length are written by their first
    two and their last ('3–4, 8–9, …, 28–29'): the ellipsis hides only that pattern."""
    merged = _progressions([])
    for first, step, count in groups:  # join a family to the runs it continues
        if merged:
            head, head_step, head_count = merged[-1]
            gap = first.start - head.start - (head_count - 1) * head_step
            if len(first) == len(head) and (head_count == 1 or gap == head_step) \
                    and (count == 1 or step == gap):
                merged[-1] = (head, gap, head_count + count)
                continue
        merged.append((first, step, count))
    parts: list[str] = []
    for first, step, count in merged:
        runs = [range(first.start + j * step, first.stop + j * step)
                for j in ((0, 1, count - 1) if count >= 4 else range(count))]
        texts = [describe_rows(run) for run in runs]
        parts += [texts[0], texts[1], "…", texts[2]] if count >= 4 else texts
    return ", ".join(parts)


def skip_message(fits: list[AxisFit]) -> str:
    """The ℹ text for windows that step over input (SPEC §7): why, then every unread row;
    axes that agree are told once ("rows and columns")."""
    def reason(axis: AxisFit) -> str:
        if axis.dilation == 1:
            return f"stride {axis.stride} > kernel {axis.kernel}"
        return f"dilation {axis.dilation} and stride {axis.stride} step over input"

    texts = [(reason(axis), axis.axis + "s", axis.unread_text())
             for axis in fits if axis.skips]
    if len(texts) == 2 and texts[0][0::2] == texts[1][0::2]:
        texts = [(texts[0][0], "rows and columns", texts[0][2])]
    return "; ".join(f"{why}: {label} {rows} never read" for why, label, rows in texts) \
        + " (subsampling by design)"


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
