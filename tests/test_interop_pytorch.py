"""PyTorch export as text (no torch needed): one ruff-clean module per built-in."""

from __future__ import annotations

import subprocess
import sys

import pytest
from golden_data import BUILTINS

import cnncalc
from cnncalc.interop.pytorch_export import class_name, export_pytorch


def test_every_builtin_exports_a_ruff_clean_module(tmp_path):
    pytest.importorskip("ruff")  # part of the test extra
    for name in BUILTINS:
        analysis = cnncalc.analyze(cnncalc.load(name))
        text = export_pytorch(analysis)
        assert f"class {class_name(analysis.name)}(nn.Module):" in text
        assert f"{analysis.totals.params:,} params" in text.split('"""')[1]  # the docstring
        imports = [line for line in text.splitlines() if line.startswith(("import", "from"))]
        assert imports == ["import torch", "from torch import nn"]
        (tmp_path / f"{name.replace('-', '_')}.py").write_text(text)
    outcome = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                              "B,E,F,I,UP,W", "--line-length", "100", "--target-version",
                              "py310", str(tmp_path)], capture_output=True, text=True)
    assert outcome.returncode == 0, outcome.stdout


def test_resnet18_module_reads_like_torchvision():
    text = export_pytorch(cnncalc.analyze(cnncalc.load("resnet18")))
    assert "class Resnet18(nn.Module):" in text
    assert "self.conv1 = nn.Conv2d(3, 64, kernel_size=7, stride=2, padding=3, bias=False)" in text
    assert "self.layer1 = nn.Sequential(" in text
    assert "}, downsample=nn.Sequential(" in text
    assert "        x = self.layer4(x)\n" in text


def test_export_cli_writes_pytorch_to_stdout_and_onnx_to_a_file(tmp_path):
    pytest.importorskip("onnx")
    from click.testing import CliRunner

    from cnncalc.cli import cli

    runner = CliRunner()
    outcome = runner.invoke(cli, ["export", "lenet5", "--to", "pytorch"])
    assert outcome.exit_code == 0 and "class LeNet5(nn.Module):" in outcome.output
    target = tmp_path / "lenet.onnx"
    outcome = runner.invoke(cli, ["export", "lenet5", "--to", "onnx", "--weights", "none",
                                  "-o", str(target)])
    assert outcome.exit_code == 0, outcome.output
    assert "onnx.checker passed" in outcome.output and target.stat().st_size < 10_000
    outcome = runner.invoke(cli, ["summary", str(target), "--format", "json"])
    assert outcome.exit_code == 0, outcome.output
    assert '"params": 61706' in outcome.output  # SPEC §6: LeNet-5's 61,706 params


def test_unexportable_layer_names_the_type():
    from cnncalc.interop.onnx_export import ExportError

    analysis = cnncalc.analyze(cnncalc.loads("input: 8x8x3\nlayers: [relu]\n"))
    analysis.rows[0].type = "mystery"  # stands for a type added without an exporter
    with pytest.raises(ExportError, match="layer type 'mystery' has no PyTorch export"):
        export_pytorch(analysis)
