"""The command line: a thin shell over the library. The only module that imports click."""

from __future__ import annotations

import os
import re
import sys

import click

from . import CnnCalcError, analyze, load, parse_shape
from .render.formats import COLUMN_CHOICES, DEFAULT_COLUMNS

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


def spec_argument(ctx, param, value):
    """A SPEC must be an existing file or a built-in name: otherwise a usage error (exit 2)."""
    from pathlib import Path

    from .errors import suggest
    from .spec import builtin_names, builtin_text

    if value is None or "\n" in value or Path(value).is_file() or builtin_text(value):
        return value
    stem = Path(value).name.removesuffix(".yaml")
    raise click.BadParameter(f"'{value}' is neither a file nor a built-in architecture"
                             f"{suggest(stem, builtin_names())} (`cnncalc list` shows the "
                             "built-ins)")


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
@click.argument("spec", callback=spec_argument)
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
    from .render.formats import to_csv, to_json, to_markdown

    analysis = analyze(load(spec), input=input_shape, batch=batch)
    if verify:
        from .reference.verify import verify_analysis

        verify_analysis(analysis, max_memory=max_memory, progress=output_format == "table")
    if output_format == "json":
        click.echo(to_json(analysis))
    elif output_format == "csv":
        click.echo(to_csv(analysis), nl=False)
    elif output_format == "markdown":
        click.echo(to_markdown(analysis, columns, chw, depth, keras), nl=False)
    else:
        from .render.table import summary as render_summary

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

    from .engine.shapes import shape_str
    from .engine.text import human_count
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


# -- homework companion (issue 5): conv, pool, explain, apply, check, compare ----------------
def _spatial_input(ctx, param, value):
    shape = shape_option(ctx, param, value)
    if shape is not None and len(shape) != 3:
        raise click.BadParameter("a conv or pooling layer needs HxWxC, e.g. 32x32x3")
    return shape


def _int_or(words: tuple[str, ...]):
    """A callback accepting a non-negative integer or one of `words` ('?', 'same', …)."""
    def callback(ctx, param, value):
        if value is None or value.strip().lower() in words:
            return None if value is None else value.strip().lower()
        if not value.strip().isdigit():
            choices = " or ".join(["an integer", *(f"'{word}'" for word in words)])
            raise click.BadParameter(f"{value!r} is not {choices}")
        return int(value)
    return callback


def _print_card(make, shape, stride, padding) -> None:
    from .homework.card import explore, layer_card
    from .render.homework import card, choices

    if stride == "?" and padding == "?":
        raise click.UsageError("ask for one unknown at a time: --stride ? or --padding ?")
    if "?" in (stride, padding):
        what = "stride" if stride == "?" else "padding"
        result = explore(lambda value: make(**{what: value}), shape, what)
        console().print(choices(result))
        return
    if stride == 0:
        raise click.BadParameter("the stride must be ≥ 1", param_hint="--stride")
    console().print(card(layer_card(make(), shape)))


@cli.command()
@click.argument("input_shape", metavar="INPUT", callback=_spatial_input)
@click.option("--filters", "-k", type=click.IntRange(min=1), required=True,
              help="Number of filters K (output channels).")
@click.option("--kernel", "-f", type=click.IntRange(min=1), required=True,
              help="Kernel size F (F×F).")
@click.option("--stride", "-s", default="1", show_default=True, callback=_int_or(("?",)),
              help="Stride S, or ? to list the strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True,
              callback=_int_or(("?", "same", "valid")),
              help="Padding P per side, same, valid, or ? to list the paddings that fit.")
@click.option("--dilation", "-d", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--groups", "-g", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--bias/--no-bias", default=True, show_default=True)
def conv(input_shape, filters, kernel, stride, padding, dilation, groups, bias):
    """Answer card for one conv layer: output size, weights, params, connections, MACs.

    \b
    Examples:
      cnncalc conv 32x32x3 --filters 6 --kernel 5
      cnncalc conv 227x227x3 --filters 96 --kernel 11 --stride 4
      cnncalc conv 32x32x3 --filters 10 --kernel 5 --stride 2 --padding ?
    """
    from .homework.card import conv_layer

    def make(stride=stride, padding=padding):
        return conv_layer(filters, kernel, stride, padding, dilation, groups, bias)

    _print_card(make, input_shape, stride, padding)


@cli.command()
@click.argument("input_shape", metavar="INPUT", callback=_spatial_input)
@click.option("--kernel", "-f", type=click.IntRange(min=1), required=True,
              help="Window size F (F×F).")
@click.option("--stride", "-s", callback=_int_or(("?",)),
              help="Stride S (default: the window size), or ? to list the strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True, callback=_int_or(("?",)),
              help="Padding P per side (at most F/2), or ? to list the paddings that fit.")
@click.option("--mode", type=click.Choice(["max", "avg"]), default="max", show_default=True)
def pool(input_shape, kernel, stride, padding, mode):
    """Answer card for one pooling layer: output size, neurons, connections.

    \b
    Examples:
      cnncalc pool 55x55x96 --kernel 3 --stride 2
      cnncalc pool 28x28x6 --kernel 2 --mode avg
      cnncalc pool 32x32x16 --kernel 3 --stride ?
    """
    from .homework.card import pool_layer

    def make(stride=stride, padding=padding):
        return pool_layer(kernel, stride, padding, mode)

    _print_card(make, input_shape, stride, padding)


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.argument("layer", required=False)
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 224x224x3.")
def explain(spec, layer, input_shape):
    """Worked solution for SPEC: each layer's arithmetic, shapes flowing along.

    LAYER limits it to one layer or group, by name (conv1) or path (layer2.basic3).

    \b
    Examples:
      cnncalc explain lenet5
      cnncalc explain alexnet conv1
      cnncalc explain resnet18 layer2 --input 112x112x3
    """
    from .homework.explain import explain as explain_network
    from .render.homework import explanation

    result = explain_network(analyze(load(spec), input=input_shape), layer)
    console().print(explanation(result))


@cli.command(name="apply")
@click.argument("operation", type=click.Choice(["conv", "maxpool", "avgpool"]))
@click.option("--input", "-i", "matrix", required=True, metavar="M",
              help="Input matrix: a literal like \"[[1,3],[2,9]]\", channels as "
                   "[[[..]],[[..]]], or a file of whitespace-separated rows.")
@click.option("--filter", "-f", "filter_", required=True, metavar="M|F",
              help="conv: the filter matrix (one per input channel, or a list of filters); "
                   "pools: the window size F.")
@click.option("--stride", "-s", type=click.IntRange(min=1),
              help="Stride (default: 1 for conv, the window size for pools).")
@click.option("--padding", "-p", type=click.IntRange(min=0), default=0, show_default=True,
              help="Zero padding per side (max pooling pads with −∞, like PyTorch).")
@click.option("--bias", type=float, help="conv: a bias added to every output.")
@click.option("--steps", is_flag=True, help="Write out the first outputs term by term.")
def apply_operation(operation, matrix, filter_, stride, padding, bias, steps):
    """Apply conv, maxpool or avgpool to a small matrix and print the output.

    \b
    Examples:
      cnncalc apply maxpool --input "[[1,3,2,4],[2,9,1,1],[1,3,2,3],[5,6,1,2]]" --filter 2
      cnncalc apply conv --input image.txt --filter "[[1,0,-1],[1,0,-1],[1,0,-1]]" --steps
      cnncalc apply conv --input image.txt --filter "[[0,0,0],[1,0,2],[-1,0,1]]" --stride 2
    """
    from .homework.matrix import MatrixError, read_matrix
    from .homework.matrix import apply as apply_matrix
    from .render.homework import applied

    def read(source: str, what: str, hint: str):
        try:
            return read_matrix(source, what)
        except MatrixError as error:  # a malformed option value is CLI misuse: exit 2
            raise click.BadParameter(error.message, param_hint=hint) from None

    if operation == "conv":
        weight = read(filter_, "the filter", "--filter")
    elif filter_.strip().isdigit() and int(filter_) >= 1:
        weight = int(filter_)
    else:
        raise click.BadParameter(f"{operation} takes the window size, e.g. --filter 2",
                                 param_hint="--filter")
    if bias is not None and operation != "conv":
        raise click.BadParameter("only conv has a bias", param_hint="--bias")
    result = apply_matrix(operation, read(matrix, "the input", "--input"), weight, stride,
                          padding, bias, steps)
    console().print(applied(result))


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
    from .render.compare import check_line, check_summary
    from .spec.check import check_files

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
    from .engine.compare import compare as compare_networks
    from .render.compare import comparison

    result = compare_networks(analyze(load(spec_a)), analyze(load(spec_b)), top)
    console().print(comparison(result))


def main() -> None:
    cli(prog_name="cnncalc")
