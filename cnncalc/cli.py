"""The command line: a thin shell over the library. The only module that imports click."""

from __future__ import annotations

import os
import re
import sys

import click

from . import CnnCalcError, analyze, load, parse_shape
from .report import COLUMN_CHOICES, DEFAULT_COLUMNS

EXIT_MISMATCH = 3  # the reference pass disagrees with the formulas: a cnncalc bug
SIZE_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1000, "kib": 1 << 10, "m": 1 << 20,
              "mb": 10**6, "mib": 1 << 20, "g": 1 << 30, "gb": 10**9, "gib": 1 << 30}


class SafeGroup(click.Group):
    """Turns library errors into one-line messages (exit 1) and bugs into a short report."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CnnCalcError as error:
            raise UserError(str(error), error.exit_code) from None
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit,
                KeyboardInterrupt):
            raise
        except Exception as error:
            if ctx.params.get("debug"):
                raise
            raise UserError(f"internal error ({type(error).__name__}: {error}); this is a "
                            "cnncalc bug — rerun with --debug for the traceback and report it"
                            ) from None


class UserError(click.ClickException):
    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def console():
    from rich.console import Console

    width = None if sys.stdout.isatty() or "COLUMNS" in os.environ else 120
    return Console(highlight=False, width=width)


def shape_option(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_shape(int(value) if value.strip().isdigit() else value)
    except CnnCalcError as error:
        raise click.BadParameter(f"{error.message} (e.g. --input 224x224x3)") from None


def columns_option(ctx, param, value):
    if value is None:
        return DEFAULT_COLUMNS
    columns = tuple(part.strip().lower() for part in value.split(",") if part.strip())
    unknown = [column for column in columns if column not in COLUMN_CHOICES]
    if unknown or not columns:
        raise click.BadParameter(f"unknown column {', '.join(unknown) or '(none)'}; choose "
                                 f"from {', '.join(COLUMN_CHOICES)}")
    return columns


def size_option(ctx, param, value):
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", value or "")
    if not match or match.group(2).lower() not in SIZE_UNITS:
        raise click.BadParameter(f"cannot read {value!r}; write e.g. 2GiB or 512MiB")
    return int(float(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@click.version_option(package_name="cnncalc")
def cli(debug: bool) -> None:
    """cnncalc — CNN shape and parameter calculator.

    Describe a network in YAML, get every layer's output shape, parameters, connections,
    MACs and receptive field, checked by a NumPy forward pass.

    \b
    Example:
      cnncalc summary alexnet.yaml
    """


@cli.command()
@click.argument("spec")
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 224x224x3.")
@click.option("--batch", type=click.IntRange(min=1), help="Batch size for memory figures.")
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
    from .report import to_csv, to_json, to_markdown

    analysis = analyze(load(spec), input=input_shape, batch=batch)
    if verify:
        from .verify import verify_analysis

        verify_analysis(analysis, max_memory=max_memory, progress=output_format == "table")
    if output_format == "json":
        click.echo(to_json(analysis))
    elif output_format == "csv":
        click.echo(to_csv(analysis), nl=False)
    elif output_format == "markdown":
        click.echo(to_markdown(analysis, columns, chw, depth, keras), nl=False)
    else:
        from .render import summary as render_summary

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

    from .report import human_count
    from .shapes import shape_str
    from .spec import builtin_names

    table = Table(show_edge=False, header_style="bold")
    for title in ("name", "input", "output", "params", "MACs", "description"):
        table.add_column(title, justify="right" if title in ("params", "MACs") else "left")
    for name in builtin_names():
        result = analyze(load(name))
        table.add_row(name, shape_str(result.input, times="×"),
                      shape_str(result.output, times="×"), f"{result.totals.params:,}",
                      human_count(result.totals.macs), result.network.description)
    console().print(table)


def main() -> None:
    cli(prog_name="cnncalc")
