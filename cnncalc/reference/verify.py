"""Check every row's shape against the NumPy reference pass, within a memory budget.

engine/analysis.py and the kernels never import each other; this module is where they meet.
It reads the engine's rows (data) and never its formulas. NumPy is imported only when a pass
actually runs, so `--no-verify` never pays for it. The analysis given is never changed: the
result carries a new one whose rows are marked.

The planned sizes of the rows decide only how the full pass spends memory: whether it runs
whole or in strips (reference/tiles.py), and where it must stop when a layer can do neither.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from ..engine.analysis import Analysis, Row
from ..engine.text import human_bytes

Shape = tuple[int, ...]
BYTES = 4  # float32
WORKSPACE_LIMIT = 64 << 20  # the largest im2col scratch buffer the pass uses
Progress = Callable[[int, int, str], None]  # (rows done, rows in all, current path)


@dataclass
class Verification:
    """What the reference pass found, and the analysis with every row marked."""

    analysis: Analysis
    checked: int = 0
    mismatches: list[Row] = field(default_factory=list)
    skipped: list[Row] = field(default_factory=list)
    skip_reason: str = ""
    tiled: int = 0  # layers the full pass computed in strips of rows
    estimated_peak: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.mismatches


def _bytes(shape: Shape) -> int:
    return math.prod(shape) * BYTES


def _text(shape: Shape) -> str:
    return "x".join(map(str, shape))


def row_needs(analysis: Analysis, workspace: int) -> list[int]:
    """Estimated peak bytes while each row runs: its input, output (twice, for chunked
    kernels that concatenate), a weight chunk, scratch, and every array a residual or
    concat around it keeps alive for later."""
    groups = {group.path: group for group in analysis.groups}
    referenced = analysis.network.referenced
    kept = {group.end - 1: _bytes(group.output) for group in analysis.groups
            if group.path in referenced and group.end > group.start}
    needs, named = [], 0  # named: arrays kept because a later entry reads them by name
    for index, row in enumerate(analysis.rows):
        held = named + sum(_bytes(groups[path].input) + _bytes(groups[path].output)
                           for path in row.ancestors
                           if groups[path].type in ("residual", "concat", "gate", "split", "aux"))
        named += kept.get(index, 0) + (_bytes(row.output) if row.path in referenced else 0)
        needs.append(held + own_need(row, workspace))
    return needs


def own_need(row: Row, workspace: int) -> int:
    """What a row needs whole, leaving aside the arrays kept around it."""
    weights = min(row.weights * BYTES, workspace)
    scratch = workspace if row.type in ("conv", "convtranspose") else _bytes(row.input)
    return _bytes(row.input) + 2 * _bytes(row.output) + weights + scratch


def plan_stop(analysis: Analysis, needs: list[int], max_memory: int, workspace: int
              ) -> tuple[int | None, str, bool]:
    """(the row the full pass must stop before, why, whether it works in strips). Once some
    row does not fit whole, large maps go to disk and the rows touching them run in strips;
    the pass stops only at a row that cannot be tiled and does not fit on its own, or whose
    map is too large for the free disk."""
    limit = f"more than --max-memory {human_bytes(max_memory)}"
    if all(need <= max_memory for need in needs):
        return None, "", False
    import shutil
    import tempfile

    from .spill import DISK_RESERVE
    from .tiles import can_tile

    disk = shutil.disk_usage(tempfile.gettempdir()).free - DISK_RESERVE
    for index, row in enumerate(analysis.rows):
        size = max(_bytes(row.output), _bytes(row.input) if index == 0 else 0)
        if size > disk:
            return index, (f"reference pass skipped from {row.path} on: its map of about "
                           f"{human_bytes(size)} is {limit} and more than the "
                           f"{human_bytes(disk)} free on disk in {tempfile.gettempdir()} "
                           "(TMPDIR moves it)"), True
        two_d = len(row.input[:-1]) == 2  # strips are cut from 2-D maps (H, W, then C)
        if not (two_d and can_tile(row.layer)) and own_need(row, workspace) > max_memory:
            return index, (f"reference pass skipped from {row.path} on: it cannot be "
                           f"computed in strips and needs about {human_bytes(needs[index])}, "
                           f"{limit}"), True
    return None, "", True


def verify_analysis(analysis: Analysis, max_memory: int = 2 << 30,
                    progress: Progress | None = None, seed: int = 0) -> Verification:
    """Run the reference pass; the result's analysis has each row's `verified` set (True or
    False, None when skipped) and `analysis` itself is left as it was."""
    workspace = max(1 << 20, min(WORKSPACE_LIMIT, max_memory // 16))
    needs = row_needs(analysis, workspace)
    stop_at, skip_reason, in_strips = plan_stop(analysis, needs, max_memory, workspace)
    tiling = None
    if in_strips:
        try:
            tiling = _tiling(analysis, max_memory)
        except OSError as error:  # no writable temporary directory: stop where memory ends
            stop_at = next(i for i, need in enumerate(needs) if need > max_memory)
            skip_reason = (f"reference pass skipped from {analysis.rows[stop_at].path} on: "
                           f"it needs about {human_bytes(needs[stop_at])}, more than "
                           f"--max-memory {human_bytes(max_memory)}, and no directory for "
                           f"maps on disk could be made ({error.strerror or error}); point "
                           "TMPDIR at a writable disk")
    start = time.perf_counter()
    try:
        shapes, failure = _run(analysis, workspace, stop_at, progress, seed, tiling)
    finally:
        if tiling is not None:
            from .spill import remove_directory

            remove_directory(tiling.directory)
    seconds = time.perf_counter() - start
    result = Verification(analysis, skip_reason=skip_reason,
                          estimated_peak=max(needs, default=0), seconds=seconds,
                          tiled=len(tiling.tiled) if tiling else 0)
    rows = [_marked(index, row, shapes, failure, stop_at, result)
            for index, row in enumerate(analysis.rows)]
    if tiling is not None and tiling.tiled:
        first = next(i for i, row in enumerate(rows) if row.path == tiling.tiled[0])
        rows[first] = replace(rows[first], notes=[*rows[first].notes, (
            f"the reference pass computed this and {len(tiling.tiled) - 1} later layers in "
            f"strips of rows, keeping maps over {human_bytes(tiling.spill_above)} on disk, "
            f"to stay within --max-memory {human_bytes(max_memory)}")])
    result.analysis = replace(analysis, rows=rows)
    return result


def _tiling(analysis: Analysis, max_memory: int):
    """Strips of about an eighth of the bound; maps over an eighth kept on disk."""
    from .spill import spill_directory
    from .tiles import Tiling

    eighth = max(max_memory // 8, 1)
    return Tiling(spill_directory(), spill_above=eighth, strip_bytes=eighth,
                  planned={row.path: row.output for row in analysis.rows})


class Stop(Exception):
    """Raised before the first row beyond --max-memory, to end a referee's walk there."""


class _Walk:
    """Follows a referee through the rows: where it is, the progress callback, and the row
    it must stop before (the first that does not fit --max-memory)."""

    def __init__(self, analysis: Analysis, stop_at: int | None,
                 progress: Progress | None) -> None:
        self.stop_path = analysis.rows[stop_at].path if stop_at is not None else None
        self.total = len(analysis.rows) if stop_at is None else stop_at
        self.progress = progress
        self.path, self.done = "", 0

    def before(self, path: str) -> None:
        if path == self.stop_path:
            raise Stop
        self.path = path

    def after(self, path: str) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total, path)


def _run(analysis: Analysis, workspace: int, stop_at: int | None, progress: Progress | None,
         seed: int, tiling=None) -> tuple[dict[str, Shape], tuple[str, str, bool] | None]:
    import numpy as np

    from .forward import Forward
    from .spill import DiskFull

    walk = _Walk(analysis, stop_at, progress)
    forward = Forward(seed, workspace, before=walk.before, after=walk.after,
                      referenced=analysis.network.referenced, tiling=tiling)
    failure = None
    try:
        with np.errstate(all="ignore"):  # values may overflow in deep nets; shapes cannot
            if stop_at != 0:  # not even the first row can run: nothing to draw
                forward.run(analysis.network.layers, analysis.input, analysis.inputs)
    except Stop:
        pass
    except DiskFull as error:  # maybe before any row, while drawing the input
        failure = (walk.path or analysis.rows[0].path, f"reference pass stopped: {error}",
                   False)
    except MemoryError:
        failure = (walk.path, "reference pass stopped: the machine ran out of memory; "
                   "lower --max-memory", False)
    except (ValueError, IndexError) as error:
        failure = (walk.path, f"the reference kernel refused this layer: {error}", True)
    return forward.shapes, failure


def _marked(index: int, row: Row, shapes: dict[str, Shape], failure, stop_at: int | None,
            result: Verification) -> Row:
    """A copy of the row with what the pass found; the counts in `result` grow as it goes."""
    if row.path in shapes:
        result.checked += 1
        if shapes[row.path] == row.output:
            return replace(row, verified=True)
        marked = replace(row, verified=False,
                         verify_note=f"reference array is {_text(shapes[row.path])}, the "
                                     f"formulas say {_text(row.output)}")
        result.mismatches.append(marked)
        return marked
    if failure and row.path == failure[0]:
        _, message, mismatch = failure
        if mismatch:
            marked = replace(row, verified=False, verify_note=message)
            result.mismatches.append(marked)
        else:
            marked = replace(row, verified=None, notes=[*row.notes, message])
            result.skipped.append(marked)
        return marked
    notes = [*row.notes, result.skip_reason] if index == stop_at else row.notes
    marked = replace(row, verified=None, notes=notes)
    result.skipped.append(marked)
    return marked


def probe_needs(row: Row) -> int:
    """Estimated peak bytes of the probes at this row: the one-channel maps in and out, the
    out map once more per kernel tap for a windowed layer's im2col, the channel probes."""
    def plane(shape: Shape) -> int:
        return math.prod(shape[:-1]) if len(shape) > 1 else shape[0]
    taps = math.prod(getattr(row.layer, "kernel", (1,))) if row.layer is not None else 1
    return BYTES * (plane(row.input) + plane(row.output) * (1 + taps)
                    + row.input[-1] + row.output[-1])


def probe_analysis(analysis: Analysis, max_memory: int = 2 << 30,
                   progress: Progress | None = None) -> Verification:
    """The probe referee (`--verify numpy`): each row's spatial sizes and channels checked on
    the two probes of reference/probe.py. Cheap at any size: only an input whose one-channel
    map alone outgrows --max-memory is skipped, from the first row that would."""
    import numpy as np

    from .probe import Probe

    needs = [probe_needs(row) for row in analysis.rows]
    stop_at = next((i for i, need in enumerate(needs) if need > max_memory), None)
    walk = _Walk(analysis, stop_at, progress)
    stop_path = walk.stop_path
    probe = Probe(walk.before, walk.after, analysis.network.referenced)
    failure = None
    start = time.perf_counter()
    try:
        if stop_at != 0:  # not even the input map fits: nothing to run
            with np.errstate(all="ignore"):
                probe.run(analysis.network.layers, analysis.input, analysis.inputs)
    except Stop:
        pass
    except (ValueError, IndexError) as error:
        failure = (walk.path, f"the probe refused this layer: {error}")
    result = Verification(analysis, seconds=time.perf_counter() - start,
                          estimated_peak=max(needs, default=0))
    if stop_at is not None:
        result.skip_reason = (f"probe skipped from {stop_path} on: its one-channel map needs "
                              f"about {human_bytes(needs[stop_at])}, more than --max-memory "
                              f"{human_bytes(max_memory)}")
    rows = [_probed(row, probe.shapes, failure, result) for row in analysis.rows]
    if stop_at is not None:
        rows[stop_at] = replace(rows[stop_at], notes=[*rows[stop_at].notes, result.skip_reason])
    result.analysis = replace(analysis, rows=rows)
    return result


def _probed(row: Row, shapes, failure, result: Verification) -> Row:
    """A copy of the row marked by what the spatial and channel probes said."""
    if row.path not in shapes:
        if failure and row.path == failure[0]:
            marked = replace(row, verified=False, verify_note=failure[1])
            result.mismatches.append(marked)
            return marked
        marked = replace(row, verified=None)
        result.skipped.append(marked)
        return marked
    result.checked += 1
    sizes, channels = shapes[row.path]
    want_sizes, want_channels = tuple(row.output[:-1]), row.output[-1]
    notes = []
    if sizes != want_sizes:
        notes.append(f"spatial probe gives {_text(sizes) or 'a vector'}, the formulas say "
                     f"{_text(want_sizes) or 'a vector'}")
    if channels != want_channels:
        what = "channel probe" if sizes else "vector probe"
        notes.append(f"{what} gives {channels}, the formulas say {want_channels}")
    if not notes:
        return replace(row, verified=True)
    marked = replace(row, verified=False, verify_note="; ".join(notes))
    result.mismatches.append(marked)
    return marked
