"""Issue 12: generalising to 1-D and 3-D inputs changes no 2-D figure.

tests/data/builtins_2d.json was written by the code before ranks 1 and 3 existed (see
tests/data/README.md); every 2-D built-in's JSON summary must still be identical to it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

BEFORE = json.loads((Path(__file__).parent / "data" / "builtins_2d.json").read_text("utf-8"))


@pytest.mark.parametrize("name", sorted(BEFORE))
def test_2d_builtin_json_unchanged(name):
    result = CliRunner().invoke(cli, ["summary", name, "--format", "json", "--no-verify"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == BEFORE[name]
