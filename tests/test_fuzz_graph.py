"""Fuzz the graph language (SPEC §7) in every rank (SPEC §8): random 1-D, 2-D and 3-D networks
joined by `from:`, merges, gates, splits and aux heads either analyse — and then both
referees agree with every row — or end in a clear error; never an internal error.

The specs are drawn at random (small sizes, so the full pass is cheap): references point at
any earlier name, so many merges do not fit; that is the point — each must be a
CnnCalcError with the file's line, and each that fits must verify.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.errors import CnnCalcError
from cnncalc.reference.verify import probe_analysis, verify_analysis


@st.composite
def graph_specs(draw) -> str:
    rank = draw(st.integers(1, 3))
    sizes = [draw(st.integers(4, 12 if rank < 3 else 6)) for _ in range(rank)]
    width = draw(st.sampled_from([2, 4, 6]))
    lines = [f"input: {'x'.join(map(str, sizes))}x{width}", "layers:"]
    names: list[str] = []
    for index in range(draw(st.integers(1, 9))):
        name = f"t{index}"
        earlier = st.sampled_from(["input", *names]) if names else st.just("input")
        kind = draw(st.sampled_from(["conv", "pool", "relu", "add", "multiply", "concat",
                                     "gate", "split", "aux", "from"]))
        if kind == "conv":
            entry = (f"conv: {{name: {name}, filters: {draw(st.sampled_from([2, 4, 6]))}, "
                     f"kernel: {draw(st.integers(1, 3))}, stride: {draw(st.integers(1, 2))}, "
                     f"padding: {draw(st.integers(0, 1))}}}")
        elif kind == "pool":
            entry = f"maxpool: {{name: {name}, kernel: 2, ceil_mode: {draw(st.booleans())}}}"
        elif kind == "relu":
            entry = f"relu: {{name: {name}}}"
        elif kind in ("add", "multiply", "concat"):
            entry = f"{kind}: {{name: {name}, from: [previous, {draw(earlier)}]}}"
        elif kind == "gate":
            entry = (f"gate: {{name: {name}, body: [gap, {{conv: {{filters: "
                     f"{draw(st.sampled_from([2, 4, 6]))}, kernel: 1}}}}, sigmoid]}}")
        elif kind == "split":
            entry = f"split: {{name: {name}, branches: [[], [relu]]}}"
        elif kind == "aux":
            entry = f"aux: {{name: {name}, layers: [gap, flatten, {{dense: {{units: 3}}}}]}}"
        else:
            entry = f"conv: {{name: {name}, from: {draw(earlier)}, filters: 2, kernel: 1}}"
        lines.append(f"  - {entry}")
        names.append(name)
    return "\n".join(lines) + "\n"


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=graph_specs())
def test_random_graphs_analyse_and_verify_or_fail_clearly(spec):
    try:
        analysis = cnncalc.analyze(cnncalc.loads(spec, file="graph.yaml"))
    except CnnCalcError as error:
        assert "graph.yaml:" in str(error), f"{error} — for:\n{spec}"
        return
    for referee in (probe_analysis, verify_analysis):
        result = referee(analysis)
        assert result.ok and not result.skipped, (
            f"{referee.__name__}: {[(row.path, row.verify_note) for row in result.mismatches]}"
            f" — for:\n{spec}")
        assert result.checked == len(analysis.rows)
