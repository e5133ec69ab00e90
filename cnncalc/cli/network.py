"""Commands about whole networks: summary, list, check, compare."""

from __future__ import annotations

import sys
from itertools import chain

import click

from .. import analyze, load
from ..render.formats import COLUMN_CHOICES, DEFAULT_COLUMNS
from .base import (
    EXIT_MISMATCH,
    REFEREES,
    batch_option,
    cli,
    columns_option,
    console,
    emit,
    ordered_input,
    shape_option,
    size_option,
    spec_argument,
)
from .training import compute_training, refuse_training_options_without_train, training_options


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 224x224x3.")
@click.option("--batch", type=click.IntRange(min=1), callback=batch_option,
              help="Batch size for memory figures.")
@click.option("--strict", is_flag=True, help="Exit 1 when a layer does not fit exactly.")
@click.option("--verify", "referee", default="numpy", show_default=True,
              type=click.Choice(REFEREES),
              help="The referee that checks every row's shape: numpy (spatial and channel "
                   "probes on real arrays, cheap at any size), full (every value computed), "
                   "onnx (ONNX's own shape inference; needs the onnx extra) or none.")
@click.option("--no-verify", "referee", flag_value="none", help="The same as --verify none.")
@click.option("--max-memory", default="2GiB", show_default=True, callback=size_option,
              help="Memory the referee may use; beyond it the full pass works in strips of "
                   "rows with large maps on disk, and skips (with a note) what cannot.")
@click.option("--columns", callback=columns_option, metavar="LIST",
              help=f"Comma-separated figures to show: {', '.join(COLUMN_CHOICES)} "
                   f"(default: {','.join(DEFAULT_COLUMNS)}).")
@click.option("--chw", is_flag=True,
              help="Shapes in PyTorch order C×H×W: --input is read and shapes print that way.")
@click.option("--keras", is_flag=True,
              help="Count params the Keras way (batchnorm's running stats included).")
@click.option("--format", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "csv", "markdown", "html"]),
              help="Output format (html: one self-contained page with the diagram).")
@click.option("--depth", type=click.IntRange(min=0), help="Collapse groups nested deeper.")
@click.option("--train", is_flag=True,
              help="Add the training figures of `cnncalc memory` (memory, batch, MACs).")
@training_options
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write json/csv/markdown/html to this file instead of standard output.")
def summary(spec, input_shape, batch, strict, referee, max_memory, columns, chw, keras,
            output_format, depth, train, optimizer, precision, gpu, reserve, output):
    """Per-layer table and totals for SPEC (a file or a built-in name).

    \b
    Examples:
      cnncalc summary alexnet.yaml
      cnncalc summary resnet50 --depth 1 --columns output,params,macs,rf
      cnncalc summary my_net.yaml --input 224x224x3 --format json
      cnncalc summary resnet50 --format html -o report.html
    """
    from ..render.formats import to_csv, to_markdown
    from ..render.json_document import json_chunks

    if not train:
        refuse_training_options_without_train()
    input_shape = ordered_input(input_shape, chw, "--input")
    analysis = analyze(load(spec, input=input_shape), input=input_shape, batch=batch)
    if referee != "none":
        analysis = run_referee(analysis, referee, max_memory, progress=output_format == "table")
    training = compute_training(analysis, optimizer, precision, gpu, reserve) if train else None
    if output_format == "json":
        if training is not None:
            from ..render import training as render_training

            emit(render_training.to_json(analysis, training) + "\n", output)
        else:
            emit(chain(json_chunks(analysis, keras), ["\n"]), output)
    elif output_format == "csv":
        emit(to_csv(analysis, keras), output)
    elif output_format == "markdown":
        text = to_markdown(analysis, columns, chw, depth, keras)
        if training is not None:
            from ..render import training as render_training

            text += "\n" + render_training.to_markdown(analysis, training)
        emit(text, output)
    elif output_format == "html":
        from ..render.html import to_html
        from .pictures import require

        require("drawsvg")
        emit(to_html(analysis, columns, chw, keras, verified=referee != "none"), output)
    else:
        from ..render.table import summary as render_summary

        console().print(render_summary(analysis, columns, chw, depth, keras,
                                        verified=referee != "none"))
        if training is not None:
            from ..render.training import breakdown

            console().print(breakdown(analysis, training))
    sys.exit(summary_exit_code(analysis, strict))


def run_referee(analysis, referee: str, max_memory: int, progress: bool):
    """The analysis with every row marked by the chosen referee (SPEC §11)."""
    from ..render.progress import ProgressBar

    if referee == "onnx":
        try:
            from ..interop.referee import verify_onnx
        except ImportError:
            raise click.UsageError("--verify onnx needs the onnx package: "
                                   "pip install \"cnncalc[onnx]\"") from None
        with ProgressBar("referee onnx", enabled=progress) as bar:
            bar.wait("ONNX shape inference")
            return verify_onnx(analysis).analysis
    from ..reference.verify import probe_analysis, verify_analysis

    with ProgressBar(f"referee {referee}", enabled=progress) as bar:
        if referee == "numpy":
            return probe_analysis(analysis, max_memory, bar).analysis
        return verify_analysis(analysis, max_memory, bar).analysis


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
    from ..render.terminal import builtins_table
    from ..spec import builtin_names

    table = builtins_table({name: analyze(load(name)) for name in builtin_names()})
    console().print(table)


@cli.command()
@click.argument("specs", nargs=-1, required=True, metavar="SPEC...")
@click.option("--strict", is_flag=True,
              help="Also fail when a layer does not fit exactly (as summary --strict).")
@click.option("--format", "output_format", default="text", show_default=True,
              type=click.Choice(["text", "json", "markdown"]), help="Output format.")
def check(specs, strict, output_format):
    """Parse, fit and expect checks only: one line per spec, exit 0 when all hold.

    Failed expectations and specs that do not load fail; layers that do not fit are
    listed as warnings and fail only with --strict.

    \b
    Examples:
      cnncalc check lenet5 alexnet
      cnncalc check specs/*.yaml --strict
      cnncalc check lenet5 alexnet --format markdown
    """
    from ..render.compare import check_line, check_summary
    from ..spec.check import check_files

    results = check_files(list(specs), strict, loader=load)
    code = 0 if all(result.ok for result in results) else 1
    if output_format != "text":
        from ..render.verdicts import checks_json, checks_markdown

        click.echo((checks_json if output_format == "json" else checks_markdown)(results),
                   nl=False)
        sys.exit(code)
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
@click.option("--format", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "markdown"]), help="Output format.")
def compare(spec_a, spec_b, top, output_format):
    """Two architectures side by side: totals, output shapes, the layers that differ most.

    \b
    Examples:
      cnncalc compare vgg16 resnet50
      cnncalc compare resnet18 my_resnet.yaml --top 5
      cnncalc compare vgg16 resnet50 --format json
    """
    from ..engine.compare import compare as compare_networks
    from ..render.compare import comparison, failed_checks

    result = compare_networks(analyze(load(spec_a)), analyze(load(spec_b)), top)
    failures = failed_checks(result)
    if output_format != "table":
        from ..render.verdicts import comparison_json, comparison_markdown

        render = comparison_json if output_format == "json" else comparison_markdown
        click.echo(render(result), nl=False)
    else:
        out = console()
        out.print(comparison(result))
        if failures.plain:
            out.print(failures)
    if failures.plain:  # a failed expect: fails as it does in summary and check
        sys.exit(1)
