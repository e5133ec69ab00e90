"""Check every row's shape against the NumPy reference pass, within a memory budget.

analysis.py and reference/ never import each other; this module is where they meet.
NumPy is imported only when a pass actually runs, so `--no-verify` never pays for it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from ..engine.analysis import Analysis, Row
from ..engine.shapes import Shape, numel, shape_str
from ..engine.text import human_bytes

BYTES = 4  # float32
WORKSPACE_LIMIT = 64 << 20  # the largest im2col scratch buffer the pass uses
PROGRESS_AFTER = 0.5  # seconds: a quick pass shows no progress bar


@dataclass
class Verification:
    """What the reference pass found: rows checked, mismatches, rows skipped and why."""

    checked: int = 0
    mismatches: list[Row] = field(default_factory=list)
    skipped: list[Row] = field(default_factory=list)
    skip_reason: str = ""
    estimated_peak: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _bytes(shape: Shape) -> int:
    return numel(shape) * BYTES


def row_needs(analysis: Analysis, workspace: int) -> list[int]:
    """Estimated peak bytes while each row runs: its input, output (twice, for chunked
    kernels that concatenate), a weight chunk, scratch, and every array a residual or
    concat around it keeps alive for later."""
    groups = {group.path: group for group in analysis.groups}
    needs = []
    for row in analysis.rows:
        held = sum(_bytes(groups[path].input) + _bytes(groups[path].output)
                   for path in row.ancestors if groups[path].type in ("residual", "concat"))
        weights = min(row.weights * BYTES, workspace)
        scratch = workspace if row.type in ("conv", "convtranspose") else _bytes(row.input)
        needs.append(held + _bytes(row.input) + 2 * _bytes(row.output) + weights + scratch)
    return needs


def verify_analysis(analysis: Analysis, max_memory: int = 2 << 30, progress: bool = False,
                    seed: int = 0) -> Verification:
    """Run the reference pass and set each row's `verified` (True/False, None if skipped)."""
    workspace = max(1 << 20, min(WORKSPACE_LIMIT, max_memory // 16))
    needs = row_needs(analysis, workspace)
    result = Verification(estimated_peak=max(needs, default=0))
    stop_at = next((i for i, need in enumerate(needs) if need > max_memory), None)
    if stop_at is not None:
        row = analysis.rows[stop_at]
        result.skip_reason = (f"reference pass skipped from {row.path} on: it needs about "
                              f"{human_bytes(needs[stop_at])}, more than --max-memory "
                              f"{human_bytes(max_memory)}")
    start = time.perf_counter()
    shapes, failure = _run(analysis, workspace, stop_at, progress, seed)
    result.seconds = time.perf_counter() - start
    _mark_rows(analysis, shapes, failure, stop_at, result)
    return result


def _run(analysis: Analysis, workspace: int, stop_at: int | None, progress: bool,
         seed: int) -> tuple[dict[str, Shape], tuple[str, str, bool] | None]:
    import numpy as np

    from .forward import Forward, Stop

    stop_path = analysis.rows[stop_at].path if stop_at is not None else None
    meter = _Meter(len(analysis.rows) if stop_at is None else stop_at, progress)
    current = {"path": ""}

    def before(path: str) -> None:
        if path == stop_path:
            raise Stop
        current["path"] = path

    forward = Forward(seed, workspace, before=before, after=meter.advance)
    failure = None
    try:
        with np.errstate(all="ignore"):  # values may overflow in deep nets; shapes cannot
            forward.run(analysis.network.layers, analysis.input)
    except Stop:
        pass
    except MemoryError:
        failure = (current["path"], "reference pass stopped: the machine ran out of memory; "
                   "lower --max-memory", False)
    except (ValueError, IndexError) as error:
        failure = (current["path"], f"the reference kernel refused this layer: {error}", True)
    finally:
        meter.close()
    return forward.shapes, failure


def _mark_rows(analysis: Analysis, shapes: dict[str, Shape], failure, stop_at,
               result: Verification) -> None:
    for index, row in enumerate(analysis.rows):
        if row.path in shapes:
            row.verified = shapes[row.path] == row.output
            if not row.verified:
                row.verify_note = (f"reference array is {shape_str(shapes[row.path])}, the "
                                   f"formulas say {shape_str(row.output)}")
                result.mismatches.append(row)
            result.checked += 1
        elif failure and row.path == failure[0]:
            path, message, mismatch = failure
            if mismatch:
                row.verified = False
                row.verify_note = message
                result.mismatches.append(row)
            else:
                row.notes.append(message)
                result.skipped.append(row)
        else:
            row.verified = None
            result.skipped.append(row)
            if stop_at is not None and index == stop_at:
                row.notes.append(result.skip_reason)


class _Meter:
    """A transient rich progress bar on stderr, shown only once the pass takes a while."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self.done = 0
        self.start = time.perf_counter()
        self.bar = None
        self.task = None

    def advance(self, path: str) -> None:
        self.done += 1
        if not self.enabled:
            return
        if self.bar is None and time.perf_counter() - self.start > PROGRESS_AFTER:
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task("reference pass", total=self.total,
                                          completed=self.done)
        if self.bar is not None:
            self.bar.update(self.task, completed=self.done, description=path[-30:])

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
