"""Pictures: `draw` (SVG, PNG, TikZ). The HTML report is `summary --format html`."""

from __future__ import annotations

from pathlib import Path

import click

from .. import analyze, load
from .base import UserError, cli, emit, shape_option, spec_argument

FORMATS = {".svg": "svg", ".png": "png", ".tex": "tikz", ".tikz": "tikz"}


def require(module: str) -> None:
    """Fail with one line naming the extra when a renderer is not installed."""
    import importlib

    try:
        importlib.import_module(module)
    except ImportError:
        raise UserError(f"drawing needs the {module} package: "
                        "pip install 'cnncalc[pictures]'") from None


def render(canvas, output_format: str) -> str | bytes:
    from ..render.diagram import to_svg, to_tikz

    if output_format == "tikz":
        return to_tikz(canvas)
    require("drawsvg")
    svg = to_svg(canvas)
    if output_format == "svg":
        return svg
    require("resvg_py")
    from ..render.png import svg_to_png

    return svg_to_png(svg, (canvas.width, canvas.height))


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="File to write: .svg, .png or .tex (default: SVG on standard output).")
@click.option("--style", type=click.Choice(["blocks", "graph"]),
              help="blocks (feature-map slabs, the default for chains) or graph (the default "
                   "when the network branches).")
@click.option("--depth", type=click.IntRange(min=0),
              help="Draw groups nested deeper as one box each.")
@click.option("--format", "output_format", type=click.Choice(["svg", "png", "tikz"]),
              help="Output format (default: from the file's extension, else svg).")
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape, e.g. 224x224x3.")
def draw(spec, output, style, depth, output_format, input_shape):
    """Draw SPEC's architecture: every feature map with its shape and layer.

    \b
    Examples:
      cnncalc draw alexnet -o alexnet.svg
      cnncalc draw resnet50 --depth 2 -o resnet50.png
      cnncalc draw unet --style graph -o unet.svg
      cnncalc draw lenet5 --format tikz -o lenet5.tex   # then: pdflatex lenet5.tex
    """
    from ..render.diagram import diagram

    if output_format is None:
        suffix = Path(output).suffix.lower() if output else ".svg"
        if suffix not in FORMATS:
            raise click.UsageError(f"cannot tell the format of {output!r}: use .svg, .png or "
                                   ".tex, or --format")
        output_format = FORMATS[suffix]
    if output_format == "png" and not output:
        raise click.UsageError("a PNG needs a file: -o net.png")
    canvas = diagram(analyze(load(spec), input=input_shape), style, depth)
    content = render(canvas, output_format)
    emit(content, output)
    if output is None:
        return
    click.echo(f"wrote {output} ({output_format}, {round(canvas.width)}×"
               f"{round(canvas.height)} px)", err=True)
