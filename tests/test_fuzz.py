"""Fuzz: mutated valid specs never crash the CLI — exit 0, 1 or 2, never a traceback, fast —
in summary (table, JSON, Markdown), explain and compare.

A longer run with the same mutations: `python benchmarks/fuzz.py --cases 3000`.
"""

from __future__ import annotations

import time
from pathlib import Path

from click.testing import CliRunner
from fuzz_mutations import mutate, seeds  # tests/ is on sys.path (rootdir-relative import)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnncalc.cli import cli

SEEDS = seeds()
CASE_SECONDS = 10  # generous: the slowest seen in thousands of cases is well under a second


COMMANDS = [["summary", "--no-verify"], ["summary", "--no-verify", "--format", "json"],
            ["summary", "--no-verify", "--format", "markdown"], ["explain"],
            ["compare", "lenet5"]]


def run_case(text: str, path: Path, command: list[str]) -> tuple[int, str, float]:
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    start = time.perf_counter()
    result = CliRunner().invoke(cli, [command[0], str(path), *command[1:]])
    seconds = time.perf_counter() - start
    crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
    assert not crashed, f"{result.exception!r} for:\n{text}"
    return result.exit_code, result.output, seconds


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(sorted(SEEDS)), rng=st.randoms(use_true_random=False),
       command=st.sampled_from(COMMANDS))
def test_mutated_specs_never_crash(tmp_path_factory, seed, rng, command):
    text = mutate(SEEDS[seed], rng)
    folder = tmp_path_factory.getbasetemp()  # pytest's own temporary folder, cleaned by pytest
    code, output, seconds = run_case(text, folder / "case.yaml", command)
    assert code in (0, 1, 2), output
    assert "Traceback" not in output
    assert "internal error" not in output, f"{output}\nfor:\n{text}"
    if code == 1 and output.startswith("Error:"):
        assert output.count("\nError:") == 0  # one message
    assert seconds < CASE_SECONDS, text
