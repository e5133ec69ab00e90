"""The reference pass as referee: built-ins verify, a wrong formula is caught, memory is kept."""

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.cli import cli
from cnncalc.engine.layers import Conv
from cnncalc.reference.verify import probe_analysis, verify_analysis


@pytest.mark.parametrize("name", cnncalc.builtin_names())
def test_every_builtin_verifies_fully(name):
    result = cnncalc.analyze(cnncalc.load(name))
    verification = verify_analysis(result)
    assert verification.ok
    assert [row.path for row in verification.analysis.rows if row.verified is not True] == []
    assert all(row.verified is None for row in result.rows)  # the input is left as it was


@pytest.mark.parametrize(("referee", "message"), [
    ("full", "reference array is 28x28x6, the formulas say 29x28x6"),
    ("numpy", "spatial probe gives 28x28, the formulas say 29x28"),
])
def test_a_wrong_formula_is_caught(monkeypatch, referee, message):
    real = Conv.output_shape

    def off_by_one(self, shape):
        height, width, channels = real(self, shape)
        return (height + 1, width, channels)

    monkeypatch.setattr(Conv, "output_shape", off_by_one)
    outcome = CliRunner().invoke(cli, ["summary", "lenet5", "--verify", referee])
    assert outcome.exit_code == 3
    assert "✗" in outcome.output
    assert message in outcome.output


def test_json_verified_flags():
    import json

    outcome = CliRunner().invoke(cli, ["summary", "lenet5", "--format", "json"])
    assert outcome.exit_code == 0
    assert all(layer["verified"] is True for layer in json.loads(outcome.output)["layers"])


def test_layers_beyond_the_memory_budget_run_in_strips_with_a_note():
    outcome = CliRunner().invoke(cli, ["summary", "alexnet", "--verify", "full",
                                       "--max-memory", "2MiB"])
    assert outcome.exit_code == 0
    assert "conv1: the reference pass computed this and" in outcome.output
    assert "verified 23/23" in outcome.output


def test_a_layer_that_cannot_be_tiled_and_does_not_fit_stops_the_pass_there():
    """groupnorm needs its whole map (statistics over every position): 4 MiB in, twice
    that with its output, over a 4 MiB bound. The conv before it runs in strips."""
    text = ("input: 256x256x16\nlayers:\n  - conv: {name: c, filters: 16, kernel: 3, "
            "padding: 1}\n  - groupnorm: {name: g, groups: 4}\n  - relu: {name: r}\n")
    verification = verify_analysis(cnncalc.analyze(cnncalc.loads(text)), max_memory=4 << 20)
    rows = {row.path: row for row in verification.analysis.rows}
    assert verification.ok and verification.tiled == 1
    assert rows["c"].verified is True
    assert rows["g"].verified is None and rows["r"].verified is None
    assert "reference pass skipped from g on: it cannot be computed in strips" in \
        rows["g"].notes[-1]


pairs = st.tuples(st.integers(1, 4), st.integers(1, 4))


@settings(max_examples=60, deadline=None)
@given(size=st.tuples(st.integers(1, 14), st.integers(1, 14)), channels=st.integers(1, 4),
       kind=st.sampled_from(["conv", "maxpool", "avgpool", "convtranspose"]),
       kernel=pairs, stride=pairs, padding=st.integers(0, 2), dilation=st.integers(1, 2),
       ceil=st.booleans(), same=st.booleans())
def test_engine_shape_equals_reference_shape(size, channels, kind, kernel, stride, padding,
                                             dilation, ceil, same):
    if kind == "conv":
        pad = "same" if same else padding
        options = (f"filters: 3, kernel: {list(kernel)}, stride: {list(stride)}, "
                   f"padding: {pad}, dilation: {dilation}")
    elif kind == "convtranspose":
        options = (f"filters: 2, kernel: {list(kernel)}, stride: {list(stride)}, "
                   f"padding: {padding}, output_padding: {min(stride) - 1}")
    else:
        options = (f"kernel: {list(kernel)}, stride: {list(stride)}, "
                   f"padding: {min(padding, min(kernel) // 2)}, ceil_mode: {str(ceil).lower()}")
    text = f"input: {size[0]}x{size[1]}x{channels}\nlayers: [{kind}: {{{options}}}]\n"
    try:
        result = cnncalc.analyze(cnncalc.loads(text))
    except cnncalc.CnnCalcError:
        return  # an impossible layer (kernel larger than the input, …): nothing to compare
    verification = verify_analysis(result)
    assert verification.ok, [row.verify_note for row in verification.mismatches]
    assert verification.analysis.rows[0].verified is True


def test_verifying_twice_gives_the_same_result_and_no_repeated_note():
    """Verification returns a new analysis; running it again on the same input adds nothing."""
    result = cnncalc.analyze(cnncalc.load("vgg16"))
    first = verify_analysis(result, max_memory=48 << 20)
    second = verify_analysis(result, max_memory=48 << 20)
    notes = [row.notes for row in second.analysis.rows]
    assert notes == [row.notes for row in first.analysis.rows]
    assert sum(note.startswith("the reference pass computed this") for row in notes
               for note in row) == 1
    assert all(not any(note.startswith("reference pass") for note in row.notes)
               for row in result.rows)


@pytest.mark.parametrize("name", cnncalc.builtin_names())
def test_every_builtin_passes_the_probe(name):
    result = cnncalc.analyze(cnncalc.load(name))
    verification = probe_analysis(result)
    assert verification.ok and verification.checked == len(result.rows)
    assert [row.path for row in verification.analysis.rows if row.verified is not True] == []


def test_a_wrong_channel_formula_is_caught_by_the_channel_probe(monkeypatch):
    """A conv that claims one channel too many: the spatial sizes still agree."""
    real = Conv.output_shape
    monkeypatch.setattr(Conv, "output_shape",
                        lambda self, shape: (*real(self, shape)[:-1], real(self, shape)[-1] + 1))
    verification = probe_analysis(cnncalc.analyze(cnncalc.load("lenet5")))
    first = verification.mismatches[0]
    assert first.path == "conv1"
    assert first.verify_note == "channel probe gives 6, the formulas say 7"


def test_a_wrong_padding_formula_is_caught_by_the_spatial_probe(monkeypatch):
    """'same' padding computed one pixel short: a conv keeps 32 → the formulas say 30."""
    from cnncalc.engine import shapes
    from cnncalc.engine.layers import base

    def short(size, kernel, stride, dilation=1):
        before, after = shapes.same_padding(size, kernel, stride, dilation)
        return before, max(after - 2, 0)

    monkeypatch.setattr(base, "same_padding", short)
    text = "input: 32x32x3\nlayers: [conv: {filters: 8, kernel: 5, padding: same}]"
    verification = probe_analysis(cnncalc.analyze(cnncalc.loads(text)))
    (row,) = verification.mismatches
    assert row.verify_note == "spatial probe gives 32x32, the formulas say 30x30"
    assert "channel probe" not in row.verify_note


def test_the_probe_checks_large_inputs_in_full():
    """SPEC §11: cheap at any size — U-Net at 1024×1024, every row checked, none skipped."""
    result = cnncalc.analyze(cnncalc.load("unet"), input=(1024, 1024, 1))
    verification = probe_analysis(result)
    assert verification.ok and not verification.skipped
    assert verification.checked == len(result.rows)
