"""Whole-network figures: the course's LeNet-5, AlexNet and VGG-16, and golden per-layer counts."""

import pytest
from golden_data import BUILTINS, channels_last, golden

import cnncalc

WEIGHTED = {"Conv2d": "conv", "ConvTranspose2d": "convtranspose", "Linear": "dense",
            # 1-D and 3-D built-ins; torchvision's r3d_18 makes its 3×3×3 convs Conv3DSimple
            "Conv1d": "conv", "Conv3d": "conv", "Conv3DSimple": "conv"}


def test_lenet5_course_figures():
    result = cnncalc.analyze(cnncalc.load("lenet5"))
    weighted = [row for row in result.rows if row.type in ("conv", "dense")]
    assert [row.weights for row in weighted] == [150, 2_400, 48_000, 10_080, 840]
    assert [row.biases for row in weighted] == [6, 16, 120, 84, 10]
    assert result.totals.params == 61_706
    assert weighted[0].neurons == 4_704


def test_alexnet_lecture_shapes_and_params():
    result = cnncalc.analyze(cnncalc.load("alexnet"))
    shapes = [row.output for row in result.rows
              if row.type in ("conv", "maxpool", "flatten", "dense")]
    # the lecture's shapes, H×W×C for maps and the length for vectors
    assert shapes == [(55, 55, 96), (27, 27, 96), (27, 27, 256), (13, 13, 256), (13, 13, 384),
                      (13, 13, 384), (13, 13, 256), (6, 6, 256), (9_216,), (4_096,), (4_096,),
                      (1_000,)]
    assert result.totals.params == 62_378_344
    assert not result.failed_checks


def test_alexnet_on_224_warns_with_the_numbers():
    result = cnncalc.analyze(cnncalc.load("alexnet"), input=(224, 224, 3))
    conv1 = result.rows[0]
    assert conv1.fits is False
    warning = conv1.warnings[0]
    for fragment in ("(224 − 11 + 2·0)/4 + 1 = 54.25", "floored to 54", "223 never read",
                     "inputs that fit: 223 or 227"):
        assert fragment in warning
    assert result.misfits[0] is conv1  # the floored 54 then misfits the pools after it too


def test_alexnet_padding_two_is_a_note_only():
    text = "input: 224x224x3\nlayers: [conv: {filters: 96, kernel: 11, stride: 4, padding: 2}]"
    result = cnncalc.analyze(cnncalc.loads(text))
    row = result.rows[0]
    assert row.output == (55, 55, 96)
    assert row.fits is True and not row.warnings
    assert row.notes == ["inexact: (224 − 11 + 2·2)/4 + 1 = 55.25; last padding row unused"]


def test_vgg16_params():
    assert cnncalc.analyze(cnncalc.load("vgg16")).totals.params == 138_357_544


def test_totals_memory_and_flops():
    result = cnncalc.analyze(cnncalc.load("alexnet"), batch=8)
    totals = result.totals
    assert totals.flops == 2 * totals.macs
    assert totals.param_bytes == 249_513_376  # SPEC §4's AlexNet JSON example
    assert totals.activation_bytes == 8 * 4 * totals.neurons


@pytest.mark.parametrize("name", BUILTINS)
def test_every_weighted_layer_matches_pytorch(name):
    """Each Conv2d/ConvTranspose2d/Linear module's params and MACs, in execution order."""
    expected = [(WEIGHTED[layer["type"]], layer["output"], layer["params"], layer["macs"])
                for layer in map(channels_last, golden(name)["layers"])
                if layer["type"] in WEIGHTED]
    result = cnncalc.analyze(cnncalc.load(name))
    # torchvision lists an aux head's modules after the main path: compare in that order.
    rows = [row for row in result.rows if not row.aux] + [row for row in result.rows if row.aux]
    got = [(row.type, row.output[0] if len(row.output) == 1 else cnncalc.shape_str(row.output),
            row.params, row.macs)
           for row in rows if row.type in WEIGHTED.values()]
    assert got == expected


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_expectations_hold(name):
    result = cnncalc.analyze(cnncalc.load(name))
    assert result.checks and not result.failed_checks
