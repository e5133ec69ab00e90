"""explain: the worked solution of LeNet-5 and friends (numbers from the lecture slides)."""

import pytest

from cnncalc import analyze, load
from cnncalc.homework.explain import LayerNotFound, explain


def lines(explanation):
    return {item.path: [str(step) for step in item.steps] for item in explanation.layers}


def test_lenet_formulas_in_order():
    result = explain(analyze(load("lenet5")))
    assert [item.path for item in result.layers][:3] == ["conv1", "tanh1", "pool1"]
    steps = lines(result)
    assert "output size: (32 − 5 + 2·0)/1 + 1 = 28" in steps["conv1"]
    assert "output size: (28 − 2 + 2·0)/2 + 1 = 14" in steps["pool1"]
    assert "output size: (14 − 5 + 2·0)/1 + 1 = 10" in steps["conv2"]
    assert "params: (400 + 1) × 120 = 48,120" in steps["fc1"]
    # totals add up to the slide's 61,706
    assert str(result.totals[0]).endswith("= 61,706")


def test_shapes_flow_from_layer_to_layer():
    result = explain(analyze(load("lenet5")))
    for before, after in zip(result.layers, result.layers[1:], strict=False):
        assert before.output == after.input


def test_receptive_field_recurrence():
    steps = lines(explain(analyze(load("lenet5"))))
    assert "receptive field: 5 + (2 − 1)·1 = 6 — jump 1·2 = 2" in steps["pool1"]
    assert "receptive field: 6 + (5 − 1)·2 = 14 — jump 2·1 = 2" in steps["conv2"]


def test_one_layer_by_name_and_group_by_path():
    one = explain(analyze(load("alexnet")), "conv1")
    assert [item.path for item in one.layers] == ["conv1"]
    assert "connections: 290,400 × 364 = 105,705,600" in lines(one)["conv1"]
    group = explain(analyze(load("resnet18")), "layer2")
    assert len(group.layers) > 5
    assert all(item.path.startswith("layer2.") for item in group.layers)


def test_unknown_layer():
    with pytest.raises(LayerNotFound, match="conv1"):
        explain(analyze(load("lenet5")), "conv9")


def test_subsampling_projection_is_explained():
    # torchvision's 1×1/2 projections read every other row of 56×56 (row 55 too goes
    # unread): subsampling by design since SPEC §7, a note and not a does-not-fit warning
    result = explain(analyze(load("resnet18")), "layer2")
    shortcut = [item for item in result.layers if item.path.endswith("shortcut.conv")][0]
    assert "(56 − 1 + 2·0)/2 + 1 = 28.5" in str(shortcut.steps[0])
    assert not shortcut.warnings
    assert "stride 2 > kernel 1: rows and columns 1, 3, …, 55 never read " \
           "(subsampling by design)" in shortcut.notes


def test_misfit_is_still_warned():
    # AlexNet's conv1 on 224: (224 − 11)/4 + 1 = 54.25, row 223 never read
    item = explain(analyze(load("alexnet"), input=(224, 224, 3)), "conv1").layers[0]
    assert any("223 never read" in warning for warning in item.warnings)


def test_section7_arithmetic_written_out():
    text = ("input: 16x16x8\nlayers:\n  - groupnorm: {groups: 4}\n"
            "  - slice: {channels: [2, 6]}\n  - pixelshuffle: {factor: 2}\n"
            "  - pixelunshuffle: {factor: 4}\n  - convtranspose: {filters: 2, kernel: 3, "
            "stride: 2, padding: valid}\n")
    from cnncalc import loads

    steps = lines(explain(analyze(loads(text))))
    assert "channels per group: 8 / 4 = 2 — mean and variance per group" in steps["groupnorm1"]
    assert "params: 2 × 8 (γ and β per channel) = 16" in steps["groupnorm1"]
    assert "channels: 6 − 2 = 4 — channels 2…5 of 8 (stop exclusive)" in steps["slice1"]
    assert "spatial: 16×16 × 2 = 32×32 — each r×r block from r² channels" in steps[
        "pixelshuffle1"]
    assert "channels: 4 / 2² = 1" in steps["pixelshuffle1"]
    assert "channels: 1 × 4² = 16" in steps["pixelunshuffle1"]
    assert "output height: 8·2 + max(3 − 2, 0) = 17" in steps["convtranspose1"]
