"""Every malformed spec in tests/bad/ gives one clear message, exit 1, and no traceback.

Each file starts with `# expect: exit N, line L, "fragment", ...`: what a user must see.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cnncalc.cli import cli

BAD = Path(__file__).parent / "bad"
HEADER = re.compile(r"# expect: exit (\d+)(?:, line (\d+))?((?:, \"[^\"]*\")*)\s*$")


def expectation(path: Path) -> tuple[int, int | None, list[str]]:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = HEADER.match(first)
    assert match, f"{path.name}: first line must be '# expect: exit N, line L, \"...\"'"
    line = int(match.group(2)) if match.group(2) else None
    return int(match.group(1)), line, re.findall(r'"([^"]*)"', match.group(3))


def run(*args: str):
    result = CliRunner().invoke(cli, list(args), prog_name="cnncalc")
    return result, result.output  # click ≥ 8.2: stdout and stderr interleaved


def assert_clean(result, output: str) -> None:
    assert "Traceback" not in output
    assert "internal error" not in output
    # Only click's own exits: anything else escaping invoke() is a crash.
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        repr(result.exception)


CASES = sorted(BAD.glob("*.yaml"))


def test_enough_cases():
    assert len(CASES) >= 40


@pytest.mark.parametrize("path", CASES, ids=[path.stem for path in CASES])
def test_bad_spec(path: Path):
    exit_code, line, fragments = expectation(path)
    result, output = run("summary", str(path), "--no-verify")
    assert_clean(result, output)
    assert result.exit_code == exit_code, output
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in {output!r}"
    if line is not None:
        assert f"{path}:{line}:" in output or f"{path}:{line}" in output, output
    if exit_code == 1 and "expected" not in " ".join(fragments):
        error_lines = [text for text in output.splitlines() if text.startswith("Error:")]
        assert len(error_lines) == 1, output  # one mistake, one message


@pytest.mark.parametrize("args, fragments", [
    (["summary", "alexnett"], ["neither a file nor a built-in architecture",
                               "did you mean 'alexnet'", "cnncalc list"]),
    (["summary", "missing/net.yaml"], ["neither a file nor a built-in architecture",
                                       "cnncalc list"]),
    (["summary", "alexnet", "--input", "224x224"], ["--input", "224x224", "224x224x3"]),
    (["summary", "alexnet", "--input", "0x224x3"], ["--input", "≥ 1"]),
    (["summary", "alexnet", "--frobnicate"], ["No such option", "--frobnicate"]),
    (["summary", "alexnet", "--format", "xml"], ["--format", "xml"]),
    (["summary", "alexnet", "--batch", "0"], ["--batch"]),
    (["summry", "alexnet"], ["No such command", "summry"]),
    (["summary"], ["Missing argument", "SPEC"]),
])
def test_cli_misuse(args: list[str], fragments: list[str]):
    result, output = run(*args)
    assert_clean(result, output)
    assert result.exit_code == 2, output
    for fragment in fragments:
        assert fragment in output, f"{fragment!r} not in {output!r}"


def test_readme_error_example_is_real(monkeypatch):
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)  # the example uses a path relative to the repository
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = re.search(r"## Errors and limits.*?```\n\$ cnncalc (.*?)\n(.*?)```", readme, re.S)
    assert block, "README lost its error example"
    result = CliRunner().invoke(cli, block.group(1).split(), prog_name="cnncalc")
    assert result.exit_code == 1
    assert result.output.strip() == block.group(2).strip()
