"""The homework companion: worked explanations and apply (the answer cards: cards.py)."""

from __future__ import annotations

import click

from .. import analyze, load
from .base import cli, console, ordered_input, shape_option, spec_argument
from .cards import SIZE, size_value


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
    from ..homework.explain import explain as explain_network
    from ..render.homework import explanation

    analysis = analyze(load(spec), input=ordered_input(input_shape, False, "--input"))
    result = explain_network(analysis, layer)
    console().print(explanation(result))
    if analysis.failed_checks:  # as summary and check: a failed expect: exits 1
        raise SystemExit(1)


def _square(minimum: int):
    """A card's size forms (2, 2x2, [2, 2]) for one value used on both axes."""
    parse = size_value(minimum)

    def callback(ctx, param, value):
        result = parse(ctx, param, value)
        if result == "?":
            raise click.BadParameter("apply computes with given numbers; ? is for the cards")
        if isinstance(result, tuple):
            if len(set(result)) > 1 or len(result) > 2:  # apply's matrices are 2-D
                raise click.BadParameter(f"apply takes one {param.name} for both axes")
            result = result[0]
        return result
    return callback


@cli.command(name="apply")
@click.argument("operation", type=click.Choice(["conv", "maxpool", "avgpool"]))
@click.option("--input", "-i", "matrix", required=True, metavar="M",
              help="Input matrix: a literal like \"[[1,3],[2,9]]\", channels as "
                   "[[[..]],[[..]]], or a file of whitespace-separated rows.")
@click.option("--filter", "-f", "filter_", required=True, metavar="M|F",
              help="conv: the filter matrix (one per input channel, or a list of filters); "
                   "pools: the window size F.")
@click.option("--stride", "-s", callback=_square(1),
              help="Stride (default: 1 for conv, the window size for pools).")
@click.option("--padding", "-p", default="0", show_default=True, callback=_square(0),
              help="Zero padding per side (max pooling pads with −∞, like PyTorch).")
@click.option("--bias", type=float, help="conv: a bias added to every output.")
@click.option("--steps", is_flag=True, help="Write out the first outputs term by term.")
@click.option("--backward", is_flag=True,
              help="Also the backward pass: ∂L/∂X, and ∂L/∂F for conv.")
@click.option("--grad", metavar="M", help="∂L/∂Z for --backward (default: all ones).")
@click.option("--symbolic", is_flag=True,
              help="conv: the forward z_ij and backward ∂L/∂f_ij, ∂L/∂x_ij as formulas.")
@click.option("--im2col", is_flag=True,
              help="conv: the patch matrix, the filter matrix and their product.")
@click.option("--flip", is_flag=True,
              help="conv: true convolution (filter turned 180°) instead of cross-correlation.")
@click.option("--ceil-mode", is_flag=True,
              help="Pools: round the output size up, as PyTorch's ceil_mode.")
@click.option("--format", "format_", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def apply_operation(operation, matrix, filter_, stride, padding, bias, steps, backward, grad,
                    symbolic, im2col, flip, ceil_mode, format_):
    """Apply conv, maxpool or avgpool to a small matrix and print the output.

    \b
    Examples:
      cnncalc apply maxpool --input "[[1,3,2,4],[2,9,1,1],[1,3,2,3],[5,6,1,2]]" --filter 2
      cnncalc apply conv --input image.txt --filter "[[1,0,-1],[1,0,-1],[1,0,-1]]" --steps
      cnncalc apply conv --input image.txt --filter "[[0,0,0],[1,0,2],[-1,0,1]]" --stride 2
      cnncalc apply conv --input "[[1,2,3],[4,5,6],[7,8,9]]" --filter "[[1,2],[3,4]]" --backward
    """
    from ..homework.exercise import solve
    from ..homework.matrix import MatrixError, read_matrix
    from ..render.exercises import exercise, exercise_json

    def read(source: str, what: str, hint: str):
        try:
            return read_matrix(source, what)
        except MatrixError as error:  # a malformed option value is CLI misuse: exit 2
            raise click.BadParameter(error.message, param_hint=hint) from None

    if operation == "conv":
        weight = read(filter_, "the filter", "--filter")
    else:
        match = SIZE.fullmatch(filter_.strip().lower())
        parts = [int(part) for part in match.groups() if part] if match else []
        sizes = set(parts)
        if len(sizes) != 1 or min(sizes) < 1 or len(parts) > 2:  # a 2-D matrix's window
            raise click.BadParameter(f"{operation} takes the square window size, e.g. --filter 2"
                                     " or 2x2", param_hint="--filter")
        weight = sizes.pop()
    if bias is not None and operation != "conv":
        raise click.BadParameter("only conv has a bias", param_hint="--bias")
    given = None if grad is None else read(grad, "∂L/∂Z", "--grad")
    try:
        result = solve(operation, read(matrix, "the input", "--input"), weight, stride, padding,
                       bias, steps, backward, given, symbolic, im2col, flip, ceil_mode)
    except MatrixError as error:
        if error.message.startswith("--"):  # an option that does not apply: CLI misuse
            raise click.UsageError(error.message) from None
        raise
    if format_ == "json":
        click.echo(exercise_json(result), nl=False)
    else:
        console().print(exercise(result))
