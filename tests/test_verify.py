"""The reference pass as referee: built-ins verify, a wrong formula is caught, memory is kept."""

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

import cnncalc
from cnncalc.cli import cli
from cnncalc.engine.layers import Conv
from cnncalc.reference.verify import verify_analysis


@pytest.mark.parametrize("name", cnncalc.builtin_names())
def test_every_builtin_verifies_fully(name):
    result = cnncalc.analyze(cnncalc.load(name))
    verification = verify_analysis(result)
    assert verification.ok
    assert [row.path for row in verification.analysis.rows if row.verified is not True] == []
    assert all(row.verified is None for row in result.rows)  # the input is left as it was


def test_a_wrong_formula_is_caught(monkeypatch):
    real = Conv.output_shape

    def off_by_one(self, shape):
        height, width, channels = real(self, shape)
        return (height + 1, width, channels)

    monkeypatch.setattr(Conv, "output_shape", off_by_one)
    outcome = CliRunner().invoke(cli, ["summary", "lenet5"])
    assert outcome.exit_code == 3
    assert "✗" in outcome.output
    assert "reference array is 28x28x6, the formulas say 29x28x6" in outcome.output


def test_json_verified_flags():
    import json

    outcome = CliRunner().invoke(cli, ["summary", "lenet5", "--format", "json"])
    assert outcome.exit_code == 0
    assert all(layer["verified"] is True for layer in json.loads(outcome.output)["layers"])


def test_layers_beyond_the_memory_budget_are_skipped_with_a_note():
    outcome = CliRunner().invoke(cli, ["summary", "alexnet", "--max-memory", "2MiB"])
    assert outcome.exit_code == 0
    assert "reference pass skipped from conv1 on" in outcome.output
    assert "skipped: memory" in outcome.output


def test_budget_reaches_partway():
    result = cnncalc.analyze(cnncalc.load("vgg16"))
    verification = verify_analysis(result, max_memory=48 << 20)
    assert verification.ok and verification.skipped and verification.checked
    first_skipped = verification.skipped[0]
    assert "more than --max-memory" in first_skipped.notes[-1]


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
    assert sum(note.startswith("reference pass skipped") for row in notes for note in row) == 1
    assert all(not any(note.startswith("reference pass") for note in row.notes)
               for row in result.rows)
