"""PyTorch modules of SPEC §7's layer types (pytorch_export's _Writer looks them up here):
one function per type, (writer, row, layer) → the module's source text."""

from __future__ import annotations

from ..engine.analysis import Row
from ..engine.shapes import is_spatial, spatial_rank
from .onnx_export import ExportError

SECTION7_SIMPLE = {"silu": "nn.SiLU()", "hardswish": "nn.Hardswish()",
                   "hardsigmoid": "nn.Hardsigmoid()", "mish": "nn.Mish()", "selu": "nn.SELU()",
                   "softplus": "nn.Softplus()", "logsoftmax": "nn.LogSoftmax(dim=1)"}
# Modules written from the layer's options alone.
FROM_OPTIONS = {"channelshuffle": "nn.ChannelShuffle({groups})",
                "pixelshuffle": "nn.PixelShuffle({factor})",
                "pixelunshuffle": "nn.PixelUnshuffle({factor})"}


def _prelu(writer, row: Row, layer) -> str:
    return f"nn.PReLU({row.input[-1]})" if layer.channels == "all" else "nn.PReLU()"


def _layernorm(writer, row: Row, layer) -> str:
    affine = "" if layer.affine else ", elementwise_affine=False"
    if not is_spatial(row.input):
        return f"nn.LayerNorm({row.input[-1]}{affine})"
    writer.helpers.add("LayerNorm2d")
    return f"LayerNorm2d({row.input[-1]}, eps=1e-06{affine})"


def _groupnorm(writer, row: Row, layer) -> str:
    affine = "" if layer.affine else ", affine=False"
    return f"nn.GroupNorm({layer.groups}, {row.input[-1]}{affine})"


def _instancenorm(writer, row: Row, layer) -> str:
    flags = [f"{key}=True" for key in ("affine", "track_running_stats") if getattr(layer, key)]
    args = ", ".join([str(row.input[-1]), *flags])
    return f"nn.InstanceNorm{len(row.input) - 1}d({args})"  # 1d/2d/3d: the map's rank


def _layerscale(writer, row: Row, layer) -> str:
    writer.helpers.add("LayerScale")
    rank = len(row.input) - 1
    return f"LayerScale({row.input[-1]}, {layer.init!r}{'' if rank == 2 else f', rank={rank}'})"


def _droppath(writer, row: Row, layer) -> str:
    writer.helpers.add("DropPath")
    return f"DropPath({layer.rate!r})"


def _slice(writer, row: Row, layer) -> str:
    writer.helpers.add("Slice")
    return f"Slice({layer.channels[0]}, {layer.channels[1]})"


def _lppool(writer, row: Row, layer) -> str:
    return writer._pool(row, layer, "LPPool", "", lead=[repr(layer.p)])


def keras_crop(writer, row: Row, module: str, trims: list[tuple[int, int, int]]) -> str:
    """A transposed conv crops P on both sides and adds output_padding after; Keras 'same'
    may crop one more after (trims: before, after, added): that pixel goes to a Crop."""
    extra = [after - before for before, after, _ in trims]
    if not any(extra):
        return module
    helper = "Crop" if len(trims) == 2 else "CropNd"  # Crop: 2-D (top, bottom, left, right)
    writer.helpers.add(helper)
    sides = ", ".join(f"0, {after}" for after in extra)
    return f"nn.Sequential({module}, {helper}({sides}))"


def _from_options(text: str):
    def module(writer, row: Row, layer) -> str:
        if "Pixel" in text and spatial_rank(row.input) != 2:  # nn.PixelShuffle: (…, C, H, W)
            raise ExportError(f"{row.type} exports to PyTorch for 2-D maps only",
                              layer_name=row.path, layer_type=row.type)
        return text.format(**vars(layer))
    return module


SECTION7 = {
    "prelu": _prelu, "layernorm": _layernorm, "groupnorm": _groupnorm,
    "instancenorm": _instancenorm, "layerscale": _layerscale, "droppath": _droppath,
    "slice": _slice, "lppool": _lppool,
    **{kind: _from_options(text) for kind, text in FROM_OPTIONS.items()},
}
