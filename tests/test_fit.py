"""'Does it fit?' (SPEC §2) against the course examples and the golden backprop measurements."""


import pytest
from golden_data import BUILTINS, golden

import cnncalc
from cnncalc.engine.fit import AxisFit
from cnncalc.engine.text import format_number


def test_alexnet_on_224_does_not_fit():
    axis = AxisFit("row", 224, 11, 4, 0, 0)
    assert format_number(axis.quotient) == "54.25"
    assert axis.formula() == "(224 − 11 + 2·0)/4 + 1"
    assert not axis.fits
    assert list(axis.dropped) == [223]
    assert axis.nearest_sizes() == (223, 227)
    assert axis.fitting_paddings() == []        # 213 + 2P is never a multiple of 4
    assert axis.smallest_total_padding() == 3   # 224 + 3 − 11 = 216 = 4·54


def test_alexnet_with_padding_two_only_wastes_padding():
    axis = AxisFit("row", 224, 11, 4, 2, 2)
    assert format_number(axis.quotient) == "55.25"
    assert not axis.exact
    assert axis.fits  # the unread row is padding: a note, not a warning


@pytest.mark.parametrize("stride, quotient, fits", [(1, "5", True), (2, "3", True),
                                                    (3, "2.33", False)])
def test_seven_by_seven_strides(stride, quotient, fits):
    axis = AxisFit("row", 7, 3, stride, 0, 0)
    assert format_number(axis.quotient) == quotient
    assert axis.fits is fits


def test_fitting_strides_on_seven():
    assert AxisFit("row", 7, 3, 1, 0, 0).fitting_strides() == [1, 2, 4]


def _skip_notes(row) -> list[str]:
    return [note for note in row.notes if "never read (subsampling" in note]


# The 1-D and 3-D goldens list their inexact layers without the dropped inputs (golden
# README); tests/test_architectures.py finds those by sliding the windows by hand.
MEASURED_DROPS = [name for name in BUILTINS
                  if all("dropped_input_rows" in entry for entry in golden(name)["does_not_fit"])]


@pytest.mark.parametrize("name", MEASURED_DROPS)
def test_unread_rows_match_pytorch_backprop(name):
    """Golden files list, per inexact layer, the input rows past the last window that no
    window reaches (measured in PyTorch by backprop through a ones-kernel). Windows that
    leave no gaps are flagged ⚠ with exactly those rows; windows that skip input (the 1×1/2
    projections) carry the ℹ note instead (SPEC §7), whose list holds every unread row:
    golden's rows are its trailing part, the rows after the last one any window reads."""
    reference = golden(name)
    analysis = cnncalc.analyze(cnncalc.load(name))
    expected = sorted((entry["input"], entry["output"], tuple(entry["dropped_input_rows"]),
                       tuple(entry["dropped_input_cols"]))
                      for entry in reference["does_not_fit"]
                      if not entry.get("ceil_mode") and entry["dropped_input_rows"])
    got = []
    for row in analysis.rows:
        if row.fits is False or _skip_notes(row):
            rows_axis, cols_axis = row.layer.axis_fits(row.input)
            trailing = []
            for axis in (rows_axis, cols_axis):
                unread = [r for run in axis.unread() for r in run]
                after = [r for r in unread if r > axis.last_read]
                assert after == list(axis.dropped)
                trailing.append(tuple(after))
            got.append((cnncalc.shape_str(row.input), cnncalc.shape_str(row.output),
                        *trailing))
    assert sorted(got) == expected
    inexact = [row for row in analysis.rows if row.fits is False or _skip_notes(row)
               or any(note.startswith("inexact") for note in row.notes)]
    assert len(inexact) == len(reference["does_not_fit"])


@pytest.mark.parametrize("name", MEASURED_DROPS)
def test_projections_skip_input_with_a_note(name):
    """Every golden layer with dropped rows whose parameters are C_in·C_out (a 1×1 kernel,
    no bias) and that halves the size is a 1×1/2 projection: ℹ with every odd row listed,
    never ⚠; the others stay ⚠."""
    reference = golden(name)
    analysis = cnncalc.analyze(cnncalc.load(name))
    by_shape = {(cnncalc.shape_str(row.input), cnncalc.shape_str(row.output)): row
                for row in analysis.rows if row.fits is not None}
    for entry in reference["does_not_fit"]:
        if entry.get("ceil_mode") or not entry["dropped_input_rows"]:
            continue
        row = by_shape[(entry["input"], entry["output"])]
        height, _, channels_in = map(int, entry["input"].split("x"))
        out_height, _, channels_out = map(int, entry["output"].split("x"))
        module = next(layer for layer in reference["layers"]
                      if layer["module"] == entry["module"])
        if module["params"] == channels_in * channels_out and out_height * 2 - 1 <= height:
            odd = ", ".join(["1", "3", "…", str(height - 1 if height % 2 == 0 else height - 2)])
            assert row.fits is True and _skip_notes(row) == [
                f"stride 2 > kernel 1: rows and columns {odd} never read "
                "(subsampling by design)"]
        else:
            assert row.fits is False and not _skip_notes(row)


def test_kernel_3_stride_5_on_33_rows_lists_every_skipped_row():
    """SPEC §7's own example: windows at 0, 5, …, 30 read rows 5i..5i+2; the others never."""
    expected = [r for r in range(33) if r % 5 in (3, 4)]  # a naive loop over the windows
    read = {5 * i + k for i in range((33 - 3) // 5 + 1) for k in range(3)}
    assert expected == [r for r in range(33) if r not in read]
    axis = AxisFit("row", 33, 3, 5, 0, 0)
    assert axis.skips and [r for run in axis.unread() for r in run] == expected
    text = cnncalc.analyze(cnncalc.loads(
        "input: 33x33x1\nlayers:\n  - conv: {filters: 1, kernel: 3, stride: 5}\n")).rows[0]
    assert text.fits is True and text.notes == [
        "stride 5 > kernel 3: rows and columns 3–4, 8–9, …, 28–29 never read "
        "(subsampling by design)"]


@pytest.mark.parametrize("size, kernel, stride, padding, dilation", [
    (33, 3, 5, 0, 1), (56, 1, 2, 0, 1), (20, 2, 2, 0, 3), (17, 3, 4, 2, 2), (31, 2, 6, 1, 1),
    (12, 3, 2, 1, 2), (9, 1, 3, 0, 1), (40, 4, 3, 0, 2), (25, 3, 2, 3, 1),
    # beyond 8,192 rows: gaps in closed form (undilated), listed taps, residues (dilated)
    (10007, 1, 3, 20, 1), (100007, 2, 5, 1, 1), (10007, 2, 5, 7, 1), (50003, 3, 7, 1, 2),
    (200003, 3, 2, 1, 2),
])
def test_unread_rows_equal_a_naive_scan(size, kernel, stride, padding, dilation):
    windows = (size + 2 * padding - dilation * (kernel - 1) - 1) // stride + 1
    read = {i * stride + k * dilation - padding for i in range(windows) for k in range(kernel)}
    expected = [r for r in range(size) if r not in read]
    axis = AxisFit("row", size, kernel, stride, padding, padding, dilation)
    assert [r for run in axis.unread() for r in run] == expected
    gaps = bool(expected) and expected[0] < max(r for r in read if r < size)
    assert axis.skips is gaps


def test_a_billion_rows_are_described_without_listing_them():
    axis = AxisFit("row", 10**9, 1, 2, 0, 0)
    assert axis.skips and axis.unread_text() == "1, 3, …, 999999999"
    axis = AxisFit("row", 10**6 + 3, 3, 5, 0, 0)
    assert axis.unread_text() == "3–4, 8–9, …, 999998–999999"


@pytest.mark.parametrize("spec, code", [
    ("input: 33x33x1\nlayers:\n  - conv: {filters: 1, kernel: 3, stride: 5}\n", 0),
    ("resnet18", 0),  # its 1×1/2 projections subsample: ℹ, so --strict passes
    ("input: 224x224x3\nlayers:\n  - conv: {filters: 96, kernel: 11, stride: 4}\n", 1),
])
def test_strict_fails_only_on_windows_without_gaps(tmp_path, spec, code):
    from click.testing import CliRunner

    from cnncalc.cli import cli

    if "\n" in spec:
        path = tmp_path / "net.yaml"
        path.write_text(spec, encoding="utf-8")
        spec = str(path)
    result = CliRunner().invoke(cli, ["summary", spec, "--strict", "--no-verify"])
    assert result.exit_code == code, result.output
