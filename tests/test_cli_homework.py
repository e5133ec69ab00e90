"""The homework commands through click, rendered at a fixed width."""

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

README = Path(__file__).resolve().parent.parent / "README.md"
COURSE_7X7 = "3 0 1 2 2 7 4\n1 5 8 9 9 3 1\n2 7 2 5 5 1 3\n0 1 3 1 1 7 8\n" \
             "4 2 1 6 6 2 8\n2 4 5 2 2 3 9\n1 3 4 5 7 8 3\n"


def run(*args, code=0):
    result = CliRunner(env={"COLUMNS": "120"}).invoke(cli, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_conv_card_comp9444():
    out = run("conv", "32x32x3", "--filters", "6", "--kernel", "5")
    for text in ("(32 − 5 + 2·0)/1 + 1 = 28", "28×28×6", "= 76", "4,704", "357,504", "= 456"):
        assert text in out
    padded = run("conv", "32x32x3", "--filters", "10", "--kernel", "5", "--padding", "2")
    assert "32×32×10" in padded and "= 760" in padded


def test_conv_card_alexnet():
    out = run("conv", "227x227x3", "--filters", "96", "--kernel", "11", "--stride", "4")
    for text in ("55×55×96", "34,848", "96", "34,944", "290,400", "105,705,600"):
        assert text in out
    misfit = run("conv", "224x224x3", "--filters", "96", "--kernel", "11", "--stride", "4")
    assert "54.25" in misfit and "does not fit" in misfit
    assert "223 never read" in misfit and "223 or 227" in misfit


def test_pool_card_and_stride_question():
    out = run("pool", "55x55x96", "--kernel", "3", "--stride", "2")
    assert "27×27×96" in out and re.search(r"params\s+0", out)
    strides = run("conv", "7x7x1", "--kernel", "3", "--filters", "1", "--stride", "?")
    assert "1 → 5×5" in strides and "2 → 3×3" in strides and "3 →" not in strides


def test_params_of_hundred_filters():
    assert "(27 + 1) × 100 = 2,800" in run("conv", "32x32x3", "--filters", "100", "--kernel", "3")


@pytest.mark.parametrize("args", [["conv", "784", "--filters", "1", "--kernel", "3"],
                                  ["conv", "32x32x3", "--filters", "1", "--kernel", "3",
                                   "--stride", "?", "--padding", "?"],
                                  ["conv", "32x32x3", "--filters", "1", "--kernel", "3",
                                   "--padding", "wide"],
                                  ["apply", "maxpool", "--input", "[[1]]", "--filter", "x"],
                                  ["apply", "conv", "--input", "[[1,2", "--filter", "[[1]]"]])
def test_misuse_exits_2(args):
    run(*args, code=2)


def test_impossible_layer_exits_1():
    assert "larger than" in run("conv", "3x3x3", "--filters", "1", "--kernel", "5", code=1)


def test_apply_maxpool_and_edges():
    out = run("apply", "maxpool", "--input", "[[1,3,2,4],[2,9,1,1],[1,3,2,3],[5,6,1,2]]",
              "--filter", "2", "--stride", "2")
    assert "[[9, 4], [6, 3]]" in out
    image = "[" + ",".join(["[10,10,10,0,0,0]"] * 6) + "]"
    edges = run("apply", "conv", "--input", image, "--filter", "[[1,0,-1],[1,0,-1],[1,0,-1]]")
    assert "[[0, 30, 30, 0], [0, 30, 30, 0], [0, 30, 30, 0], [0, 30, 30, 0]]" in edges


def test_apply_course_7x7_steps(tmp_path):
    path = tmp_path / "image.txt"
    path.write_text(COURSE_7X7)
    out = run("apply", "conv", "--input", str(path), "--filter", "[[0,0,0],[1,0,2],[-1,0,1]]",
              "--stride", "2", "--steps")
    assert "[[17, 29, 9]," in out
    assert "z11 = 3·0 + 0·0 + 1·0 + 1·1 + 5·0 + 8·2 + 2·(−1) + 7·0 + 2·1 = 17" in out


def test_explain_lenet():
    out = run("explain", "lenet5")
    for text in ("(32 − 5 + 2·0)/1 + 1 = 28", "(28 − 2 + 2·0)/2 + 1 = 14",
                 "(14 − 5 + 2·0)/1 + 1 = 10", "(10 − 2 + 2·0)/2 + 1 = 5", "61,706"):
        assert text in out
    assert "tanh1" not in run("explain", "lenet5", "conv1")
    assert "no layer or group" in run("explain", "lenet5", "conv9", code=1)


def test_check_exit_codes(tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text("input: 32x32x3\nlayers:\n  - conv: {filters: 6, kernel: 5, "
                    "expect: {params: 456}}\n")
    bad = tmp_path / "bad.yaml"
    bad.write_text("input: 32x32x3\nlayers:\n  - conv: {filters: 6, kernel: 5, "
                   "expect: {params: 450}}\n")
    broken = tmp_path / "broken.yaml"
    broken.write_text("input: 32x32x3\nlayers: [conv: {kernel: 5}]\n")
    assert "OK" in run("check", str(good))
    assert "expected 450, got 456" in run("check", str(bad), code=1)
    several = run("check", str(good), str(bad), "lenet5", code=1)
    assert several.count("\n") >= 3 and "1 of 3 spec(s) fail" in several
    errored = run("check", str(broken), str(good), code=1)
    assert "ERROR" in errored and "Traceback" not in errored
    run("check", "lenet5")


def test_check_misfits_warn_unless_strict(tmp_path):
    spec = tmp_path / "a.yaml"
    spec.write_text("input: 224x224x3\nlayers:\n  - conv: {filters: 96, kernel: 11, stride: 4}\n")
    assert "do not fit" in run("check", str(spec))
    run("check", "--strict", str(spec), code=1)


def test_compare_vgg_resnet():
    out = run("compare", "vgg16", "resnet50")
    assert "138,357,544" in out and "25,557,032" in out and "█" in out


def test_every_command_has_help_with_an_example():
    for name in cli.commands:
        assert "Example" in run(name, "--help"), name


def test_readme_lists_every_command():
    text = README.read_text(encoding="utf-8")
    missing = [name for name in cli.commands if f"cnncalc {name}" not in text]
    assert not missing, f"README.md does not mention: {missing}"


def test_readme_homework_examples_are_real_output(tmp_path, monkeypatch):
    """The README's conv/pool/dense/apply/explain/quiz examples still match a run at width
    100 (a failing command's exit code shown after its output)."""
    section = README.read_text(encoding="utf-8").split("## Homework companion", 1)[-1]
    (tmp_path / "image.txt").write_text(COURSE_7X7)
    monkeypatch.chdir(tmp_path)
    examples = re.findall(r"```\n\$ cnncalc ([^\n]+)\n(.*?)\n```", section, flags=re.S)
    checked = 0
    for command, expected in examples:
        command, _, head = command.partition(" | head -")
        if command.split()[0] not in ("conv", "pool", "dense", "apply", "explain", "quiz"):
            continue
        args = [arg.strip('"') for arg in re.findall(r'"[^"]*"|\S+', command)]
        result = CliRunner(env={"COLUMNS": "100"}).invoke(cli, args, prog_name="cnncalc")
        got = [line.rstrip() for line in result.output.splitlines()]
        if result.exit_code:  # shown as the shell would report it
            got.append(f"(exit {result.exit_code})")
        if head:
            got = got[:int(head)]
        assert got == expected.splitlines(), command
        checked += 1
    assert checked >= 12
