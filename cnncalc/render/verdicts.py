"""`compare` and `check` as JSON and Markdown (no rich: for scripts, CI logs and documents)."""

from __future__ import annotations

import json
from typing import Any

from ..engine.compare import Comparison, Figure
from ..engine.shapes import shape_str
from ..engine.text import figure_text, fixed, value_text
from ..spec.check import FileCheck
from .json_document import _check_value, json_shape


def _plain(figure: Figure, value) -> Any:
    return json_shape(value) if figure.kind == "shape" else value


def comparison_dict(result: Comparison) -> dict[str, Any]:
    """Both names, every total of A and B (exact) with B/A, the layers that differ most."""
    def side(row):
        if row is None:
            return None
        return {"type": row.type, "output": json_shape(row.output), "params": row.params,
                "macs": row.macs}

    return {
        "a": result.a.name, "b": result.b.name,
        "totals": [{"figure": figure.label, "a": _plain(figure, figure.a),
                    "b": _plain(figure, figure.b), "ratio": _ratio_number(figure)}
                   for figure in result.totals],
        "layers": [{"path": diff.path, "a": side(diff.a), "b": side(diff.b)}
                   for diff in result.layers],
        "same_layers": result.same_layers,
    }


def comparison_json(result: Comparison) -> str:
    return json.dumps(comparison_dict(result), indent=2, ensure_ascii=False) + "\n"


def comparison_markdown(result: Comparison) -> str:
    lines = [f"| | {result.a.name} (A) | {result.b.name} (B) | B/A |", "|---|---:|---:|---:|"]
    for figure in result.totals:
        ratio = f"{fixed(figure.ratio, 2)}×" if figure.ratio is not None else ""
        lines.append(f"| {figure.label} | {figure_text(figure.kind, figure.a)} | "
                     f"{figure_text(figure.kind, figure.b)} | {ratio} |")
    if result.layers:
        lines += ["", "Layers that differ most (matched by path):", "",
                  "| layer | A output | B output | A params | B params | A MACs | B MACs |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for diff in result.layers:
            cells = [shape_str(row.output, times="×") if row else "—" for row in (diff.a, diff.b)]
            cells += [f"{getattr(row, key):,}" if row else "—"
                      for key in ("params", "macs") for row in (diff.a, diff.b)]
            lines.append(f"| {diff.path} | " + " | ".join(cells) + " |")
    if result.same_layers:
        lines += ["", f"{result.same_layers} layer(s) with the same path have identical figures."]
    return "\n".join(lines) + "\n"


def check_dict(result: FileCheck) -> dict[str, Any]:
    record: dict[str, Any] = {"source": result.source, "ok": result.ok, "error": result.error}
    analysis = result.analysis
    if analysis is not None:
        record.update({
            "name": analysis.name, "input": json_shape(analysis.input),
            "output": json_shape(analysis.output), "layers": len(analysis.rows),
            "params": analysis.totals.params, "macs": analysis.totals.macs,
            "checks": len(analysis.checks),
            "failed": [{"path": c.path, "figure": c.figure, "expected": _check_value(c.expected),
                        "got": _check_value(c.got)} for c in result.failed],
            "warnings": list(analysis.warnings),
        })
    return record


def checks_json(results: list[FileCheck]) -> str:
    document = {"ok": all(result.ok for result in results),
                "specs": [check_dict(result) for result in results]}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def checks_markdown(results: list[FileCheck]) -> str:
    lines = ["| spec | verdict | detail |", "|---|---|---|"]
    for result in results:
        if result.error is not None:
            verdict, detail = "✗ ERROR", result.error
        else:
            verdict = "✓ OK" if result.ok else "✗ FAIL"
            parts = [f"{c.path} {c.figure}: expected {value_text(c.expected)}, got "
                     f"{value_text(c.got)}" for c in result.failed]
            parts += [f"⚠ {warning}" for warning in result.analysis.warnings]
            if not parts:
                analysis = result.analysis
                parts = [f"{shape_str(analysis.input, times='×')} → "
                         f"{shape_str(analysis.output, times='×')}, "
                         f"{analysis.totals.params:,} params"]
            detail = "<br>".join(parts)
        detail = detail.replace("|", "\\|")
        lines.append(f"| {result.source} | {verdict} | {detail} |")
    failed = sum(1 for result in results if not result.ok)
    lines += ["", f"all {len(results)} spec(s) hold" if not failed
              else f"{failed} of {len(results)} spec(s) fail"]
    return "\n".join(lines) + "\n"


def _ratio_number(figure) -> float | str | None:
    """B/A for JSON: a number, or its exact decimal text when no float can hold it."""
    if figure.ratio is None:
        return None
    try:
        return round(float(figure.ratio), 4)
    except OverflowError:
        return fixed(figure.ratio, 4)
