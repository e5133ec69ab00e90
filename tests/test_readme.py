"""The README's pasted `summary` output is real: rerun it and compare; its specs analyse."""

import re
from pathlib import Path

from click.testing import CliRunner

import cnncalc
from cnncalc.cli import cli

README = Path(__file__).resolve().parents[1] / "README.md"


def _strip(text: str) -> list[str]:
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def test_readme_summary_block_is_real_output():
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- README-SUMMARY-START -->\n```\n\$ (.*?)\n(.*?)```", text, re.S)
    assert block, "README lost its summary example"
    command, pasted = block.group(1), block.group(2)
    assert command == "cnncalc summary alexnet.yaml"
    result = CliRunner().invoke(cli, command.split()[1:], env={"COLUMNS": "100"})
    assert result.exit_code == 0
    assert _strip(result.output) == _strip(pasted)


def test_readme_opens_with_the_two_setup_commands():
    lines = README.read_text(encoding="utf-8").splitlines()
    commands = [line for line in lines[:20] if line.startswith("python3 -m pip install")]
    assert commands[0].startswith("python3 -m pip install . && cnncalc summary alexnet.yaml")
    assert commands[1].startswith('python3 -m pip install ".[test]" && python3 -m pytest')


def test_every_complete_yaml_example_in_the_readme_analyses():
    """The README's specs (those with an input) load and analyse as written; the graph
    examples reach all their outputs with no "never used" warning."""
    examples = [block for block in re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)
                if re.search(r"^inputs?:", block, re.M) and "layers:" in block]
    assert len(examples) >= 4
    for block in examples:
        result = cnncalc.analyze(cnncalc.loads(block))
        assert not any("never used" in warning for warning in result.warnings), block
