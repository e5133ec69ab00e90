"""Long fuzz run: mutate valid specs thousands of times and run a cnncalc command on each.

    python benchmarks/fuzz.py --cases 3000 [--seed 0] [--save failures/] [--verify]

The commands rotate: summary (table, JSON, Markdown, CSV), explain, check, compare.
Prints the number of cases, the exit-code distribution, the slowest case, and every
failure (a traceback, an internal error, an exit code other than 0/1/2, an error message of
more than one line, an ANSI escape reaching a terminal view, or a slow case).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))  # this checkout's cnncalc, not an installed one
from fuzz_mutations import mutate, seeds  # noqa: E402

from cnncalc.cli import cli  # noqa: E402

SLOW = 5.0  # seconds
# Every command that reads a spec, and every summary format, in turn.
COMMANDS = [["summary"], ["summary", "--format", "json"], ["summary", "--format", "markdown"],
            ["summary", "--format", "csv"], ["explain"], ["check"], ["compare", "lenet5"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", type=Path, help="folder for the failing specs")
    parser.add_argument("--verify", action="store_true",
                        help="also run the reference pass (--max-memory 256MiB)")
    args = parser.parse_args()

    texts = seeds()
    names = sorted(texts)
    folder = Path(tempfile.mkdtemp(prefix="cnncalc-fuzz-"))
    codes: Counter[int] = Counter()
    failures: list[tuple[int, str, str]] = []
    slowest = (0.0, -1)
    started = time.perf_counter()
    for case in range(args.cases):
        rng = random.Random(args.seed * 1_000_003 + case)
        text = mutate(texts[rng.choice(names)], rng)
        path = folder / "case.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        command = COMMANDS[case % len(COMMANDS)]
        if command[0] == "summary":
            command = command + (["--max-memory", "256MiB"] if args.verify else ["--no-verify"])
        if rng.random() < 0.05 and command[0] == "summary":  # figures beyond a float
            command = command + ["--batch", "9" * rng.randrange(1, 500)]
        start = time.perf_counter()
        result = CliRunner().invoke(cli, [command[0], str(path), *command[1:]])
        seconds = time.perf_counter() - start
        slowest = max(slowest, (seconds, case))
        codes[result.exit_code] += 1
        crashed = result.exception is not None and not isinstance(result.exception, SystemExit)
        problem = ("crash: " + repr(result.exception) if crashed
                   else "internal error" if "internal error" in result.output
                   else "traceback" if "Traceback" in result.output
                   else f"exit {result.exit_code}" if result.exit_code not in (0, 1, 2)
                   else "message of several lines" if result.exit_code == 1
                   and result.output.startswith("Error:") and result.output.count("\n") > 1
                   else "raw escape in terminal output" if "\x1b" in result.output
                   and "json" not in command and "csv" not in command
                   else f"slow: {seconds:.1f} s" if seconds > SLOW else "")
        if problem:
            failures.append((case, problem, text))
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"case{case}.yaml").write_text(text, encoding="utf-8",
                                                            errors="surrogatepass")
    total = time.perf_counter() - started
    print(f"cases: {args.cases} in {total:.1f} s (seed {args.seed})")
    print("exit codes: " + ", ".join(f"{code}: {count}" for code, count in sorted(codes.items())))
    print("commands: " + ", ".join(" ".join(command) for command in COMMANDS) + " (in turn)")
    print(f"slowest case: #{slowest[1]} {slowest[0] * 1000:.0f} ms")
    print(f"failures: {len(failures)}")
    for case, problem, text in failures[:20]:
        print(f"--- case {case}: {problem}\n{text[:600]}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
