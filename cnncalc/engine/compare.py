"""`compare` and `check`: two analyses side by side, and pass/fail verdicts for many specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from .analysis import Analysis, Row
from .figures import title


@dataclass(frozen=True)
class Figure:
    """One total of both networks; `kind` says how to print it ('count', 'bytes', 'shape')."""

    label: str
    a: object
    b: object
    kind: str = "count"

    @property
    def ratio(self) -> Fraction | None:
        """b / a, for the 'B is 0.18× A' column; None when it means nothing. Exact: a
        float overflows when B is 10^308 times A."""
        if self.kind == "shape" or not self.a:
            return None
        return Fraction(self.b, self.a)  # type: ignore[arg-type]


@dataclass
class LayerDiff:
    """A layer path present in A, B or both, with the figures that differ."""

    path: str
    a: Row | None
    b: Row | None

    def figure(self, side: str, name: str) -> int:
        row = self.a if side == "a" else self.b
        return getattr(row, name) if row is not None else 0


@dataclass
class Comparison:
    a: Analysis
    b: Analysis
    totals: list[Figure]
    layers: list[LayerDiff] = field(default_factory=list)
    same_layers: int = 0  # paths in both networks with identical figures


def compare(a: Analysis, b: Analysis, top: int = 10) -> Comparison:
    """Totals of A and B, and the `top` layers (matched by path) whose figures differ most."""
    ta, tb = a.totals, b.totals
    totals = [Figure("input", a.input, b.input, "shape"),
              Figure("output", a.output, b.output, "shape"),
              Figure("layers", len(a.rows), len(b.rows)),
              Figure("params", ta.params, tb.params),
              Figure("buffers", ta.buffers, tb.buffers),
              Figure(title("macs"), ta.macs, tb.macs),
              Figure(title("flops"), ta.flops, tb.flops),
              Figure("activation memory", ta.activation_bytes, tb.activation_bytes, "bytes"),
              Figure("parameter memory", ta.param_bytes, tb.param_bytes, "bytes")]
    rows_a = {row.path: row for row in a.rows}
    rows_b = {row.path: row for row in b.rows}
    paths = list(rows_a) + [path for path in rows_b if path not in rows_a]
    diffs, same = [], 0
    for path in paths:
        diff = LayerDiff(path, rows_a.get(path), rows_b.get(path))
        if diff.a is not None and diff.b is not None and _key(diff.a) == _key(diff.b):
            same += 1
        else:
            diffs.append(diff)
    # Rank by the larger share of the bigger network's params or MACs that the layer moves.
    whole_params = max(ta.params, tb.params, 1)
    whole_macs = max(ta.macs, tb.macs, 1)

    def weight(diff: LayerDiff) -> float:
        params = abs(diff.figure("a", "params") - diff.figure("b", "params")) / whole_params
        macs = abs(diff.figure("a", "macs") - diff.figure("b", "macs")) / whole_macs
        return max(params, macs)

    diffs.sort(key=weight, reverse=True)
    return Comparison(a, b, totals, diffs[:top], same)


def _key(row: Row) -> tuple:
    return (row.type, row.output, row.params, row.macs)
