"""The one table of figures is the one every view and check reads."""

import json

import cnncalc
from cnncalc.engine.figures import BY_KEY, COLUMNS, EXPECTABLE, FIGURES, RECORD_FIGURES, TOTALS
from cnncalc.render.formats import COLUMN_CHOICES, LAYER_KEYS
from cnncalc.render.json_document import to_json
from cnncalc.spec.expectations import FIGURES as SPEC_EXPECTABLE


def test_every_record_figure_is_a_key_of_each_json_layer_record_and_csv_column():
    document = json.loads(to_json(cnncalc.analyze(cnncalc.load("lenet5"))))
    for record in document["layers"]:
        assert set(RECORD_FIGURES) <= set(record)
    assert [key for key in LAYER_KEYS if key in BY_KEY] == list(RECORD_FIGURES)


def test_totals_are_the_summed_figures_and_what_derives_from_them():
    document = json.loads(to_json(cnncalc.analyze(cnncalc.load("lenet5"))))
    assert list(document["totals"]) == list(TOTALS)
    summed = [figure.key for figure in FIGURES if figure.summed]
    assert set(summed) <= set(TOTALS)
    # SPEC §3: FLOPs are two per MAC, activation memory 4 bytes per neuron (float32)
    totals = document["totals"]
    assert totals["flops"] == 2 * totals["macs"]
    assert totals["activation_bytes"] == 4 * totals["neurons"]
    assert totals["param_bytes"] == 4 * (totals["params"] + totals["buffers"])


def test_expect_accepts_exactly_the_expectable_figures():
    assert SPEC_EXPECTABLE == EXPECTABLE
    assert set(EXPECTABLE) == {"output", "params", "weights", "biases", "buffers", "neurons",
                               "connections", "macs", "flops", "rf"}  # SPEC §1 (+ buffers)
    text = "input: 8x8x1\nlayers: [conv: {filters: 2, kernel: 3, expect: {frobs: 1}}]"
    try:
        cnncalc.loads(text)
    except cnncalc.SpecError as error:
        assert "figures: " + ", ".join(EXPECTABLE) in str(error)
    else:
        raise AssertionError("an unknown figure was accepted")


def test_columns_offer_every_figure_marked_as_a_column():
    assert COLUMN_CHOICES == COLUMNS
    assert "memory" in COLUMNS and "memory" not in RECORD_FIGURES
