"""The summary and list commands through click's runner: options, formats, exit codes."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli


def run(*args):
    result = CliRunner().invoke(cli, list(args))
    assert "Traceback" not in result.output
    return result


def spec(tmp_path, text, name="net.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_summary_builtin_with_yaml_suffix():
    result = run("summary", "alexnet.yaml", "--no-verify")
    assert result.exit_code == 0, result.output
    assert "62,378,344" in result.output


def test_input_override_and_strict(tmp_path):
    result = run("summary", "alexnet", "--no-verify", "--input", "224x224x3")
    assert result.exit_code == 1  # the lecture's expect: output 55x55x96 no longer holds
    assert "54.25" in result.output
    path = spec(tmp_path, "input: 224x224x3\nlayers: [conv: {filters: 96, kernel: 11, "
                          "stride: 4}]\n")
    assert run("summary", path, "--no-verify").exit_code == 0
    assert run("summary", path, "--no-verify", "--strict").exit_code == 1


def test_padding_only_remainder_satisfies_strict(tmp_path):
    path = spec(tmp_path, "input: 224x224x3\nlayers: [conv: {filters: 64, kernel: 3, "
                          "stride: 2, padding: 1}]\n")
    result = run("summary", path, "--no-verify", "--strict")
    assert result.exit_code == 0
    assert "ℹ conv1: inexact" in result.output


def test_failed_expect_exits_one(tmp_path):
    path = spec(tmp_path, "input: 32x32x3\nlayers: [conv: {filters: 6, kernel: 5, "
                          "expect: {params: 455}}]\n")
    result = run("summary", path, "--no-verify")
    assert result.exit_code == 1
    assert "expected 455, got 456" in result.output


def test_json_format_is_parseable_and_unverified():
    result = run("summary", "lenet5", "--no-verify", "--format", "json")
    document = json.loads(result.output)
    assert document["totals"]["params"] == 61_706
    assert all(layer["verified"] is None for layer in document["layers"])


@pytest.mark.parametrize("fmt, marker", [("csv", "path,type,input,output"),
                                         ("markdown", "| layer | type |")])
def test_other_formats(fmt, marker):
    result = run("summary", "lenet5", "--no-verify", "--format", fmt)
    assert result.exit_code == 0 and result.output.startswith(marker)


def test_columns_chw_keras_depth():
    result = run("summary", "resnet18", "--no-verify", "--columns", "input,output,rf,flops",
                 "--chw", "--depth", "0", "--keras")
    assert result.exit_code == 0
    assert "RF" in result.output and "FLOPs" in result.output
    assert "64×112×112" in result.output
    assert "layer1.basic1" not in result.output and "layer1" in result.output
    assert "Keras total params" in result.output


@pytest.mark.parametrize("args", [["--columns", "bogus"], ["--input", "1x2x12x12x3"],
                                  ["--format", "xml"], ["--batch", "0"], ["--frobnicate"]])
def test_cli_misuse_is_exit_two(args):
    result = run("summary", "lenet5", "--no-verify", *args)
    assert result.exit_code == 2


def test_list_shows_every_builtin():
    result = run("list")
    assert result.exit_code == 0
    for name, params in (("alexnet", "62,378,344"), ("resnet50", "25,557,032"),
                         ("vgg16", "138,357,544"), ("lenet5", "61,706")):
        assert name in result.output and params in result.output


def test_python_dash_m_from_another_directory(tmp_path):
    completed = subprocess.run([sys.executable, "-m", "cnncalc", "summary", "alexnet.yaml",
                                "--no-verify", "--format", "json"], cwd=tmp_path,
                               capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout)["totals"]["params"] == 62_378_344


def test_a_closed_pipe_ends_quietly(tmp_path):
    """`cnncalc summary … | head -1`: the reader goes away mid-output; no internal error."""
    import subprocess
    import sys

    reader = subprocess.Popen([sys.executable, "-m", "cnncalc", "summary", "resnet152",
                               "--no-verify", "--format", "json"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE)
    reader.stdout.readline()
    reader.stdout.close()  # as head does after its first line
    _, errors = reader.communicate(timeout=60)
    assert b"internal error" not in errors and b"Traceback" not in errors
    assert reader.returncode in (0, 1)
