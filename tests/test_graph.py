"""Graphs (SPEC §7): named tensors, merges, gates, splits, aux heads, several inputs/outputs.

Expected shapes and counts are worked out in each test from the layer formulas (conv params
K·(C·F·F + 1), output ⌊(W − F + 2P)/S⌋ + 1, NumPy broadcasting), not taken from cnncalc.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from graph_specs import FPN  # tests/ is on sys.path, as for golden_data

import cnncalc
from cnncalc.cli import cli
from cnncalc.errors import CnnCalcError
from cnncalc.render.json_document import to_json

SE_RESNET = """
name: se-resnet-block
input: 56x56x64
layers:
  - conv: {name: stem, filters: 64, kernel: 3, padding: 1, activation: relu}
  - conv: {name: conv1, filters: 64, kernel: 3, padding: 1, activation: relu}
  - conv: {name: conv2, filters: 64, kernel: 3, padding: 1}
  - gate:
      name: se
      body: [gap, {conv: {filters: 4, kernel: 1}}, relu, {conv: {filters: 64, kernel: 1}}, sigmoid]
  - add: {name: sum, from: [previous, stem]}
  - relu
"""


SHUFFLE_UNIT = """
name: shuffle-unit
input: 28x28x116
layers:
  - split:
      name: unit
      branches:
        - []
        - - conv: {filters: 58, kernel: 1, bias: false}
          - conv: {kernel: 3, padding: 1, depthwise: true, bias: false}
          - conv: {filters: 58, kernel: 1, bias: false}
"""


def conv_params(c: int, k: int, f: int, bias: bool = True) -> int:
    return k * (c * f * f + (1 if bias else 0))


def rows_by_path(analysis):
    return {row.path: row for row in analysis.rows}


def test_se_resnet_block_gate_and_named_add():
    result = cnncalc.analyze(cnncalc.loads(SE_RESNET))
    rows = rows_by_path(result)
    assert rows["se.globalavgpool1"].output == (1, 1, 64)
    assert rows["se.multiply"].output == (56, 56, 64)  # 56×56×64 ⊙ 1×1×64 broadcasts
    assert rows["se.multiply"].reads == ("conv2", "se.sigmoid1")
    assert rows["sum"].reads == ("se.multiply", "relu1")  # stem's entry ends in its relu
    # two values read per output neuron of a product or a sum of two
    assert rows["se.multiply"].connections == rows["sum"].connections == 2 * 56 * 56 * 64
    assert result.totals.params == (3 * conv_params(64, 64, 3) + conv_params(64, 4, 1)
                                    + conv_params(4, 64, 1))
    assert result.output == (56, 56, 64) and not result.warnings


def test_fpn_has_three_outputs_in_the_listed_order():
    result = cnncalc.analyze(cnncalc.loads(FPN))
    # 64 → 32 → 16 → 8 (3×3, stride 2, padding 1: ⌊(W − 3 + 2)/2⌋ + 1)
    assert result.outputs == {"p3": (32, 32, 16), "p4": (16, 16, 16), "p5": (8, 8, 16)}
    assert result.output == (32, 32, 16)
    assert not result.warnings  # every entry reaches one of the outputs
    document = json.loads(to_json(result))
    assert document["output"] == {"p3": "32x32x16", "p4": "16x16x16", "p5": "8x8x16"}
    assert rows_by_path(result)["lat4"].reads == ("c4",)


def test_shufflenet_unit_splits_and_concatenates():
    result = cnncalc.analyze(cnncalc.loads(SHUFFLE_UNIT))
    types = [(row.path, row.type, row.output) for row in result.rows]
    assert types[:2] == [("unit.part1", "split", (28, 28, 58)),
                         ("unit.part2", "split", (28, 28, 58))]
    assert types[-1] == ("unit.concat", "concat", (28, 28, 116))
    assert result.totals.params == (conv_params(58, 58, 1, False) + 58 * 9
                                    + conv_params(58, 58, 1, False))


def test_unequal_split_sizes():
    result = cnncalc.analyze(cnncalc.loads(
        "input: 8x8x10\nlayers:\n  - split: {sizes: [3, 7], branches: [[relu], []]}\n"))
    # SPEC §7: a split row per part, then the branches, then the concat
    assert [row.output for row in result.rows] == [(8, 8, 3), (8, 8, 7), (8, 8, 3), (8, 8, 10)]
    assert [row.part for row in result.rows[:2]] == [(0, 3), (3, 10)]


def test_aux_head_counts_in_totals_and_apart():
    spec = """
input: 32x32x3
layers:
  - conv: {filters: 8, kernel: 3, padding: 1}
  - aux:
      name: side
      layers: [gap, flatten, {dense: {units: 10}}]
  - conv: {filters: 16, kernel: 3, stride: 2, padding: 1}
  - gap
  - flatten
  - dense: {units: 5}
"""
    result = cnncalc.analyze(cnncalc.loads(spec))
    main = conv_params(3, 8, 3) + conv_params(8, 16, 3) + (16 * 5 + 5)
    side = 8 * 10 + 10
    assert result.totals.params == main + side
    assert result.params_without_aux == main
    assert result.macs_without_aux == result.totals.macs - 8 * 10
    assert result.outputs == {"output": (5,), "side": (10,)}
    document = json.loads(to_json(result))
    assert document["totals"]["params_without_aux"] == main
    assert [layer["path"] for layer in document["layers"] if layer.get("aux")] == [
        "side.globalavgpool1", "side.flatten1", "side.dense1"]
    # the main path goes on from the head's input: the second conv reads the first
    assert rows_by_path(result)["conv2"].reads == ("conv1",)


def test_two_inputs_and_a_spatial_mask():
    spec = """
inputs: {image: 32x32x3, mask: 32x32x1}
layers:
  - conv: {filters: 8, kernel: 3, padding: 1}
  - multiply: {from: [previous, mask]}
"""
    result = cnncalc.analyze(cnncalc.loads(spec))
    assert result.input == (32, 32, 3)
    assert result.rows[-1].output == (32, 32, 8) and result.rows[-1].reads == ("conv1", "mask")


def test_dotted_path_reaches_inside_a_block():
    spec = """
input: 16x16x3
blocks:
  pair:
    layers:
      - conv: {name: a, filters: 4, kernel: 3, padding: 1}
      - conv: {name: b, filters: 8, kernel: 3, stride: 2, padding: 1}
layers:
  - pair: {name: p1}
  - conv: {from: p1.a, filters: 2, kernel: 1}
"""
    result = cnncalc.analyze(cnncalc.loads(spec))
    last = result.rows[-1]
    assert last.reads == ("p1.a",) and last.input == (16, 16, 4) and last.output == (16, 16, 2)
    assert "never used" in " ".join(result.warnings)  # p1.b reaches no output


def test_never_used_entries_are_one_warning_per_run():
    spec = """
input: 8x8x3
layers:
  - conv: {name: a, filters: 4, kernel: 1}
  - conv: {name: b, filters: 4, kernel: 1}
  - conv: {name: c, filters: 4, kernel: 1}
  - conv: {name: d, from: a, filters: 4, kernel: 1}
"""
    warnings = cnncalc.analyze(cnncalc.loads(spec)).warnings
    assert warnings == ["b: never used: the results of 'b' … 'c' (2 entries) reach no output "
                        "(read it with 'from:', list it in 'outputs:' or remove it)"]


def test_to_pads_an_odd_size_and_resizes():
    spec = """
input: 75x75x1
layers:
  - conv: {name: enc, filters: 4, kernel: 3, padding: 1}
  - maxpool: {kernel: 2}
  - convtranspose: {filters: 4, kernel: 2, stride: 2}
  - zeropad: {to: enc}
  - concat: {from: [enc, previous]}
  - conv: {name: low, filters: 2, kernel: 5, stride: 5}
  - upsample: {to: enc}
"""
    result = cnncalc.analyze(cnncalc.loads(spec))
    rows = rows_by_path(result)
    # 75 → 37 (pool) → 74 (transposed ×2): 1 row short, padded 0 before and 1 after
    assert rows["zeropad1"].output == (75, 75, 4)
    assert rows["zeropad1"].layer.padding == (0, 1, 0, 1)
    assert rows["upsample1"].output == (75, 75, 2)


def test_to_a_larger_tensor_than_the_target_is_an_error():
    spec = ("input: 8x8x1\nlayers:\n  - conv: {name: small, filters: 1, kernel: 3}\n"
            "  - conv: {from: input, filters: 1, kernel: 1}\n  - zeropad: {to: small}\n")
    with pytest.raises(CnnCalcError, match="cannot pad 8×8 to the smaller 6×6"):
        cnncalc.analyze(cnncalc.loads(spec))


def test_a_block_parameter_can_name_the_activation():
    spec = """
input: 8x8x3
blocks:
  unit:
    params: {act: relu}
    layers:
      - conv: {filters: 4, kernel: 1, activation: $act}
      - $act
layers:
  - unit: {act: silu}
"""
    try:
        result = cnncalc.analyze(cnncalc.loads(spec))
    except CnnCalcError as error:  # silu arrives with SPEC §7's layer table
        pytest.skip(str(error))
    assert [row.type for row in result.rows] == ["conv", "silu", "silu"]


@pytest.mark.parametrize("spec", [SE_RESNET, FPN, SHUFFLE_UNIT])
@pytest.mark.parametrize("referee", ["numpy", "full"])
def test_both_referees_verify_every_row_of_a_graph(spec, referee, tmp_path):
    path = tmp_path / "net.yaml"
    path.write_text(spec, encoding="utf-8")
    result = CliRunner().invoke(cli, ["summary", str(path), "--verify", referee, "--format",
                                      "json"])
    assert result.exit_code == 0, result.output
    layers = json.loads(result.output)["layers"]
    assert layers and all(layer["verified"] is True for layer in layers)


def test_aux_rows_are_marked_in_every_format(tmp_path):
    path = tmp_path / "aux.yaml"
    path.write_text("input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 1}\n"
                    "  - aux: {name: side, layers: [gap, flatten, {dense: {units: 2}}]}\n"
                    "  - gap\n  - flatten\n  - dense: {units: 3}\n", encoding="utf-8")
    outputs = {fmt: CliRunner().invoke(cli, ["summary", str(path), "--no-verify", "--format",
                                             fmt]).output
               for fmt in ("table", "markdown", "csv")}
    side = 4 * 2 + 2  # the aux head's dense: 4 inputs × 2 units + 2 biases
    main = (3 + 1) * 4 + 4 * 3 + 3
    assert f"{main:,} params" in outputs["table"]  # the "without aux heads" line
    assert f"| params without aux heads | {main:,} |" in outputs["markdown"]
    assert "| dense 2 (aux) |" in outputs["markdown"]
    csv_rows = [line for line in outputs["csv"].splitlines() if line.startswith("side.")]
    assert len(csv_rows) == 3 and all(line.endswith("aux head") for line in csv_rows)
    assert f"{main + side:,}" in outputs["table"]
