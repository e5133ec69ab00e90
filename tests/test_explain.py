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


def test_misfit_projection_is_explained():
    # torchvision's 1×1/2 projections drop the last row on 56×56: a does-not-fit warning
    result = explain(analyze(load("resnet18")), "layer2")
    shortcut = [item for item in result.layers if item.path.endswith("shortcut.conv")][0]
    assert "(56 − 1 + 2·0)/2 + 1 = 28.5" in str(shortcut.steps[0])
    assert shortcut.warnings
