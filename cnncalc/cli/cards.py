"""One-layer answer cards: conv, pool, dense; `?` (or `any`) asks which values fit. Conv and
pool cards take any input rank (L×C, H×W×C, D×H×W×C) and one value per axis (SPEC §8)."""

from __future__ import annotations

import re

import click

from .base import cli, console, ordered_input

ASK = ("?", "any")  # `any` needs no shell quoting
_NUMBER = r"\s*([+-]?[0-9]+)\s*"
_MORE = rf"(?:(?:x|×|,){_NUMBER})?"
# 5, 5x5, [5, 5], or one per axis of a 3-D input: 3x7x7, [3, 7, 7]
SIZE = re.compile(rf"\[?{_NUMBER}{_MORE}{_MORE}\]?")


def _input(ctx, param, value):
    """A card's INPUT: H×W×C (a vector for dense); never a pointer to an --input option."""
    from .. import CnnCalcError, parse_shape

    text = value.strip()
    try:
        return parse_shape(int(text) if text.isascii() and text.isdigit() else text)
    except CnnCalcError as error:
        raise click.BadParameter(error.message) from None


def size_value(minimum: int, words: tuple[str, ...] = ()):
    """An int, `5x5`, `[h, w]` or one per axis (`3x7x7`); `?`/`any` and `words` ('same', …)
    pass as words."""
    def callback(ctx, param, value):
        if value is None:
            return None
        text = value.strip().lower()
        if text in ASK:
            return "?"
        if text in words:
            return text
        match = SIZE.fullmatch(text)
        if not match or text.startswith("[") != text.endswith("]"):
            also = "".join(f", {word}" for word in (*words, "?", "any"))
            raise click.BadParameter(f"{value!r} is not a {param.name} like 5, 5x5 or [5, 5]"
                                     f" (3x7x7 on a 3-D input){also}")
        numbers = [int(part) for part in match.groups() if part is not None]
        if min(numbers) < minimum:
            raise click.BadParameter(f"{param.name} must be ≥ {minimum}")
        return numbers[0] if len(numbers) == 1 else tuple(numbers)
    return callback


def _output(ctx, param, value):
    """One output size for every axis (28) or one per axis (28x28, 16x56x56)."""
    if value is None:
        return None
    match = SIZE.fullmatch(value.strip().lower())
    numbers = [int(part) for part in match.groups() if part] if match else []
    if not numbers or min(numbers) < 1:
        raise click.BadParameter(f"{value!r} is not an output size like 28 or 28x28")
    return tuple(numbers)


def _spatial(shape, chw: bool):
    from ..engine.shapes import spatial_rank

    shape = ordered_input(shape, chw, "INPUT")
    if spatial_rank(shape) == 0:
        raise click.BadParameter("a conv or pooling layer needs a map: HxWxC (height × width × "
                                 "channels), e.g. 32x32x3 (LxC like 16000x1, DxHxWxC like "
                                 "16x112x112x3)", param_hint="INPUT")
    return shape


def _per_axis(output: tuple[int, ...], shape) -> tuple[int, ...]:
    """--output for the input's rank: one size repeats, else one per axis."""
    from ..engine.shapes import rank_text, shape_str, spatial_rank

    rank = spatial_rank(shape)
    if len(output) == 1:
        return output * rank
    if len(output) != rank:
        raise click.BadParameter(f"{'x'.join(map(str, output))} gives {len(output)} sizes, but "
                                 f"the input {shape_str(shape)} is {rank_text(shape)}; give one "
                                 f"size or {rank}", param_hint="--output")
    return output


def _show(make, shape, values: dict, output, format_: str) -> None:
    from ..homework.card import explore, layer_card
    from ..render.homework import card, card_json, choices, choices_json

    asked = [name for name, value in values.items() if value == "?"]
    if len(asked) > 1:
        raise click.UsageError("ask for one unknown at a time: "
                               + " or ".join(f"--{name} ?" for name in asked))
    if asked == ["kernel"] and output is None:
        raise click.UsageError("--kernel ? needs --output, the output size wanted (e.g. 28)")
    if output is not None and asked != ["kernel"]:
        raise click.UsageError("--output goes with --kernel ? (which kernels give it)")
    if asked and values.get("padding") == "same":
        raise click.UsageError("--padding same picks the padding for each kernel and stride, "
                               f"so --{asked[0]} ? has nothing to search; give a padding")
    if asked == ["kernel"] and values.get("padding") == "causal":
        raise click.UsageError("--padding causal is (F−1)·D on the left, so it changes with "
                               "the kernel --kernel ? searches; give the padding as a number")
    if asked == ["kernel"] and values.get("stride") is None:
        raise click.UsageError("a pool's stride defaults to its window, which is the unknown; "
                               "give --stride with --kernel ?")
    if asked:
        known = {name: value for name, value in values.items() if name != asked[0]}
        wanted = None if output is None else _per_axis(output, shape)
        result = explore(lambda value: make(**known, **{asked[0]: value}), shape, asked[0],
                         wanted)
        if format_ == "json":
            click.echo(choices_json(result))
        else:
            console().print(choices(result))
        return
    result = layer_card(make(**values), shape)
    if format_ == "json":
        click.echo(card_json(result))
    else:
        console().print(card(result))


FORMAT = click.option("--format", "format_", type=click.Choice(["text", "json"]),
                      default="text", show_default=True)
CHW = click.option("--chw", is_flag=True, help="INPUT is written C×H×W (PyTorch order).")


@cli.command()
@click.argument("input_shape", metavar="INPUT", callback=_input)
@click.option("--filters", "-k", type=click.IntRange(min=1), required=True,
              help="Number of filters K (output channels).")
@click.option("--kernel", "-f", required=True, callback=size_value(1),
              help="Kernel size F: 5, 5x5 or [h, w] (one per axis: 3x7x7); ? (or any) with "
                   "--output.")
@click.option("--stride", "-s", default="1", show_default=True, callback=size_value(1),
              help="Stride S (5, 2x1, [h, w], 1x2x2), or ? / any to list the strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True,
              callback=size_value(0, ("same", "valid", "causal")),
              help="Padding P per side (or one per axis), same, valid, causal (1-D: (F−1)·D on "
                   "the left), or ? / any to list the paddings that fit.")
@click.option("--dilation", "-d", default="1", show_default=True, callback=size_value(1),
              help="Dilation D (or one per axis).")
@click.option("--groups", "-g", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--bias/--no-bias", default=True, show_default=True)
@click.option("--output", "output", callback=_output,
              help="With --kernel ?: the output size wanted, e.g. 28 or 28x28 (one per axis).")
@CHW
@FORMAT
def conv(input_shape, filters, kernel, stride, padding, dilation, groups, bias, output, chw,
         format_):
    """Answer card for one conv layer: output size, weights, params, connections, MACs.

    \b
    Examples:
      cnncalc conv 32x32x3 --filters 6 --kernel 5
      cnncalc conv 227x227x3 --filters 96 --kernel 11 --stride 4
      cnncalc conv 32x32x3 --filters 10 --kernel 5 --stride 2 --padding any
      cnncalc conv 32x32x3 --filters 6 --kernel any --output 28
      cnncalc conv 16x112x112x3 --filters 64 --kernel 3x7x7 --stride 1x2x2 --padding 1x3x3
    """
    from ..homework.card import conv_layer

    if dilation == "?":
        raise click.BadParameter("the dilation cannot be searched", param_hint="--dilation")

    def make(kernel, stride, padding):
        return conv_layer(filters, kernel, stride, padding, dilation, groups, bias)

    _show(make, _spatial(input_shape, chw),
          {"kernel": kernel, "stride": stride, "padding": padding}, output, format_)


@cli.command()
@click.argument("input_shape", metavar="INPUT", callback=_input)
@click.option("--kernel", "-f", required=True, callback=size_value(1),
              help="Window size F: 2, 2x2 or [h, w] (one per axis: 2x2x2); ? (or any) with "
                   "--output.")
@click.option("--stride", "-s", callback=size_value(1),
              help="Stride S (default: the window size; or one per axis), or ? / any to list "
                   "the strides that fit.")
@click.option("--padding", "-p", default="0", show_default=True, callback=size_value(0, ("same",)),
              help="Padding P per side (at most F/2; or one per axis), same, or ? / any to "
                   "list those that fit.")
@click.option("--mode", type=click.Choice(["max", "avg"]), default="max", show_default=True)
@click.option("--ceil-mode", is_flag=True, help="Round the output size up, as PyTorch's "
              "ceil_mode (a last window starting in the right padding is dropped).")
@click.option("--output", "output", callback=_output,
              help="With --kernel ?: the output size wanted, e.g. 14.")
@CHW
@FORMAT
def pool(input_shape, kernel, stride, padding, mode, ceil_mode, output, chw, format_):
    """Answer card for one pooling layer: output size, neurons, connections.

    \b
    Examples:
      cnncalc pool 55x55x96 --kernel 3 --stride 2
      cnncalc pool 28x28x6 --kernel 2 --mode avg
      cnncalc pool 32x32x16 --kernel 3 --stride any
      cnncalc pool 55x55x96 --kernel 3 --stride 2 --ceil-mode
    """
    from ..homework.card import pool_layer

    def make(kernel, stride, padding):
        return pool_layer(kernel, stride, padding, mode, ceil_mode)

    _show(make, _spatial(input_shape, chw),
          {"kernel": kernel, "stride": stride, "padding": padding}, output, format_)


@cli.command()
@click.argument("input_shape", metavar="IN", callback=_input)
@click.option("--units", "-u", type=click.IntRange(min=1), required=True,
              help="Number of units (output neurons).")
@click.option("--bias/--no-bias", default=True, show_default=True)
@CHW
@FORMAT
def dense(input_shape, units, bias, chw, format_):
    """Answer card for one dense (fully connected) layer: params, connections, MACs.

    IN is the input length (4096) or a map to flatten (6x6x256).

    \b
    Examples:
      cnncalc dense 9216 --units 4096
      cnncalc dense 6x6x256 --units 4096
    """
    from ..homework.dense_card import dense_card
    from ..render.homework import card, card_json

    result = dense_card(ordered_input(input_shape, chw, "IN"), units, bias)
    if format_ == "json":
        click.echo(card_json(result))
    else:
        console().print(card(result))
