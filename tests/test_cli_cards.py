"""Answer cards and the second homework part through click: input order, value forms,
searches, dense, JSON, depth and --input with expect: (SPEC §12, issue 18)."""

import json

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli


def run(*args, code=0):
    result = CliRunner(env={"COLUMNS": "120"}).invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_channels_first_input_is_refused_with_the_hwc_form():
    out = run("conv", "3x224x224", "--filters", "96", "--kernel", "11", "--stride", "4", code=2)
    assert "224x224x3" in out and "--chw" in out
    read = run("conv", "3x224x224", "--filters", "96", "--kernel", "11", "--stride", "4",
               "--chw")
    # (224 − 11)/4 + 1 = 54.25: AlexNet's famous 224 does not fit
    assert "54.25" in read and "does not fit" in read
    # 4×227×227 is channels-first too; 5×… is not (first dimension ≤ 4)
    run("pool", "4x227x227", "--kernel", "3", code=2)
    run("pool", "5x227x227", "--kernel", "5")


def test_summary_input_channels_first():
    assert "227x227x3" in run("summary", "alexnet", "--no-verify", "--input", "3x227x227",
                              code=2)
    chw = run("summary", "alexnet", "--no-verify", "--input", "3x227x227", "--chw")
    assert "expect 18/18 ✓" in chw  # read as 227×227×3: the spec's own input


@pytest.mark.parametrize("kernel", ["5", "5x5", "5×5", "[5, 5]", "[5,5]"])
def test_kernel_forms(kernel):
    card = json.loads(run("conv", "32x32x3", "--filters", "6", "--kernel", kernel, "--format",
                          "json"))
    # COMP9444: (32 − 5)/1 + 1 = 28; (5·5·3 + 1)·6 = 456; 4,704 × 76 = 357,504
    assert card["output"] == "28x28x6"
    assert card["figures"]["params"] == 456 and card["figures"]["connections"] == 357504


def test_rectangular_kernel_and_stride():
    card = json.loads(run("conv", "32x32x3", "--filters", "1", "--kernel", "[3, 5]",
                          "--stride", "1x2", "--format", "json"))
    # rows (32 − 3)/1 + 1 = 30, columns (32 − 5)/2 + 1 = 14
    assert card["output"] == "30x14x1"


@pytest.mark.parametrize("args, message", [
    (["--padding", "-1"], "padding must be ≥ 0"),
    (["--stride", "0"], "stride must be ≥ 1"),
    (["--kernel", "5x"], "like 5, 5x5 or [5, 5]"),
    (["--kernel", "[5, 5"], "like 5, 5x5 or [5, 5]"),
    (["--kernel", "any"], "--kernel ? needs --output"),
    (["--padding", "any", "--stride", "any"], "one unknown at a time"),
    (["--output", "28"], "--output goes with --kernel ?"),
    (["--stride", "any", "--padding", "same"], "nothing to search"),
])
def test_card_messages(args, message):
    base = {"--kernel": "5"}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value
    flat = [item for pair in base.items() for item in pair]
    out = run("conv", "32x32x3", "--filters", "6", *flat, code=2)
    assert message in out


def test_card_input_without_channels_does_not_mention_input_option():
    # two sizes are L×C since SPEC §8 (1-D): the card answers, and says how it read them and
    # how a 32×32 image is written
    out = run("conv", "32x32", "--filters", "6", "--kernel", "5")
    assert "--input" not in out and "read as 1-D" in out and "32x32x1" in out
    out = run("conv", "784", "--filters", "6", "--kernel", "5", code=2)
    assert "--input" not in out and "HxWxC" in out


def test_any_is_question_mark():
    assert (run("conv", "7x7x1", "--filters", "1", "--kernel", "3", "--stride", "any")
            == run("conv", "7x7x1", "--filters", "1", "--kernel", "3", "--stride", "?"))


def test_padding_list_and_single_cards_say_the_same():
    listed = json.loads(run("conv", "32x32x3", "--filters", "10", "--kernel", "5", "--stride",
                            "2", "--padding", "any", "--format", "json"))
    assert [item["value"] for item in listed["values"]] == [1, 2, 3, 4]
    for padding in range(5):
        card = json.loads(run("conv", "32x32x3", "--filters", "10", "--kernel", "5",
                              "--stride", "2", "--padding", str(padding), "--format", "json"))
        assert card["fits"] == (padding > 0)


def test_kernel_question_with_output():
    listed = json.loads(run("conv", "32x32x3", "--filters", "6", "--kernel", "any", "--output",
                            "28", "--format", "json"))
    assert [(item["value"], item["exact"]) for item in listed["values"]] == [(5, True)]


def test_pool_ceil_mode_and_same():
    # PyTorch MaxPool2d(3, 2, ceil_mode=True) on 56: ceil((56 − 3)/2) + 1 = 28
    ceil = json.loads(run("pool", "56x56x64", "--kernel", "3", "--stride", "2", "--ceil-mode",
                          "--format", "json"))
    assert ceil["output"] == "28x28x64"
    floor = json.loads(run("pool", "56x56x64", "--kernel", "3", "--stride", "2", "--format",
                           "json"))
    assert floor["output"] == "27x27x64"
    # Keras 'same': ceil(55 / 2) = 28
    same = json.loads(run("pool", "55x55x96", "--kernel", "3", "--stride", "2", "--padding",
                          "same", "--format", "json"))
    assert same["output"] == "28x28x96"


def test_stride_above_kernel_warns():
    out = run("pool", "32x32x3", "--kernel", "2", "--stride", "4")
    assert "never read" in out


def test_dense_card():
    # AlexNet fc6: 6·6·256 = 9,216 inputs × 4,096 units + 4,096 biases = 37,752,832
    card = json.loads(run("dense", "6x6x256", "--units", "4096", "--format", "json"))
    assert card["figures"]["params"] == 37752832
    assert card["figures"]["MACs"] == 9216 * 4096
    assert card["figures"]["connections"] == 4096 * 9217
    text = run("dense", "9216", "--units", "4096", "--no-bias")
    assert "37,748,736" in text


def test_depth_as_the_course_counts_it():
    assert "8 weight layers (5 conv + 3 dense)" in run("summary", "alexnet", "--no-verify")
    assert "8 weight layers (5 conv + 3 dense)" in run("explain", "alexnet")
    # `list`'s table, on one built-in (the command loads every one)
    import io

    from rich.console import Console

    from cnncalc import analyze, load
    from cnncalc.render.terminal import builtins_table

    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(builtins_table({"alexnet": analyze(load("alexnet"))}))
    assert "8 weight layers (5 conv + 3 dense)" in console.file.getvalue()


@pytest.mark.parametrize("name, expected", [
    ("alexnet", "8 weight layers (5 conv + 3 dense)"),  # the lecture's count
    ("vgg16", "16 weight layers (13 conv + 3 dense)"),  # VGG's name
    ("resnet50", "50 weight layers (49 conv + 1 dense)"),  # projections beside the body
    # Szegedy et al. 2014: "22 layers deep when counting only layers with parameters"
    ("googlenet", "22 weight layers (21 conv + 1 dense)"),
    # Ronneberger et al. 2015: "In total the network has 23 convolutional layers"
    ("unet", "23 weight layers (19 conv + 4 convtranspose)"),
    ("inception-v3", "48 weight layers (47 conv + 1 dense)"),  # Keras: "48 layers deep"
])
def test_depth_is_the_longest_path_of_weight_layers(name, expected):
    from cnncalc import analyze, load
    from cnncalc.homework.depth import depth_text

    assert depth_text(analyze(load(name)).rows) == expected


def test_input_override_skips_shape_dependent_expectations():
    summary = run("summary", "resnet50", "--input", "512x512x3", "--no-verify")
    assert "skipped" in summary
    explained = run("explain", "lenet5", "conv1", "--input", "32x32x3")
    assert "✗" not in explained and "skipped" in explained
    data = json.loads(run("summary", "resnet18", "--input", "256x256x3", "--no-verify",
                          "--format", "json"))
    # ResNet's params do not depend on the input's size (global pooling): still checked
    figures = {check["figure"] for check in data["checks"]}
    assert "params" in figures and not figures & {"output", "macs", "flops", "neurons"}
    assert any("skipped" in warning for warning in data["warnings"])
    assert {check["figure"] for check in data["skipped_checks"]} >= {"output", "macs"}


def test_pool_kernel_question_needs_a_stride():
    assert "give --stride" in run("pool", "32x32x3", "--kernel", "any", "--output", "16",
                                  code=2)
    # (32 − F + 2·1)/2 + 1 = 16: F = 4 exactly; F = 3 leaves one row, which is padding
    listed = json.loads(run("pool", "32x32x3", "--kernel", "any", "--output", "16", "--stride",
                            "2", "--padding", "1", "--format", "json"))
    assert [(item["value"], item["exact"]) for item in listed["values"]] == [(3, False),
                                                                            (4, True)]
