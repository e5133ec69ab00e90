"""The parts of a summary beyond the layer table — messages and totals — as plain text, so
Markdown, CSV and HTML carry the same whole result as the terminal table (SPEC §13)."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.analysis import Analysis
from ..engine.shapes import shape_str
from ..engine.text import human_bytes, human_count, value_text


@dataclass(frozen=True)
class Message:
    mark: str  # ✗ failed expectation or reference mismatch, ⚠ does not fit, ℹ note
    kind: str  # "error", "warning", "note"
    text: str


def messages(analysis: Analysis) -> list[Message]:
    """Failed expectations, does-not-fit warnings and mismatches, then notes (table order):
    the network's own (expectations --input set aside), then each row's."""
    found = [Message("✗", "error", f"{check.path} {check.figure}: expected "
                     f"{value_text(check.expected)}, got {value_text(check.got)}")
             for check in analysis.failed_checks]
    for row in analysis.rows:
        found += [Message("⚠", "warning", f"{row.path}: {warning}") for warning in row.warnings]
        if row.verified is False:
            found.append(Message("✗", "error", f"{row.path}: {row.verify_note}"))
    from_rows = {f"{row.path}: {warning}" for row in analysis.rows for warning in row.warnings}
    found += [Message("ℹ", "note", text) for text in analysis.warnings if text not in from_rows]
    found += [Message("ℹ", "note", f"{row.path}: {note}")
              for row in analysis.rows for note in row.notes]
    return found


def totals(analysis: Analysis, keras: bool = False) -> list[tuple[str, str, str]]:
    """(figure, exact value, remark) for every total the terminal's totals panel shows."""
    sums = analysis.totals
    lines = [("input → output", f"{shape_str(analysis.input, times='×')} → "
              f"{analysis.output_text(times='×')}", ""),
             ("params", f"{sums.params:,}", human_count(sums.params)),
             ("weights / biases", f"{sums.weights:,} / {sums.biases:,}", ""),
             ("buffers (BN running stats)", f"{sums.buffers:,}", "non-trainable")]
    if keras:
        lines.append(("Keras total params", f"{sums.params + sums.buffers:,}",
                      f"trainable {sums.params:,} + non-trainable {sums.buffers:,}"))
    lines += [("MACs", f"{sums.macs:,}", human_count(sums.macs)),
              ("FLOPs", f"{sums.flops:,}", "2 × MACs")]
    if analysis.has_aux:  # inference drops the auxiliary heads
        lines += [("params without aux heads", f"{analysis.params_without_aux:,}", ""),
                  ("MACs without aux heads", f"{analysis.macs_without_aux:,}", "")]
    lines += [("connections", f"{sums.connections:,}", human_count(sums.connections)),
              ("neurons", f"{sums.neurons:,}", "output values of every layer"),
              ("activation memory", human_bytes(sums.activation_bytes),
               f"{sums.activation_bytes:,} bytes, float32, batch {analysis.batch}"),
              ("parameter memory", human_bytes(sums.param_bytes),
               f"{sums.param_bytes:,} bytes, float32")]
    return lines


def markdown_tail(analysis: Analysis, keras: bool = False) -> list[str]:
    """Markdown lines after the layer table: the messages, then a totals table."""
    lines = []
    found = messages(analysis)
    if found:
        lines += ["", *(f"- {message.mark} {_md(message.text)}" for message in found)]
    lines += ["", "| total | value | |", "|---|---:|---|"]
    lines += [f"| {name} | {value} | {_md(remark)} |" for name, value, remark in
              totals(analysis, keras)]
    return lines


def _md(text: str) -> str:
    return text.replace("|", "\\|")
