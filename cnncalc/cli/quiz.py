"""`cnncalc quiz`: a generated exercise sheet with its answer key (SPEC §12)."""

from __future__ import annotations

import click

from ..limits import QUIZ_COUNT
from .base import cli

TOPIC_CHOICES = ("conv", "pool", "params", "connections", "rf", "fit", "backward", "mixed")


@cli.command()
@click.option("--topic", type=click.Choice(TOPIC_CHOICES), default="mixed", show_default=True,
              help="What the questions are about (mixed draws from all of them).")
@click.option("--count", "-n", type=click.IntRange(1, QUIZ_COUNT.value), default=5,
              show_default=True, help="How many questions.")
@click.option("--seed", type=click.IntRange(min=0),
              help="Makes the sheet reproducible (default: drawn, and printed on the sheet).")
@click.option("--format", "format_", type=click.Choice(["text", "markdown", "json"]),
              default="text", show_default=True)
def quiz(topic, count, seed, format_):
    """Generated exercises in the course's wording, with an answer key and the working.

    Every answer is computed by the engine and checked by the reference pass first.

    \b
    Examples:
      cnncalc quiz --topic conv --count 5 --seed 42
      cnncalc quiz --topic backward --count 2 --seed 1 --format markdown
    """
    from ..homework.quiz import quiz as make_sheet
    from ..render.quiz import to_json, to_markdown, to_text

    sheet = make_sheet(topic, count, seed)
    render = {"text": to_text, "markdown": to_markdown, "json": to_json}[format_]
    click.echo(render(sheet), nl=False)
