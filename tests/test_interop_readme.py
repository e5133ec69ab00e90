"""The README's export/import round trip is real output: rerun it in a scratch folder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_round_trip_block_is_real_output(tmp_path, monkeypatch):
    pytest.importorskip("onnx")
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- README-FRAMEWORKS-START -->\n```\n(.*?)```", text, re.S)
    assert block, "README lost its round-trip example"
    lines = block.group(1).strip("\n").splitlines()
    monkeypatch.chdir(tmp_path)  # the commands write relative paths
    for command, pasted in zip(lines[::2], lines[1::2], strict=True):
        assert command.startswith("$ cnncalc ")
        result = CliRunner().invoke(cli, command.split()[2:])
        assert result.exit_code == 0, result.output
        assert result.output.strip() == pasted.strip()


def test_readme_pytorch_graph_forward_is_real_output():
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from graph_specs import GRAPHS

    import cnncalc
    from cnncalc.interop.pytorch_export import export_pytorch

    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- README-PYTORCH-GRAPH -->\n```python\n(.*?)```", text, re.S)
    assert block, "README lost its graph forward example"
    exported = export_pytorch(cnncalc.analyze(cnncalc.loads(GRAPHS["fpn"])))
    assert block.group(1) in exported
