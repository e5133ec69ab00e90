"""Training figures → JSON, Markdown and rich: the breakdown panel and the saved-bytes column.

Plain-data functions come first and import nothing heavy; the rich ones import rich inside.
"""

from __future__ import annotations

from typing import Any

from ..engine.analysis import Analysis
from ..engine.saved import kept_text
from ..engine.text import human_bytes, human_count
from ..engine.training import OPTIMIZER_STATES, Training, float_bytes

TRAINING_KEYS = ("batch", "optimizer", "precision", "weight_bytes", "gradient_bytes",
                 "optimizer_bytes", "amp_copy_bytes", "saved_activation_bytes", "peak_bytes",
                 "gpu_bytes", "largest_batch", "inference_peak_bytes", "backward_macs",
                 "training_macs")
EXTRA_KEYS = ("reserve_bytes", "backward_working_bytes", "forward_macs", "miss_bytes")


def training_record(training: Training) -> dict[str, Any]:
    """The JSON `training` object of SPEC §9 (its keys first, then a few extra figures)."""
    values = {"backward_working_bytes": training.working_bytes}
    return {key: values[key] if key in values else getattr(training, key)
            for key in (*TRAINING_KEYS, *EXTRA_KEYS)}


def with_training(document: dict[str, Any], training: Training) -> dict[str, Any]:
    """Add the `training` object and each layer record's `saved_bytes` to a summary dict."""
    for record, saved in zip(document["layers"], training.saved_bytes_by_row, strict=True):
        record["saved_bytes"] = saved
    document["training"] = training_record(training)
    return document


def to_json(analysis: Analysis, training: Training) -> str:
    import json

    from .json_document import to_dict

    return json.dumps(with_training(to_dict(analysis), training), indent=2, ensure_ascii=False)


def terms(training: Training) -> list[tuple[str, str, int]]:
    """(term, formula, bytes) for every memory term, then the peak."""
    element = float_bytes(training.precision)
    states = OPTIMIZER_STATES[training.optimizer]
    params = training.weight_bytes // element
    saved = training.saved
    saved_formula = f"{training.batch} × {saved.per_sample:,} B"
    if saved.per_batch:
        saved_formula += f" + {saved.per_batch:,} B BN stats"
    rows = [
        ("weights", f"{params:,} params × {element} B", training.weight_bytes),
        ("gradients", f"params × {element} B", training.gradient_bytes),
        ("optimizer state", f"{training.optimizer}: {states} × params × 4 B",
         training.optimizer_bytes),
        ("amp weight copies", "params × 2 B" if training.amp_copy_bytes else "— (no amp)",
         training.amp_copy_bytes),
        ("saved activations", saved_formula, training.saved_activation_bytes),
        ("backward working set", f"{training.batch} × (in + out of {training.working_path}) "
         f"× {element} B", training.working_bytes),
    ]
    return rows + [("peak training memory", "sum of the above", training.peak_bytes)]


def fit_lines(training: Training) -> list[tuple[str, str]]:
    """The GPU verdict: margin at this batch and the largest batch that fits."""
    if training.gpu_bytes is None:
        return [("GPU", "not given: add --gpu 24GiB (or a card name) for the largest batch")]
    budget = training.budget_bytes
    lines = [("GPU budget", f"{human_bytes(training.gpu_bytes)} − reserve "
              f"{human_bytes(training.reserve_bytes)} = {human_bytes(budget)} "
              f"({budget:,} B)")]
    margin = budget - training.peak_bytes
    verdict = (f"fits, margin {human_bytes(margin)}" if margin >= 0
               else f"does not fit: over by {human_bytes(-margin)} ({-margin:,} B)")
    lines.append((f"batch {training.batch}", verdict))
    largest = training.largest_batch
    if largest == 0:
        lines.append(("largest batch", f"0 — batch 1 misses by {human_bytes(training.miss_bytes)}"
                      f" ({training.miss_bytes:,} B)"))
    elif largest is not None:
        lines.append(("largest batch", f"{largest:,} (peak {human_bytes(training.peak_at(largest))}"
                      f"; {largest + 1:,} needs {human_bytes(training.peak_at(largest + 1))})"))
    return lines


def what_changes(analysis: Analysis, training: Training) -> list[tuple[str, str]]:
    """The same question under the two usual levers: mixed precision and plain SGD."""
    options = []
    if training.precision != "amp-bf16":
        options.append(("--precision amp-bf16", {"precision": "amp-bf16"}))
    if training.optimizer != "sgd":
        options.append(("--optimizer sgd", {"optimizer": "sgd"}))
    lines = []
    for label, change in options:
        other = training.variant(**change)
        text = f"peak {human_bytes(other.peak_bytes)}"
        if other.largest_batch is not None:
            text += f", largest batch {other.largest_batch:,}"
        lines.append((label, text))
    return lines


def compute_lines(training: Training) -> list[tuple[str, str, str]]:
    return [
        ("forward MACs", f"{training.forward_macs:,}", human_count(training.forward_macs)),
        ("backward MACs", f"{training.backward_macs:,}",
         "weight + input gradients (no input gradient on the network input)"),
        ("training MACs", f"{training.training_macs:,}",
         f"{human_count(training.training_macs)} per sample, forward + backward"),
    ]


def top_rows(analysis: Analysis, training: Training, top: int) -> list[tuple[int, int]]:
    """(row index, saved bytes) of the `top` rows saving most; every row in order if top=0."""
    pairs = list(enumerate(training.saved_bytes_by_row))
    if top == 0:
        return pairs
    import heapq

    return heapq.nlargest(top, pairs, key=lambda pair: pair[1])  # ties: the earlier row first


def kept_note(analysis: Analysis, index: int, saved: int) -> str:
    """What the row keeps, and why it costs nothing when it does."""
    text = kept_text(analysis.rows[index])
    if not saved and text != "nothing":
        text += " (already counted)"
    return text


# -- Markdown -------------------------------------------------------------------------------
def to_markdown(analysis: Analysis, training: Training, top: int = 10) -> str:
    lines = [f"## Training memory — batch {training.batch}, {training.optimizer}, "
             f"{training.precision}", "", "| term | formula | bytes |", "|---|---|---:|"]
    for term, formula, value in terms(training):
        lines.append(f"| {term} | {formula} | {value:,} ({human_bytes(value)}) |")
    lines.append("")
    for label, text in [*fit_lines(training), *what_changes(analysis, training)]:
        lines.append(f"- **{label}:** {text}")
    lines.append(f"- **inference peak:** {training.inference_peak_bytes:,} B "
                 f"({human_bytes(training.inference_peak_bytes)})")
    for label, value, note in compute_lines(training):
        lines.append(f"- **{label}:** {value} — {note}")
    lines += ["", "| layer | type | output | saved bytes | share | keeps |",
              "|---|---|---|---:|---:|---|"]
    total = training.saved_activation_bytes or 1
    for index, saved in top_rows(analysis, training, top):
        row = analysis.rows[index]
        lines.append(f"| {row.path} | {row.type} | {'×'.join(map(str, row.output))} | "
                     f"{saved:,} | {100 * saved / total:.1f}% | "
                     f"{kept_note(analysis, index, saved)} |")
    return "\n".join(lines) + "\n"


# -- rich -----------------------------------------------------------------------------------
def breakdown(analysis: Analysis, training: Training, top: int = 10):
    """The `memory` view: the terms panel, the verdict, compute, the costliest layers."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table

    from .table import share_bar

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column(style="dim")
    grid.add_column(justify="right")
    grid.add_column(justify="right")
    for term, formula, value in terms(training):
        style = "bold" if term.startswith("peak") else ""
        grid.add_row(term, formula, f"{value:,} B", human_bytes(value), style=style)
    grid.add_row("inference peak", "tensors freed after their last reader",
                 f"{training.inference_peak_bytes:,} B",
                 human_bytes(training.inference_peak_bytes))
    verdict = Table.grid(padding=(0, 2))
    verdict.add_column(style="bold")
    verdict.add_column()
    for label, text in [*fit_lines(training), *what_changes(analysis, training)]:
        verdict.add_row(label, text)
    compute = Table.grid(padding=(0, 2))
    compute.add_column(style="bold")
    compute.add_column(justify="right")
    compute.add_column(style="dim")
    for line in compute_lines(training):
        compute.add_row(*line)
    title = (f"training memory — {analysis.name}, batch {training.batch}, "
             f"{training.optimizer}, {training.precision}")
    parts = [Panel(Group(grid, "", verdict, "", compute), title=title, title_align="left",
                   expand=False)]
    if training.unknown_types:
        parts.append(f"[yellow]⚠[/] no saved-activation rule for "
                     f"{', '.join(training.unknown_types)}: counted as keeping their input")
    table = Table(show_edge=False, header_style="bold",
                  title="saved activations by layer" + (f" (top {top})" if top else ""),
                  title_justify="left")
    for name in ("layer", "type", "output", "saved", "share", "keeps"):
        table.add_column(name, justify="right" if name == "saved" else "left")
    total = training.saved_activation_bytes
    for index, saved in top_rows(analysis, training, top):
        row = analysis.rows[index]
        table.add_row(row.path, row.type, "×".join(map(str, row.output)), human_bytes(saved),
                      f"{100 * saved / total:4.1f}% {share_bar(saved, total)}" if total else "",
                      kept_note(analysis, index, saved))
    parts.append(table)
    return Group(*parts)
