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
