"""SPEC §7's layer types inside real networks: the built-ins convnext-tiny, mobilenet-v3-large,
efficientnet-b0 and shufflenet-v2 are written with them (layernorm, layerscale, droppath;
hardswish, hardsigmoid, silu and squeeze-and-excitation as a `gate`; `split` and
`channelshuffle`). tests/test_architectures.py checks their totals and shapes against golden
and tests/test_training.py their saved activations; here, what only these networks show.
"""

from __future__ import annotations

from golden_data import golden

import cnncalc


def test_convnext_layer_scales_are_torchvisions_container_params():
    """ConvNeXt's layer_scale γ belongs to the block module, not a leaf: golden counts it
    apart as container_params (Σ C over the 18 blocks = 3·96 + 3·192 + 9·384 + 3·768)."""
    analysis = cnncalc.analyze(cnncalc.load("convnext-tiny"))
    assert golden("convnext-tiny")["container_params"] == sum(
        row.params for row in analysis.rows if row.type == "layerscale") == 6624


def test_efficientnet_squeeze_excitation_is_a_gate_per_block():
    """16 MBConv blocks, each with one SE gate whose product keeps the block's map."""
    analysis = cnncalc.analyze(cnncalc.load("efficientnet-b0"))
    products = [row for row in analysis.rows if row.type == "multiply"]
    assert len(products) == 16
    assert all(row.output == row.input for row in products)


def test_shufflenet_units_split_in_halves_then_shuffle():
    """13 stride-1 units (3 + 7 + 3) split C in two equal parts, each followed by a shuffle."""
    analysis = cnncalc.analyze(cnncalc.load("shufflenet-v2"))
    parts = [row for row in analysis.rows if row.type == "split"]
    assert len(parts) == 2 * 13
    assert all(row.output[-1] * 2 == row.input[-1] for row in parts)
    assert sum(row.type == "channelshuffle" for row in analysis.rows) == 16
