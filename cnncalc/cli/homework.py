"""The homework companion: one-layer answer cards, worked explanations, apply."""

from __future__ import annotations

import click

from .. import analyze, load
from ..engine.shapes import spatial_rank
from .base import cli, console, shape_option, spec_argument


def _spatial_input(ctx, param, value):
    shape = shape_option(ctx, param, value)
    if shape is not None and spatial_rank(shape) == 0:
        raise click.BadParameter("a conv or pooling layer needs a map: HxWxC like 32x32x3 "
                                 "(LxC like 16000x1, DxHxWxC like 16x112x112x3)")
    return shape


def _int_or(words: tuple[str, ...], minimum: int = 0):
    """A callback accepting a non-negative integer, one per axis ('1x2x2', SPEC §8), or one
    of `words` ('?', 'same', …)."""
    def callback(ctx, param, value):
        if value is None or value.strip().lower() in words:
            return None if value is None else value.strip().lower()
        parts = value.strip().lower().replace("×", "x").split("x")
        if not all(part.isascii() and part.isdigit() for part in parts):  # '²' is no number
            choices = " or ".join(["an integer (or one per axis, like 1x2x2)",
                                   *(f"'{word}'" for word in words)])
            raise click.BadParameter(f"{value!r} is not {choices}")
        numbers = tuple(int(part) for part in parts)
        if min(numbers) < minimum:
            raise click.BadParameter(f"{value!r} must be ≥ {minimum}")
        return numbers[0] if len(numbers) == 1 else numbers
    return callback


def _print_card(make, shape, stride, padding) -> None:
    from ..homework.card import explore, layer_card
    from ..render.homework import card, choices

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
@click.option("--kernel", "-f", required=True, callback=_int_or((), 1),
              help="Kernel size F (F×F), or one per axis like 3x7x7.")
@click.option("--stride", "-s", default="1", show_default=True, callback=_int_or(("?",)),
              help="Stride S (or one per axis, like 1x2x2), or ? to list the strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True,
              callback=_int_or(("?", "same", "valid", "causal")),
              help="Padding P per side (or one per axis), same, valid, causal (1-D), or ? to "
                   "list the paddings that fit.")
@click.option("--dilation", "-d", default="1", show_default=True, callback=_int_or((), 1),
              help="Dilation D (or one per axis).")
@click.option("--groups", "-g", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--bias/--no-bias", default=True, show_default=True)
def conv(input_shape, filters, kernel, stride, padding, dilation, groups, bias):
    """Answer card for one conv layer: output size, weights, params, connections, MACs.

    \b
    Examples:
      cnncalc conv 32x32x3 --filters 6 --kernel 5
      cnncalc conv 227x227x3 --filters 96 --kernel 11 --stride 4
      cnncalc conv 32x32x3 --filters 10 --kernel 5 --stride 2 --padding ?
      cnncalc conv 16x112x112x3 --filters 64 --kernel 3x7x7 --stride 1x2x2 --padding 1x3x3
    """
    from ..homework.card import conv_layer

    def make(stride=stride, padding=padding):
        return conv_layer(filters, kernel, stride, padding, dilation, groups, bias)

    _print_card(make, input_shape, stride, padding)


@cli.command()
@click.argument("input_shape", metavar="INPUT", callback=_spatial_input)
@click.option("--kernel", "-f", required=True, callback=_int_or((), 1),
              help="Window size F (F×F), or one per axis like 2x2x2.")
@click.option("--stride", "-s", callback=_int_or(("?",)),
              help="Stride S (default: the window size; or one per axis), or ? to list the "
                   "strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True, callback=_int_or(("?",)),
              help="Padding P per side (at most F/2; or one per axis), or ? to list the "
                   "paddings that fit.")
@click.option("--mode", type=click.Choice(["max", "avg"]), default="max", show_default=True)
def pool(input_shape, kernel, stride, padding, mode):
    """Answer card for one pooling layer: output size, neurons, connections.

    \b
    Examples:
      cnncalc pool 55x55x96 --kernel 3 --stride 2
      cnncalc pool 28x28x6 --kernel 2 --mode avg
      cnncalc pool 32x32x16 --kernel 3 --stride ?
    """
    from ..homework.card import pool_layer

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
    from ..homework.explain import explain as explain_network
    from ..render.homework import explanation

    analysis = analyze(load(spec), input=input_shape)
    result = explain_network(analysis, layer)
    console().print(explanation(result))
    if analysis.failed_checks:  # as summary and check: a failed expect: exits 1
        raise SystemExit(1)


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
    from ..homework.matrix import MatrixError, read_matrix
    from ..homework.matrix import apply as apply_matrix
    from ..render.homework import applied

    def read(source: str, what: str, hint: str):
        try:
            return read_matrix(source, what)
        except MatrixError as error:  # a malformed option value is CLI misuse: exit 2
            raise click.BadParameter(error.message, param_hint=hint) from None

    if operation == "conv":
        weight = read(filter_, "the filter", "--filter")
    elif filter_.strip().isascii() and filter_.strip().isdigit() and int(filter_) >= 1:
        weight = int(filter_)
    else:
        raise click.BadParameter(f"{operation} takes the window size, e.g. --filter 2",
                                 param_hint="--filter")
    if bias is not None and operation != "conv":
        raise click.BadParameter("only conv has a bias", param_hint="--bias")
    result = apply_matrix(operation, read(matrix, "the input", "--input"), weight, stride,
                          padding, bias, steps)
    console().print(applied(result))
