"""Commands about whole networks: summary, list, check, compare."""

from __future__ import annotations

import sys

import click

from .. import analyze, load
from ..render.formats import COLUMN_CHOICES, DEFAULT_COLUMNS
from .base import (
    EXIT_MISMATCH,
    batch_option,
    cli,
    columns_option,
    console,
    shape_option,
    size_option,
    spec_argument,
)


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 224x224x3.")
@click.option("--batch", type=click.IntRange(min=1), callback=batch_option,
              help="Batch size for memory figures.")
@click.option("--strict", is_flag=True, help="Exit 1 when a layer does not fit exactly.")
@click.option("--verify/--no-verify", default=True, show_default=True,
              help="Run the NumPy reference forward pass and mark each row verified.")
@click.option("--max-memory", default="2GiB", show_default=True, callback=size_option,
              help="Memory the reference pass may use; larger layers are skipped.")
@click.option("--columns", callback=columns_option, metavar="LIST",
              help=f"Comma-separated figures to show: {', '.join(COLUMN_CHOICES)} "
                   f"(default: {','.join(DEFAULT_COLUMNS)}).")
@click.option("--chw", is_flag=True, help="Print shapes in PyTorch order C×H×W.")
@click.option("--keras", is_flag=True,
              help="Count params the Keras way (batchnorm's running stats included).")
@click.option("--format", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "markdown"]), help="Output format.")
@click.option("--depth", type=click.IntRange(min=0), help="Collapse groups nested deeper.")
def summary(spec, input_shape, batch, strict, verify, max_memory, columns, chw, keras,
            output_format, depth):
    """Per-layer table and totals for SPEC (a file or a built-in name).

    \b
    Examples:
      cnncalc summary alexnet.yaml
      cnncalc summary resnet50 --depth 1 --columns output,params,macs,rf
      cnncalc summary my_net.yaml --input 224x224x3 --format json
    """
    from ..render.formats import to_csv, to_json, to_markdown

    analysis = analyze(load(spec), input=input_shape, batch=batch)
    if verify:
        from ..reference.verify import verify_analysis

        verify_analysis(analysis, max_memory=max_memory, progress=output_format == "table")
    if output_format == "json":
        click.echo(to_json(analysis))
    elif output_format == "csv":
        click.echo(to_csv(analysis), nl=False)
    elif output_format == "markdown":
        click.echo(to_markdown(analysis, columns, chw, depth, keras), nl=False)
    else:
        from ..render.table import summary as render_summary

        console().print(render_summary(analysis, columns, chw, depth, keras, verified=verify))
    sys.exit(summary_exit_code(analysis, strict))


def summary_exit_code(analysis, strict: bool) -> int:
    if any(row.verified is False for row in analysis.rows):
        return EXIT_MISMATCH
    if analysis.failed_checks or (strict and analysis.misfits):
        return 1
    return 0


@cli.command(name="list")
def list_builtins():
    """The built-in architectures with their input, output, params and MACs.

    \b
    Example:
      cnncalc list
    """
    from rich.table import Table

    from ..engine.shapes import shape_str
    from ..engine.text import human_count
    from ..spec import builtin_names

    table = Table(show_edge=False, header_style="bold")
    for title in ("name", "input", "output", "params", "MACs", "description"):
        table.add_column(title, justify="right" if title in ("params", "MACs") else "left")
    for name in builtin_names():
        result = analyze(load(name))
        table.add_row(name, shape_str(result.input, times="×"),
                      shape_str(result.output, times="×"), f"{result.totals.params:,}",
                      human_count(result.totals.macs), result.network.description)
    console().print(table)


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("--strict", is_flag=True,
              help="Also fail when a layer does not fit exactly (as summary --strict).")
def check(specs, strict):
    """Parse, fit and expect checks only: one line per spec, exit 0 when all hold.

    Failed expectations and specs that do not load fail; layers that do not fit are
    listed as warnings and fail only with --strict.

    \b
    Examples:
      cnncalc check lenet5 alexnet
      cnncalc check specs/*.yaml --strict
    """
    from ..render.compare import check_line, check_summary
    from ..spec.check import check_files

    results = check_files(list(specs), strict)
    out = console()
    for result in results:
        out.print(check_line(result), soft_wrap=True)
    if len(results) > 1:
        out.print(check_summary(results))
    sys.exit(0 if all(result.ok for result in results) else 1)


@cli.command()
@click.argument("spec_a", metavar="A", callback=spec_argument)
@click.argument("spec_b", metavar="B", callback=spec_argument)
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many differing layers to list.")
def compare(spec_a, spec_b, top):
    """Two architectures side by side: totals, output shapes, the layers that differ most.

    \b
    Examples:
      cnncalc compare vgg16 resnet50
      cnncalc compare resnet18 my_resnet.yaml --top 5
    """
    from ..engine.compare import compare as compare_networks
    from ..render.compare import comparison, failed_checks

    result = compare_networks(analyze(load(spec_a)), analyze(load(spec_b)), top)
    out = console()
    out.print(comparison(result))
    failures = failed_checks(result)
    if failures.plain:  # a failed expect: fails as it does in summary and check
        out.print(failures)
        sys.exit(1)
