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


# The 1-D and 3-D goldens list their inexact layers without the dropped inputs (golden
# README); tests/test_architectures.py finds those by sliding the windows by hand.
MEASURED_DROPS = [name for name in BUILTINS
                  if all("dropped_input_rows" in entry for entry in golden(name)["does_not_fit"])]


@pytest.mark.parametrize("name", MEASURED_DROPS)
def test_unread_rows_match_pytorch_backprop(name):
    """Golden files list, per inexact layer, the input rows no window reaches (measured in
    PyTorch by backprop through a ones-kernel); cnncalc must flag exactly those layers."""
    reference = golden(name)
    analysis = cnncalc.analyze(cnncalc.load(name))
    expected = sorted((entry["input"], entry["output"], tuple(entry["dropped_input_rows"]))
                      for entry in reference["does_not_fit"]
                      if not entry.get("ceil_mode") and entry["dropped_input_rows"])
    got = []
    for row in analysis.rows:
        if row.fits is False:
            (rows_axis, _) = row.layer.axis_fits(row.input)
            got.append((cnncalc.shape_str(row.input), cnncalc.shape_str(row.output),
                        tuple(rows_axis.dropped)))
    assert sorted(got) == expected
    inexact = [row for row in analysis.rows
               if row.fits is False or any(note.startswith("inexact") for note in row.notes)]
    assert len(inexact) == len(reference["does_not_fit"])

