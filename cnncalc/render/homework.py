"""Rich views of the homework commands: answer cards, choices, explanations, apply results.

Data objects come from card.py, explain.py and matrix.py; this module only decides looks.
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from ..engine.shapes import shape_str
from ..engine.text import printable, value_text
from ..homework.card import Card, Choices, Step
from ..homework.explain import Explanation, LayerExplanation
from ..homework.matrix import Applied, literal, number

NOTE_STYLES = {"does not fit": "bold yellow"}


def steps_table(steps: list[Step], indent: int = 0) -> Table:
    """label │ formula = value │ note — the formula and its value stay on one line."""
    grid = Table.grid(padding=(0, 2), pad_edge=False)
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column()
    grid.add_column(style="dim")
    for step in steps:
        cell = Text()
        if step.formula:
            cell.append(f"{step.formula} = ")
        cell.append(step.value, style="bold")
        note = step.note
        style = NOTE_STYLES.get(note, "")
        grid.add_row(" " * indent + step.label, cell,
                     Text(("⚠ " if style else "") + note, style=style or "dim"))
    return grid


def _remarks(warnings: list[str], notes: list[str], indent: str = "") -> Text:
    text = Text()
    for warning in warnings:
        text.append(f"{indent}⚠ ", style="bold yellow")
        text.append(warning + "\n")
    for note in notes:
        text.append(f"{indent}ℹ ", style="cyan")
        text.append(note + "\n")
    text.rstrip()
    return text


def card(result: Card) -> RenderableType:
    parts: list[RenderableType] = [Text(result.title, style="bold underline"),
                                   steps_table(result.steps)]
    remarks = _remarks(result.warnings, result.notes)
    if remarks.plain:
        parts.append(remarks)
    return Group(*parts)


LEFTOVER = "fits: only padding left over"  # the same words as a single card's note


def choices(result: Choices) -> RenderableType:
    heading = Text(result.title, style="bold underline")
    if not result.fitting:
        return Group(heading, Text(f"no {result.what} fits", style="bold yellow"),
                     Text(result.note, style="dim"))
    table = Table(show_edge=False, pad_edge=False, header_style="bold")
    table.add_column(result.what, justify="right")
    table.add_column("output")
    table.add_column("derivation")
    table.add_column("")
    skipped = "rows" if len(result.fitting[0][1]) == 3 else "input"  # 1-D, 3-D: samples, frames…
    for value, out, formula, exact in result.fitting:
        skips = result.what == "stride" and value > result.span
        table.add_row(str(value), shape_str(out, times="×"), formula,
                      f"skips {skipped} between windows" if skips else "exact" if exact
                      else LEFTOVER)
    summary = ", ".join(f"{value} → {shape_str(out[:-1], times='×')}"
                        for value, out, _, _ in result.fitting)
    return Group(heading, table, Text(f"fits: {summary}"), Text(result.note, style="dim"))


def _layer(item: LayerExplanation, index: int) -> RenderableType:
    heading = Text(f"{index}. ", style="bold")
    heading.append(printable(item.path), style="bold cyan")
    heading.append(f"  {printable(item.description)}  ", style="dim")
    heading.append(f"{shape_str(item.input, times='×')} → {shape_str(item.output, times='×')}")
    parts: list[RenderableType] = [heading, steps_table(item.steps, indent=3)]
    remarks = _remarks(item.warnings, item.notes, "   ")
    for check in item.checks:
        if remarks.plain:
            remarks.append("\n")
        remarks.append(f"   {'✓' if check.ok else '✗'} ",
                       style="green" if check.ok else "bold red")
        remarks.append(f"expect {check.figure}: {value_text(check.expected)}"
                       + ("" if check.ok else f", got {value_text(check.got)}"))
    if remarks.plain:
        parts.append(remarks)
    return Group(*parts)


def explanation(result: Explanation) -> RenderableType:
    heading = Text(printable(result.name), style="bold underline")
    heading.append(f"  {shape_str(result.input, times='×')} → "
                   f"{shape_str(result.output, times='×')}", style="")
    if result.depth:
        heading.append(f"  {result.depth}", style="dim")
    parts: list[RenderableType] = [heading]
    if result.skipped:
        parts.append(Text("– expect skipped, written for the spec's own input: "
                          + ", ".join(result.skipped), style="dim"))
    parts += [_layer(item, index) for index, item in enumerate(result.layers, 1)]
    if len(result.layers) > 1:
        parts.append(steps_table(result.totals))
    return Group(*parts)


def matrix_table(channel: list[list[float]]) -> Table:
    """A 2-D matrix as right-aligned numbers, as the course writes them."""
    grid = Table.grid(padding=(0, 2), pad_edge=False)
    for _ in channel[0]:
        grid.add_column(justify="right")
    for row in channel:
        grid.add_row(*(number(value) for value in row))
    return grid


def applied(result: Applied) -> RenderableType:
    channels, height, width = result.input_dims
    out_channels = len(result.output)
    out_h, out_w = len(result.output[0]), len(result.output[0][0])
    heading = Text(f"{result.operation} of a {height}×{width}"
                   f"{f'×{channels}' if channels > 1 else ''} input with a {result.window}",
                   style="bold underline")
    parts: list[RenderableType] = [heading]
    sizes = list(dict.fromkeys(result.sizes))
    labels = ["output size"] if len(sizes) == 1 else ["output height", "output width"]
    parts += [Text(f"{label}: {size}") for label, size in zip(labels, sizes, strict=True)]
    parts.append(Text(f"output {out_h}×{out_w}" + (f"×{out_channels}" if out_channels > 1
                                                  else ""), style="bold"))
    for index, channel in enumerate(result.output, 1):
        if out_channels > 1:
            parts.append(Text(f"channel {index}", style="dim"))
        parts.append(matrix_table(channel))
    values = result.output[0] if out_channels == 1 else result.output
    parts.append(Text("as a literal: ", style="dim") + Text(literal(values)))
    if result.steps:
        which = " (channel 1)" if out_channels > 1 else ""
        parts.append(Text(f"first outputs term by term{which}:", style="bold"))
        parts += [Text(line) for line in result.steps]
    return Group(*parts)


def _figure(value: str):
    """'4,704' → 4704 for JSON; other values ('28×28×6', '5×5') stay text."""
    plain = value.replace(",", "")
    return int(plain) if plain.isascii() and plain.isdigit() else value


def card_json(result: Card) -> str:
    """A card as its figures by name (SPEC §12)."""
    import json

    data = {"title": result.title, "input": shape_str(result.input),
            "output": shape_str(result.output), "fits": result.fits,
            "figures": {step.label: _figure(step.value) for step in result.steps},
            "warnings": result.warnings, "notes": result.notes}
    return json.dumps(data, ensure_ascii=False)


def choices_json(result: Choices) -> str:
    import json

    data = {"what": result.what, "title": result.title,
            "values": [{"value": value, "output": shape_str(out), "derivation": formula,
                        "exact": exact} for value, out, formula, exact in result.fitting],
            "note": result.note}
    return json.dumps(data, ensure_ascii=False)
