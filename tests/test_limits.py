"""Hostile input fails fast and small: alias bombs, huge integers, deep nesting, object tags,
too many layers. And a huge (but valid) input is analysed without allocating it.

Each case runs in a fresh interpreter that reports its own time and peak memory, so the
figures are the CLI's and nothing else's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROBE = """
import json, resource, sys, time
from click.testing import CliRunner
from cnncalc.cli import cli
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
start = time.perf_counter()
result = CliRunner().invoke(cli, sys.argv[1:])
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"exit": result.exit_code, "output": result.output, "seconds": seconds,
                  "grown_mib": (peak - before) / 1024, "peak_mib": peak / 1024,
                  "crash": None if isinstance(result.exception, (SystemExit, type(None)))
                  else repr(result.exception)}))
"""
FAST = 1.0  # seconds inside the CLI (interpreter start-up and imports not counted)
SMALL = 100  # MiB the peak resident set may grow by while the CLI runs


def probe(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                          text=True, timeout=60, check=True)
    report = json.loads(done.stdout)
    assert report["crash"] is None, report["crash"]
    assert "Traceback" not in report["output"]
    return report


def laughs(leaf: str, wrap: str, levels: int = 9) -> str:
    """Billion laughs: each level lists the previous one ten times, 10^levels in all."""
    lines = [f"        - &l0 [{', '.join([leaf] * 10)}]"]
    for level in range(1, levels + 1):
        lines.append(f"        - &l{level} [{', '.join([wrap.format(f'*l{level - 1}')] * 10)}]")
    return "\n".join(lines)


def hidden(anchors: str, layers: str) -> str:
    """Anchors defined inside an (unused) block parameter, so only `layers` uses them."""
    return (f"input: 8x8x3\nblocks:\n  unused:\n    layers: [relu]\n    params:\n"
            f"      anchors:\n{anchors}\nlayers: {layers}\n")


BOMBS = {
    "laughs_value": (hidden(laughs("lol", "{}"), "[{conv: {filters: 8, kernel: *l9}}]"),
                     "kernel must be a positive integer or [height, width]"),
    "laughs_layers": (hidden(laughs("relu", "{{sequential: {{layers: {}}}}}"), "*l9"),
                      "more than 100,000 layers after expanding"),
    "laughs_name": (hidden(laughs("lol", "{}"), "[relu]\nname: *l9"), "'name' must be text"),
    "recursive_alias": ("input: 8x8x3\nlayers: &self\n  - sequential: {layers: *self}\n",
                        "nested more than 100 levels"),
    "digits_5000": ("input: 8x8x3\nlayers:\n  - dense: {units: " + "7" * 5000 + "}\n",
                    "(5,000 digits) is beyond 2^63"),
    "nesting_2000": ("input: 8x8x3\nlayers: " + "[" * 2000 + "]" * 2000 + "\n",
                     "nesting deeper than 256 levels"),
    "object_tag": ("input: 8x8x3\nlayers:\n  - !!python/object/apply:os.system "
                   "[\"echo hacked\"]\n", "is not allowed"),
    "repeat_100001": ("input: 8x8x3\nlayers:\n  - relu: {repeat: 100001}\n",
                      "more than 100,000 layers"),
    "block_repeat_100001": ("input: 8x8x3\nblocks:\n  pair:\n    layers: [relu, relu]\n"
                            "layers:\n  - pair: {repeat: 50000}\n", "more than 100,000 layers"),
}


@pytest.mark.parametrize("name", BOMBS)
def test_hostile_input_fails_fast_and_small(name: str, tmp_path: Path):
    text, fragment = BOMBS[name]
    path = tmp_path / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    report = probe("summary", str(path), "--no-verify")
    assert report["exit"] == 1, report["output"]
    assert fragment in report["output"]
    assert report["output"].count("\n") == 1  # one line: the message
    assert report["seconds"] < FAST, report
    assert report["grown_mib"] < SMALL, report
    assert "hacked" not in report["output"]


HUGE = """input: 1000000x1000000x3
layers:
  - conv: {filters: 8, kernel: 3, padding: 1}
  - relu
  - maxpool: {kernel: 2}
  - conv: {filters: 16, kernel: 3, stride: 2, padding: 1}
  - globalavgpool
  - dense: {units: 10}
"""


def test_huge_input_is_analysed_not_allocated(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    path.write_text(HUGE, encoding="utf-8")
    report = probe("summary", str(path), "--no-verify", "--format", "json")
    assert report["exit"] == 0, report["output"]
    rows = json.loads(report["output"])["layers"]
    assert [row["output"] for row in rows] == [
        "1000000x1000000x8", "1000000x1000000x8", "500000x500000x8", "250000x250000x16",
        "1x1x16", 10]
    assert rows[0]["params"] == 3 * 3 * 3 * 8 + 8
    assert report["seconds"] < FAST


@pytest.mark.parametrize("referee", ["numpy", "full"])
def test_huge_input_skips_the_reference_pass(tmp_path: Path, referee: str):
    path = tmp_path / "huge.yaml"
    path.write_text(HUGE, encoding="utf-8")
    report = probe("summary", str(path), "--verify", referee)
    assert report["exit"] == 0, report["output"]
    assert "skipped" in report["output"]
    assert report["peak_mib"] < 1024, report  # far from the 69 TiB the tensors would need
    assert report["grown_mib"] < 200, report


# Issue 17: limits that hold before anything is read, and figures beyond a float's range.

def _sparse(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space: the reader must not read it."""
    with open(path, "wb") as handle:
        handle.truncate(size)
    return path


@pytest.mark.parametrize("size", [2**30, 8 * 2**30], ids=["1GiB", "8GiB"])
def test_huge_file_is_refused_before_reading(size: int, tmp_path: Path):
    path = _sparse(tmp_path / "huge.yaml", size)
    report = probe("summary", str(path), "--no-verify")
    assert report["exit"] == 1, report["output"]
    assert f"the file is {size:,} bytes" in report["output"]
    assert "4,194,304 bytes" in report["output"]
    assert report["output"].count("\n") == 1
    assert report["seconds"] < FAST, report
    assert report["grown_mib"] < SMALL, report


def test_limit_counts_bytes_not_characters(tmp_path: Path):
    # 1.1 million 4-byte characters: 4.4 MB, under 4 Mi characters but over 4 MiB.
    path = tmp_path / "wide.yaml"
    path.write_text("input: 8x8x3\nlayers: [relu]\n# " + "🙂" * 1_100_000 + "\n",
                    encoding="utf-8")
    report = probe("summary", str(path), "--no-verify")
    assert report["exit"] == 1, report["output"]
    assert f"the file is {path.stat().st_size:,} bytes" in report["output"]
    assert report["seconds"] < FAST, report


def test_spec_text_limit_counts_bytes():
    from cnncalc import loads
    from cnncalc.errors import LimitError

    text = "input: 8x8x3\nlayers: [relu]\n# " + "🙂" * 1_100_000 + "\n"
    with pytest.raises(LimitError, match="bytes"):
        loads(text)


def test_batch_of_400_digits_prints_a_table(tmp_path: Path):
    batch = "9" * 400
    report = probe("summary", "alexnet", "--no-verify", "--batch", batch)
    assert report["exit"] == 0, report["output"]
    assert "TiB" in report["output"] and "OverflowError" not in report["output"]
    assert report["seconds"] < FAST, report


def test_batch_beyond_1000_digits_is_misuse():
    report = probe("summary", "alexnet", "--no-verify", "--batch", "9" * 1001)
    assert report["exit"] == 2, report["output"]
    assert "a batch of 1,001 digits; the limit is 1,000 digits" in report["output"]


def test_shapes_beyond_1e308_print_a_table(tmp_path: Path):
    path = tmp_path / "upsamples.yaml"
    path.write_text("input: 1000000000x1000000000x3\nlayers:\n"
                    + "  - upsample: {scale: 1000000000}\n" * 40, encoding="utf-8")
    report = probe("summary", str(path), "--no-verify", "--columns", "output,params,macs,memory")
    assert report["exit"] == 0, report["output"]
    assert "1" + "0" * 369 in report["output"].replace("\n", "").replace("│", "") or \
        "TiB" in report["output"]
    assert report["seconds"] < FAST, report


def test_shapes_beyond_4300_digits_are_refused(tmp_path: Path):
    # 600 upsamples by 10^9: a 5,400-digit size, which Python will not even print (its
    # int-to-text limit is 4,300 digits). The engine must refuse a size beyond 2^63 (as it
    # does for a written one) when a layer produces it.
    path = tmp_path / "upsamples.yaml"
    path.write_text("input: 1000000000x1000000000x3\nlayers:\n"
                    + "  - upsample: {scale: 1000000000}\n" * 600, encoding="utf-8")
    report = probe("summary", str(path), "--no-verify", "--format", "json")
    assert report["exit"] == 1, report["output"]
    assert "internal error" not in report["output"]


def test_max_memory_of_400_digits_is_read_exactly():
    from cnncalc.cli.base import size_option

    assert size_option(None, None, "9" * 400 + "GiB") == int("9" * 400) * 2**30
    assert size_option(None, None, "1.5KiB") == 1536


@pytest.mark.parametrize("spec", ["a/" * 3000 + "net.yaml", "a" * 5000, "a" * 300 + ".yaml"],
                         ids=["deep_path", "long_name", "long_file"])
def test_too_long_path_is_a_usage_error(spec: str):
    report = probe("summary", spec, "--no-verify")
    assert report["exit"] == 2, report["output"]
    assert "neither a file nor a built-in architecture" in report["output"]
    assert report["seconds"] < FAST, report


def test_limits_are_declared_once_and_in_the_readme():
    from cnncalc import limits

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Errors and limits", 1)[1]
    for limit in limits.LIMITS:
        assert f"| {limit.name} | {limit.value:,} |" in table, limit.name
        message = str(limit.error(found=12_345))
        assert f"{limit.value:,}" in message or f"{limit.value}" in message, message


def test_adaptive_pool_to_a_billion_bins_is_counted_in_closed_form(tmp_path: Path):
    """Issue 17 item 2: one tuple per bin exhausted memory; the closed form costs nothing.
    Expected connections: each axis's bins cover H + o − gcd(H, o) = 1 + 10^9 − 1 cells."""
    path = tmp_path / "adaptive.yaml"
    path.write_text("input: 1x1x1\nlayers: [adaptiveavgpool: {output: 1000000000}]\n",
                    encoding="utf-8")
    report = probe("summary", str(path), "--no-verify", "--format", "json")
    assert report["exit"] == 0, report["output"]
    (row,) = json.loads(report["output"])["layers"]
    assert row["output"] == "1000000000x1000000000x1"
    assert row["connections"] == 10**18
    assert report["seconds"] < FAST and report["grown_mib"] < 100, report


@pytest.mark.parametrize("args", [
    ["apply", "conv", "--input", "[[1]]", "--filter", "[[1]]", "--padding", "2000"],
    ["apply", "maxpool", "--input", "[[1, 2], [3, 4]]", "--filter", "1", "--padding", "0",
     "--stride", "1"],
    ["apply", "avgpool", "--input", "[[1]]", "--filter", "1", "--padding", "0",
     "--stride", "9" * 40],
], ids=["padding_2000", "small_ok", "stride_40_digits"])
def test_apply_bounds_its_output_before_computing(args):
    """Issue 17 item 4: the output (and the padded input) is bounded before any array exists;
    a padding of 2000 on [[1]] would be 4001² = 16,008,001 elements."""
    report = probe(*args)
    assert report["exit"] in (0, 1), report["output"]
    if args[-1] == "2000":
        assert report["exit"] == 1
        assert "16,008,001 elements" in report["output"] and "1,000,000" in report["output"]
    assert report["seconds"] < FAST and report["grown_mib"] < 100, report


@pytest.mark.parametrize("args", [
    ["conv", "3x3x1", "--filters", "1", "--kernel", "1000000000", "--stride", "?"],
    ["conv", "200000x200000x1", "--filters", "1", "--kernel", "100000", "--padding", "?"],
    ["conv", "1000000000x1000000000x1", "--filters", "1", "--kernel", "1", "--stride", "?"],
], ids=["kernel_1e9_stride", "kernel_1e5_padding", "room_1e9_stride"])
def test_card_searches_answer_in_closed_form(args):
    """Issue 17 item 3: the searches used to try every value (1.4 hours, 15 s)."""
    report = probe(*args)
    assert report["exit"] == 0, report["output"]
    assert report["seconds"] < FAST and report["grown_mib"] < 100, report
