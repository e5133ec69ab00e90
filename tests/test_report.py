"""JSON, CSV, Markdown and the rich table for AlexNet (figures from SPEC §4's example)."""

import csv
import io
import json

from rich.console import Console

import cnncalc
from cnncalc.render.formats import to_csv, to_markdown
from cnncalc.render.json_document import to_json
from cnncalc.render.table import summary


def alexnet():
    return cnncalc.analyze(cnncalc.load("alexnet"))


def test_json_document_field_by_field():
    document = json.loads(to_json(alexnet()))
    assert document["name"] == "AlexNet"
    assert document["input"] == "227x227x3"
    assert document["output"] == 1000
    assert document["batch"] == 1
    totals = document["totals"]
    assert set(totals) == {"params", "buffers", "weights", "biases", "neurons", "connections",
                           "macs", "flops", "activation_bytes", "param_bytes"}
    # SPEC §4's AlexNet figures (and golden/alexnet.json for weights and biases)
    expected = {"params": 62_378_344, "buffers": 0, "weights": 62_367_776, "biases": 10_568,
                "macs": 1_135_256_096, "flops": 2_270_512_192, "param_bytes": 249_513_376}
    assert {key: totals[key] for key in expected} == expected
    assert totals["activation_bytes"] == 4 * totals["neurons"]  # SPEC §3: float32, batch 1
    conv1 = document["layers"][0]
    expected = {"path": "conv1", "type": "conv", "input": "227x227x3", "output": "55x55x96",
                "params": 34_944, "weights": 34_848, "biases": 96, "buffers": 0,
                "neurons": 290_400, "connections": 105_705_600, "macs": 105_415_200,
                "flops": 210_830_400, "rf": 11, "jump": 4, "fits": True, "verified": None,
                "notes": []}
    assert {key: conv1[key] for key in expected} == expected
    assert document["checks"][0] == {"path": "conv1", "figure": "output",
                                     "expected": "55x55x96", "got": "55x55x96", "ok": True}
    assert document["warnings"] == []
    assert [layer["type"] for layer in document["layers"]].count("dense") == 3


def test_json_types_are_canonical_and_paths_dotted():
    document = json.loads(to_json(cnncalc.analyze(cnncalc.load("resnet18"))))
    types = {layer["type"] for layer in document["layers"]}
    assert {"conv", "batchnorm", "relu", "maxpool", "add", "adaptiveavgpool", "dense"} <= types
    adds = [layer["path"] for layer in document["layers"] if layer["type"] == "add"]
    assert len(adds) == 8 and all(path.count(".") >= 2 for path in adds)
    assert document["warnings"] == []  # the 1×1/2 projections subsample: ℹ (SPEC §7)


def test_csv_has_one_row_per_layer():
    rows = list(csv.DictReader(io.StringIO(to_csv(alexnet()))))
    assert len(rows) == len(alexnet().rows) + 1  # and the total row (SPEC §13)
    assert rows[-1]["type"] == "total"
    assert rows[0]["path"] == "conv1" and rows[0]["params"] == "34944"
    assert rows[0]["output"] == "55x55x96"


def test_markdown_is_a_pipe_table():
    text = to_markdown(alexnet())
    lines = text.splitlines()
    assert lines[0] == "| layer | type | output | params | macs | expect | verified |"
    assert "| conv1 | conv 11×11/4, 96 | 55×55×96 | 34,944 | 105,415,200 | ✓ |  |" in lines


def render(result, **options):
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(summary(result, **options))
    return console.file.getvalue()


def test_table_rendering_at_fixed_width():
    text = render(alexnet())
    assert "conv1" in text and "conv 11×11/4, 96" in text and "55×55×96" in text
    assert "62,378,344" in text and "1,135,256,096" in text
    assert "expect 18/18 ✓" in text
    assert "every layer fits" in text


def test_table_chw_and_keras():
    result = cnncalc.analyze(cnncalc.load("vgg16-bn"))
    text = render(result, chw=True, keras=True)
    assert "64×224×224" in text
    # Keras total = params + BN running statistics (golden vgg16-bn: 138,365,992 + 8,448)
    assert f"{138_365_992 + 8_448:,}" in text


def test_table_shows_warnings_and_failed_checks():
    text = "input: 7x7x1\nlayers: [conv: {filters: 1, kernel: 3, stride: 3, expect: {params: 9}}]"
    output = render(cnncalc.analyze(cnncalc.loads(text)))
    assert "⚠ conv1: does not fit: (7 − 3 + 2·0)/3 + 1 = 2.33" in output
    assert "✗ conv1 params: expected 9, got 10" in output


def test_narrow_console_falls_back_to_a_squeezed_table():
    console = Console(file=io.StringIO(), width=60, color_system=None)
    console.print(summary(alexnet()))
    text = console.file.getvalue()
    assert "conv1" in text and "34,944" in text
    assert max(len(line) for line in text.splitlines()) <= 60
