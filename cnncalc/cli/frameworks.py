"""Commands that bridge to frameworks: export (PyTorch, ONNX) and import (ONNX)."""

from __future__ import annotations

from pathlib import Path

import click

from .. import analyze, load
from .base import UserError, cli, emit, shape_option, spec_argument


@cli.command()
@click.argument("spec", callback=spec_argument)
@click.option("--to", "target", required=True, type=click.Choice(["pytorch", "onnx"]),
              help="The framework to write.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="File to write (default: PyTorch to stdout, ONNX to NAME.onnx).")
@click.option("--weights", default="random", show_default=True,
              type=click.Choice(["random", "none"]),
              help="ONNX: random initializers, or none (weights become graph inputs: a small "
                   "file).")
@click.option("--opset", type=click.IntRange(min=1), help="ONNX opset (default 17; 20 with gelu).")
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="Override the spec's input shape.")
def export(spec, target, output, weights, opset, input_shape):
    """Write SPEC as a PyTorch module or an ONNX model.

    \b
    Examples:
      cnncalc export resnet18 --to pytorch -o resnet18.py
      cnncalc export vgg16 --to onnx --weights none -o vgg16.onnx
    """
    analysis = analyze(load(spec, input=input_shape), input=input_shape)
    if target == "pytorch":
        from ..interop.pytorch_export import class_name, export_pytorch

        text = export_pytorch(analysis, source=Path(spec).name if "\n" not in spec else "")
        emit(text, output)
        if output is None:
            return
        click.echo(f"wrote {output}: class {class_name(analysis.name)}, "
                   f"{analysis.totals.params:,} params", err=True)
        return
    from ..interop import require_onnx, save_checked

    require_onnx()
    from ..interop.onnx_export import export_onnx

    model = export_onnx(analysis, weights=weights, opset=opset)
    path = Path(output or f"{_file_stem(analysis.name)}.onnx")
    try:
        save_checked(model, str(path))
    except OSError as error:
        raise UserError(f"cannot write {path}: {error.strerror}") from None
    click.echo(f"wrote {path}: {path.stat().st_size:,} bytes, opset "
               f"{model.opset_import[0].version}, {len(model.graph.node)} nodes, "
               f"{analysis.totals.params:,} params ({_weights_text(weights)}), onnx.checker "
               "passed", err=True)


def _weights_text(weights: str) -> str:
    return "random initializers" if weights == "random" else "weights as graph inputs"


def _file_stem(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name) or "network"


@cli.command(name="import")
@click.argument("model", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the spec here (default: stdout).")
@click.option("--input", "input_shape", callback=shape_option, metavar="HxWxC",
              help="The input size, for a model whose input size is symbolic.")
def import_(model, output, input_shape):
    """Turn an ONNX model into a cnncalc spec (YAML).

    \b
    Examples:
      cnncalc import resnet18.onnx -o resnet18.yaml
      cnncalc import model.onnx --input 224x224x3
    """
    from ..interop import require_onnx

    require_onnx()
    from ..interop.onnx_import import import_onnx
    from ..spec import loads

    text = import_onnx(model, input_shape)
    analysis = analyze(loads(text, file=f"{model} (imported)", default_name=Path(model).stem))
    emit(text, output)
    if output is None:
        return
    click.echo(f"wrote {output}: {len(analysis.rows)} layers, {analysis.totals.params:,} params, "
               f"{analysis.totals.macs:,} MACs", err=True)
