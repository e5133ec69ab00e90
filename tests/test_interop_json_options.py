"""SPEC §10: `--format json` layer records carry their options so other tools can rebuild
the network (this adds the key to every built-in's JSON on purpose)."""

from __future__ import annotations

import json

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli
from cnncalc.render.formats import LAYER_KEYS, to_csv
from cnncalc.render.json_document import to_dict


def test_resnet18_records_carry_the_specs_options():
    outcome = CliRunner().invoke(cli, ["summary", "resnet18", "--no-verify", "--format", "json"])
    layers = {layer["path"]: layer for layer in json.loads(outcome.output)["layers"]}
    # architectures/resnet18.yaml: conv {filters: 64, kernel: 7, stride: 2, padding: 3, bias: false}
    assert layers["conv1"]["options"] == {
        "filters": 64, "kernel": [7, 7], "stride": [2, 2], "padding": [3, 3, 3, 3],
        "dilation": [1, 1], "groups": 1, "depthwise": False, "bias": False}
    assert layers["maxpool"]["options"] == {"kernel": [3, 3], "stride": [2, 2],
                                            "padding": [1, 1, 1, 1], "ceil_mode": False,
                                            "dilation": [1, 1]}
    assert layers["fc"]["options"] == {"units": 1000, "bias": True}
    assert layers["layer1.basic1.residual1.add"]["options"] == {}


def test_same_padding_and_depthwise_are_resolved_for_the_input():
    spec = ("input: 10x10x4\nlayers:\n"
            "  - conv: {filters: 8, kernel: 3, stride: 2, padding: same}\n"
            "  - conv: {kernel: 3, depthwise: true}\n")
    document = to_dict(cnncalc.analyze(cnncalc.loads(spec)))
    same, depthwise = (layer["options"] for layer in document["layers"])
    # TensorFlow 'same': out ⌈10/2⌉ = 5, total padding (5−1)·2 + 3 − 10 = 1, odd pixel after
    assert same["padding"] == [0, 1, 0, 1]
    assert (depthwise["groups"], depthwise["filters"]) == (8, 8)


def test_csv_keeps_its_columns():
    text = to_csv(cnncalc.analyze(cnncalc.load("lenet5")))
    assert text.splitlines()[0].split(",") == list(LAYER_KEYS)


def test_section7_records_rebuild_their_layers():
    """Each §7 row's JSON options, written back as a one-layer spec on the row's input,
    give the same output, params and buffers (SPEC §10: other tools rebuild from them)."""
    spec = ("input: 12x12x8\nlayers:\n  - prelu: {channels: all}\n  - groupnorm: {groups: 4}\n"
            "  - instancenorm: {track_running_stats: true}\n  - layerscale: {init: 0.5}\n"
            "  - channelshuffle: {groups: 2}\n  - slice: {channels: [1, 7]}\n"
            "  - lppool: {p: 2, kernel: 3, stride: 2, ceil_mode: true}\n"
            "  - maxpool: {kernel: 2, stride: 1, dilation: 2}\n"
            "  - convtranspose: {filters: 4, kernel: 4, stride: 2, padding: same}\n"
            "  - pixelunshuffle: {factor: 2}\n  - pixelshuffle: {factor: 2}\n"
            "  - droppath: {rate: 0.1}\n  - layernorm: {affine: false}\n")
    document = to_dict(cnncalc.analyze(cnncalc.loads(spec)))
    for record in document["layers"]:
        entry = json.dumps({record["type"]: record["options"]})
        rebuilt = cnncalc.analyze(cnncalc.loads(
            f"input: {record['input']}\nlayers:\n  - {entry}\n")).rows[0]
        assert (cnncalc.shape_str(rebuilt.output), rebuilt.params, rebuilt.buffers) == (
            record["output"] if isinstance(record["output"], str) else str(record["output"]),
            record["params"], record["buffers"]), record
