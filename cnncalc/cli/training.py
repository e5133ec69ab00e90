"""`cnncalc memory`: will this batch fit on that GPU? (SPEC §9) and the options it shares
with `summary --train`."""

from __future__ import annotations

import click

from .base import SIZE_UNITS, cli, console, shape_option, spec_argument

OPTIMIZERS = ("sgd", "momentum", "adam", "adamw")
PRECISIONS = ("fp32", "amp-fp16", "amp-bf16", "bf16")
MAX_BYTES = 1 << 60  # an exbibyte: far beyond any GPU, small enough to print
MAX_BATCH = 1 << 40


def exact_size(value: str) -> int | None:
    """'24GiB' → 25769803776, '1.5GB' → 1500000000, exactly (no float); None if unreadable."""
    import re
    from fractions import Fraction

    match = re.fullmatch(r"\s*(\d{1,20}(?:\.\d{1,20})?)\s*([a-zA-Z]*)\s*", value)
    if not match or match.group(2).lower() not in SIZE_UNITS:
        return None
    return int(Fraction(match.group(1)) * SIZE_UNITS[match.group(2).lower()])


def size_option(ctx, param, value):
    size = exact_size(value)
    if size is None or size > MAX_BYTES:
        raise click.BadParameter(f"cannot read {value!r}; write e.g. 1GiB or 512MiB (at most "
                                 "1 EiB)")
    return size


def gpu_option(ctx, param, value):
    """A size (24GiB, 80GB) or a card name from the GPU table (a100-80gb, rtx4090)."""
    if value is None:
        return None
    from ..engine.gpus import GPUS, find_gpu

    gpu = find_gpu(value)
    if gpu is not None:
        return gpu.memory_bytes
    size = exact_size(value)
    if size is None or not 0 < size <= MAX_BYTES:
        raise click.BadParameter(f"{value!r} is neither a size (24GiB, 80GB; at most 1 EiB) "
                                 f"nor a known card ({', '.join(GPUS)})")
    return size


def training_options(command):
    """The options `memory` and `summary --train` share."""
    options = [
        click.option("--optimizer", type=click.Choice(OPTIMIZERS), default="adam",
                     show_default=True, help="Optimizer whose state is counted."),
        click.option("--precision", type=click.Choice(PRECISIONS), default="fp32",
                     show_default=True, help="fp32, mixed precision (amp) or pure bf16."),
        click.option("--gpu", callback=gpu_option, metavar="SIZE|CARD",
                     help="GPU memory: 24GiB, 80GB or a card name (a100-80gb, rtx4090, …)."),
        click.option("--reserve", default="1GiB", show_default=True, callback=size_option,
                     help="Memory kept back: CUDA context, workspace, fragmentation."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def refuse_training_options_without_train() -> None:
    """`summary --gpu 24GiB` without --train would silently ignore the GPU: say so."""
    context = click.get_current_context()
    given = [f"--{name}" for name in ("optimizer", "precision", "gpu", "reserve")
             if context.get_parameter_source(name) != click.core.ParameterSource.DEFAULT]
    if given:
        raise click.UsageError(f"{', '.join(given)} take effect only with --train; add --train")


def compute_training(analysis, optimizer, precision, gpu, reserve):
    from ..engine.training import training_figures

    if analysis.batch > MAX_BATCH:
        raise click.UsageError(f"--batch {analysis.batch} is above {MAX_BATCH:,}; no GPU "
                               "holds that many samples")
    if gpu is not None and reserve >= gpu:
        raise click.UsageError(f"--reserve ({reserve:,} B) leaves nothing of --gpu "
                               f"({gpu:,} B); reserve less than the GPU has")

    return training_figures(analysis, batch=analysis.batch, optimizer=optimizer,
                            precision=precision, gpu_bytes=gpu, reserve_bytes=reserve)


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 256x256x3.")
@click.option("--batch", type=click.IntRange(min=1), help="Batch size (default: the spec's, 1).")
@training_options
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True,
              help="How many of the costliest layers to list (0: every layer, in order).")
@click.option("--format", "output_format", default="table", show_default=True,
              type=click.Choice(["table", "json", "markdown"]), help="Output format.")
def memory(spec, input_shape, batch, optimizer, precision, gpu, reserve, top, output_format):
    """Training memory of SPEC: every term, the largest batch that fits, backward MACs.

    Weights, gradients, optimizer state, amp copies and the activations autograd saves
    (PyTorch's rules, checked against measurements), the peak, and for --gpu the largest
    batch that fits in GPU − reserve.

    \b
    Examples:
      cnncalc memory resnet50 --batch 64 --gpu 24GiB
      cnncalc memory unet --optimizer sgd --precision amp-bf16 --gpu rtx4090
      cnncalc memory vgg16 --gpu a100-80gb --format json
    """
    from .. import analyze, load

    analysis = analyze(load(spec), input=input_shape, batch=batch)
    training = compute_training(analysis, optimizer, precision, gpu, reserve)
    if output_format == "json":
        from ..render.training import to_json

        click.echo(to_json(analysis, training))
    elif output_format == "markdown":
        from ..render.training import to_markdown

        click.echo(to_markdown(analysis, training, top), nl=False)
    else:
        from ..render.training import breakdown

        console().print(breakdown(analysis, training, top))
