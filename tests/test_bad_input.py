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
    first = path.read_bytes().split(b"\n")[0].decode("utf-8")  # the rest may not be UTF-8
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
    (["summary", "alexnet", "--input", "2x4x224x224x3"], ["--input", "2x4x224x224x3", "224x224x3"]),
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


# Issue 17, second pass.

def test_unreadable_folder_is_the_missing_file_usage_error(monkeypatch, tmp_path: Path):
    # Tests run as root here, where chmod 000 denies nothing: make the file system say so.
    def denied(self):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "is_file", denied)
    result, output = run("summary", str(tmp_path / "locked" / "net.yaml"), "--no-verify")
    assert_clean(result, output)
    assert result.exit_code == 2, output
    assert "neither a file nor a built-in architecture" in output


def test_spec_file_reader_turns_os_errors_into_one_message(tmp_path: Path):
    from cnncalc.errors import SpecError
    from cnncalc.spec.files import read_spec_file

    with pytest.raises(SpecError, match="cannot read the file"):
        read_spec_file(tmp_path)  # a folder
    with pytest.raises(SpecError, match="cannot read the file"):
        read_spec_file(tmp_path / ("x" * 300 + ".yaml"))  # a name too long


def test_library_load_of_a_too_long_path_is_a_spec_error():
    from cnncalc import load
    from cnncalc.errors import SpecError

    with pytest.raises(SpecError, match="no such file"):
        load("a/" * 3000 + "net.yaml")


def test_expect_text_with_arabic_indic_digits_is_refused(tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text("input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 3, "
                    "expect: {params: '١١٢'}}\n", encoding="utf-8")
    result, output = run("summary", str(path), "--no-verify")
    assert_clean(result, output)
    assert result.exit_code == 1, output
    assert "only the ASCII digits 0-9" in output


FAILED_EXPECT = "input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 3, expect: {params: 1}}\n"


@pytest.mark.parametrize("command", [["explain"], ["explain", "conv1"], ["compare", "lenet5"],
                                     ["summary", "--no-verify"]])
def test_a_failed_expect_exits_1_in_every_command(command: list[str], tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text(FAILED_EXPECT, encoding="utf-8")
    result, output = run(command[0], str(path), *command[1:])
    assert_clean(result, output)
    assert result.exit_code == 1, output
    assert "expected 1, got 112" in output or "expect params: 1, got 112" in output


HOSTILE_NAME = ('input: 8x8x3\nname: "net\\e[2J"\nlayers:\n'
                '  - conv: {filters: 4, kernel: 3, name: "a|b\\nc\\e[31mred\\u202e[/bold]"}\n'
                '  - relu\n')


@pytest.mark.parametrize("args", [["summary", "--no-verify"],
                                  ["summary", "--no-verify", "--format", "markdown"],
                                  ["explain"], ["compare", "lenet5"], ["check"]])
def test_names_cannot_reach_the_terminal_raw(args: list[str], tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text(HOSTILE_NAME, encoding="utf-8")
    result, output = run(args[0], str(path), *args[1:])
    assert_clean(result, output)
    assert result.exit_code == 0, output
    assert not any(char in output for char in "\x1b\u202e\x9b"), repr(output)
    if "markdown" in args:
        row = next(line for line in output.splitlines() if "cred" in line)
        assert row.startswith("| a\\|b cred[/bold] | conv"), row  # one row, | escaped
        assert row.count(" | ") == 6, row


def test_a_name_in_an_error_message_is_shown_inert(tmp_path: Path):
    path = tmp_path / "net.yaml"
    path.write_text('input: 8x8x3\nlayers:\n  - conv: {filters: 4, kernel: 30, '
                    'name: "x\\e[31m\\ny"}\n', encoding="utf-8")
    result, output = run("summary", str(path), "--no-verify")
    assert result.exit_code == 1, output
    assert "\x1b" not in output and output.count("\n") == 1, repr(output)


@pytest.mark.parametrize("args", [["conv", "32x32x3", "-k", "4", "-f", "3", "--stride", "²"],
                                  ["pool", "32x32x3", "-f", "2", "--padding", "３"],
                                  ["apply", "maxpool", "--input", "[[1]]", "--filter", "²"],
                                  ["summary", "lenet5", "--input", "３２"],
                                  ["summary", "lenet5", "--max-memory", "٣GiB"]])
def test_non_ascii_digits_on_the_command_line_are_misuse(args: list[str]):
    result, output = run(*args)
    assert_clean(result, output)
    assert result.exit_code == 2, output


def test_check_reports_a_too_long_path_as_a_missing_file():
    from cnncalc.spec.check import check_file

    result, output = run("check", "a/" * 3000 + "net.yaml", "lenet5")
    assert_clean(result, output)
    assert result.exit_code == 1, output
    assert "✗ a/a/a/" in output and "lenet5: OK" in output
    assert "no such file or built-in architecture" in check_file("a/" * 3000 + "net.yaml").error


@pytest.mark.parametrize("args", [
    ["export", "lenet5", "--to", "pytorch", "-o"],
    ["export", "lenet5", "--to", "onnx", "--weights", "none", "-o"],
    ["draw", "lenet5", "--format", "svg", "-o"],
    ["summary", "lenet5", "--format", "json", "-o"],
    ["import", "tests/data/resnet18_bn.onnx", "-o"],
], ids=["export_pytorch", "export_onnx", "draw", "summary", "import"])
def test_an_output_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path, args):
    """Every -o goes through one writer: a missing folder is exit 1 naming the file."""
    target = str(tmp_path / "missing" / "out.file")
    result, output = run(*args, target)
    assert_clean(result, output)
    assert result.exit_code == 1, output
    assert f"cannot write {target}: No such file or directory" in output
