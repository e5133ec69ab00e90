"""PyTorch export as text (no torch needed): one ruff-clean module per built-in."""

from __future__ import annotations

import subprocess
import sys

import pytest
from golden_data import BUILTINS
from graph_specs import GRAPHS

import cnncalc
from cnncalc.interop.onnx_export import ExportError
from cnncalc.interop.pytorch_export import class_name, export_pytorch


def assert_ruff_clean(folder) -> None:
    """The generated modules pass ruff with the rules a reviewer would use."""
    outcome = subprocess.run([sys.executable, "-m", "ruff", "check", "--isolated", "--select",
                              "B,E,F,I,UP,W", "--line-length", "100", "--target-version",
                              "py310", str(folder)], capture_output=True, text=True)
    assert outcome.returncode == 0, outcome.stdout


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
    assert_ruff_clean(tmp_path)


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


def test_graph_specs_export_ruff_clean_modules(tmp_path):
    pytest.importorskip("ruff")
    for name, text in GRAPHS.items():
        source = export_pytorch(cnncalc.analyze(cnncalc.loads(text)))
        (tmp_path / f"{name.replace('-', '_')}.py").write_text(source)
    assert_ruff_clean(tmp_path)


def test_fpn_forward_keeps_named_tensors_and_returns_outputs_in_order():
    text = export_pytorch(cnncalc.analyze(cnncalc.loads(GRAPHS["fpn"])))
    forward = text.split("def forward(")[1]
    assert forward.startswith("self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:")
    assert "        lat4 = x\n        x = self.p4(x)\n" in forward
    assert "        x = self.up4(lat4)\n" in forward
    assert "        x = self.lat3(c3)\n        x = x + up4\n" in forward
    assert forward.rstrip().endswith("return x, p4")  # outputs: [p3, p4]


def test_inception_v3_returns_logits_then_the_aux_head():
    text = export_pytorch(cnncalc.analyze(cnncalc.load("inception-v3")))
    assert "        AuxLogits = self.AuxLogits(x)\n        x = self.Mixed_7a(x)\n" in text
    assert text.rstrip().endswith("return x, AuxLogits")
    assert '"""Returns (output, AuxLogits)."""' in text


def test_several_inputs_are_forward_arguments():
    spec = ("inputs: {image: 8x8x3, mask: 8x8x1}\nlayers:\n"
            "  - conv: {name: c, filters: 4, kernel: 1}\n"
            "  - conv: {name: m, from: mask, filters: 4, kernel: 1}\n"
            "  - multiply: {from: [c, m]}\n")
    text = export_pytorch(cnncalc.analyze(cnncalc.loads(spec)))
    assert "def forward(self, image: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:" in text
    assert "x = self.c(image)\n        c = x\n        x = self.m(mask)\n        x = c * x\n" in text


def test_a_block_that_merges_is_a_class_with_its_own_forward():
    text = export_pytorch(cnncalc.analyze(cnncalc.loads(GRAPHS["se-blocks"])))
    assert "class SeBasic(nn.Module):" in text and "class SeBasic2(nn.Module):" in text
    assert "        self.b1 = SeBasic()\n        self.b2 = SeBasic2()\n" in text
    block = text.split("class SeBasic(nn.Module):")[1].split("class ")[0]
    assert "        x = self.conv1(x)\n        conv1 = x\n" in block
    assert "        x = self.se(x)\n        x = x + conv1\n" in block


def test_a_merge_inside_a_residual_is_refused_with_its_name():
    spec = ("input: 8x8x3\nlayers:\n  - residual:\n      name: block\n      body:\n"
            "        - conv: {name: a, filters: 3, kernel: 1}\n"
            "        - conv: {name: b, filters: 3, kernel: 1}\n"
            "        - add: {from: [a, b]}\n")
    with pytest.raises(ExportError, match=r"'block\.body\.add1' inside 'block' merges "
                                          r"block\.body\.a, block\.body\.b; .*move it up"):
        export_pytorch(cnncalc.analyze(cnncalc.loads(spec)))


def test_export_cli_names_the_networks_class_not_a_helper(tmp_path):
    from click.testing import CliRunner

    from cnncalc.cli import cli

    target = tmp_path / "resnet18.py"
    outcome = CliRunner().invoke(cli, ["export", "resnet18", "--to", "pytorch", "-o",
                                       str(target)])
    assert outcome.exit_code == 0, outcome.output
    assert f"wrote {target}: class Resnet18, 11,689,512 params" in outcome.output
    assert "class Residual(nn.Module):" in target.read_text()  # the helper comes first


def test_the_input_read_again_later_is_kept_before_x_moves_on():
    spec = ("input: 4x6\nlayers:\n  - concat: {name: t0, from: [previous, input]}\n"
            "  - concat: {name: t1, from: [previous, input]}\n")
    text = export_pytorch(cnncalc.analyze(cnncalc.loads(spec)))
    assert text.split("-> torch.Tensor:\n")[-1] == (
        "        input_ = x\n        x = torch.cat([x, x], 1)\n"
        "        x = torch.cat([x, input_], 1)\n        return x\n")
