"""1-D and 3-D layers on the referee's 2-D kernels (SPEC §8), without a formula of the engine.

- A 1-D map (C, L) is a 2-D map (C, 1, L): every option gains a neutral first axis
  (kernel 1, stride 1, padding 0, output 1), which is exactly a 1-D layer.
- A 3-D map (C, D, H, W) goes through windows that are boxes, so every layer except a
  weighted convolution is separable: the H×W part runs on each frame, then the depth part
  runs on a (C, D, H·W) map with a neutral column axis. A convolution (and a transposed
  one) with real weights is not separable: it is the sum over the kernel's frames of 2-D
  convolutions of the input's frames (`conv3d`), or their scatter (`conv_transpose3d`).
Rank-2 maps, vectors and layers without per-axis options go to the runner untouched.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import ops, weights
from .runners import keras_transpose, tf_same

# Layers that read no per-axis option yet reduce over the spatial axes.
WHOLE_MAP = ("globalavgpool", "globalmaxpool")


class LayerView:
    """The layer as a 2-D layer: some options replaced, everything else read through."""

    def __init__(self, layer: Any, options: dict[str, Any]) -> None:
        self._layer = layer
        self.__dict__.update(options)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._layer, name)


def _needs_view(layer: Any) -> bool:
    keys = layer.per_axis_options() if hasattr(layer, "per_axis_options") else []
    return bool(keys) or layer.type in WHOLE_MAP


def _is_sides(layer: Any, key: str) -> bool:
    option = getattr(layer, "OPTIONS", {}).get(key)
    return option is not None and option.kind in ("sides", "padding")


def _neutral(layer: Any, key: str, across: int) -> int:
    """The value that leaves an axis alone: no padding, a window of 1, all `across` cells
    kept by a size or adaptive output."""
    option = getattr(layer, "OPTIONS", {}).get(key)
    if option is not None and option.kind in ("pair0", "transpose_padding"):
        return 0
    return across if key in ("output", "size") else 1


def _view(layer: Any, axes: tuple[int, ...], across: int) -> LayerView:
    """The 2-D layer over these of the layer's axes (-1: a neutral axis of `across` cells)."""
    options = {}
    for key in layer.per_axis_options():
        value = getattr(layer, key)
        if value is None or isinstance(value, str):
            continue
        if _is_sides(layer, key):
            options[key] = tuple(side for axis in axes for side in
                                 ((0, 0) if axis < 0 else value[2 * axis:2 * axis + 2]))
        else:
            options[key] = tuple(_neutral(layer, key, across) if axis < 0 else value[axis]
                                 for axis in axes)
    return LayerView(layer, options)


def probe(runner, layer: Any, p: Any) -> Any:
    """Move the probe referee's two probes through a layer of any rank."""
    spatial = p.spatial
    if spatial is None or spatial.ndim == 3 or not _needs_view(layer):
        return runner(layer, p)
    kind = type(p)
    if spatial.ndim == 2:  # (1, L) as (1, 1, L)
        q = runner(_view(layer, (-1, 0), 1), kind(spatial[:, None, :], p.channel))
        return kind(q.spatial[:, 0, :], q.channel)
    frames = [runner(_view(layer, (1, 2), 1), kind(spatial[:, d], p.channel))
              for d in range(spatial.shape[1])]
    plane = np.stack([q.spatial for q in frames], axis=1)  # (1, D, H', W')
    _, depth, height, width = plane.shape
    q = runner(_view(layer, (0, -1), height * width),
               kind(plane.reshape(1, depth, height * width), p.channel))
    return kind(q.spatial.reshape(1, -1, height, width), frames[0].channel)


def forward(runner, walk: Any, layer: Any, x: np.ndarray, owned: bool) -> np.ndarray:
    """Run a layer of any rank on a channels-first array with the full pass's runner."""
    if x.ndim in (1, 3) or not _needs_view(layer):
        return runner(walk, layer, x, owned)
    if x.ndim == 2:  # (C, L) as (C, 1, L)
        return runner(walk, _view(layer, (-1, 0), 1), x[:, None, :], False)[:, 0, :]
    if layer.type == "conv":
        return conv3d(walk, layer, x)
    if layer.type == "convtranspose":
        return conv_transpose3d(walk, layer, x)
    channels, depth, height, width = x.shape
    plane = runner(walk, _view(layer, (1, 2), 1), x.reshape(channels * depth, height, width),
                   False)
    _, height, width = plane.shape
    out = runner(walk, _view(layer, (0, -1), height * width),
                 plane.reshape(channels, depth, height * width), False)
    return out.reshape(out.shape[0], out.shape[1], height, width)


def _groups_filters(layer: Any, channels: int) -> tuple[int, int]:
    groups = channels if getattr(layer, "depthwise", False) else layer.groups
    filters = layer.filters if layer.filters is not None else channels
    return groups, filters


def conv3d(walk: Any, layer: Any, x: np.ndarray) -> np.ndarray:
    """A conv layer on a (C, D, H, W) map, with fresh random weights drawn a block at a
    time (filters, or whole groups) so no weight block outgrows the pass's chunk."""
    channels = x.shape[0]
    groups, filters = _groups_filters(layer, channels)
    padding = layer.padding
    if padding == "same":
        padding = tuple(side for axis, size in enumerate(x.shape[1:])
                        for side in tf_same(size, layer.kernel[axis], layer.stride[axis],
                                            layer.dilation[axis]))
    per_group, volume = channels // groups, int(np.prod(layer.kernel))
    fan_in = per_group * volume
    bias = weights.bias_vector(walk.rng, filters, fan_in) if layer.bias else None
    per_filter = fan_in * x.itemsize
    if groups == 1:  # blocks of filters over every channel
        step = max(1, walk.chunk // per_filter)
        blocks = [(0, channels, start, min(start + step, filters), 1)
                  for start in range(0, filters, step)]
    else:  # blocks of whole groups, each with its channels and filters
        width = filters // groups
        step = max(1, walk.chunk // (per_filter * width))
        blocks = [(g * per_group, min(g + step, groups) * per_group, g * width,
                   min(g + step, groups) * width, min(g + step, groups) - g)
                  for g in range(0, groups, step)]
    rows = weights.HankelRows(walk.rng, filters, fan_in, fan_in)  # one row per filter
    outputs = []
    for first, last, start, stop, block_groups in blocks:
        weight = rows.block(start, stop, (per_group, *layer.kernel))
        outputs.append(conv3d_with(x[first:last], weight,
                                   None if bias is None else bias[start:stop], layer.stride,
                                   padding, layer.dilation, block_groups, walk.workspace))
    return outputs[0] if len(outputs) == 1 else np.concatenate(outputs)


def conv3d_with(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                stride: tuple[int, ...], padding: tuple[int, ...], dilation: tuple[int, ...],
                groups: int = 1, workspace: int = ops.DEFAULT_WORKSPACE) -> np.ndarray:
    """Conv3d as PyTorch: output frame t = Σ over kernel frames k of the 2-D convolution of
    padded input frame t·S + k·D with the kernel's frame k (padding frames add nothing)."""
    fd, sd, dd = weight.shape[2], stride[0], dilation[0]
    frames = [None] * padding[0] + list(range(x.shape[1])) + [None] * padding[1]
    plane = {"stride": stride[1:], "padding": padding[2:], "dilation": dilation[1:],
             "groups": groups, "workspace_bytes": workspace}
    out = []
    start = 0
    while start + dd * (fd - 1) < len(frames):  # every window that fits in the padded depth
        total = ops.conv2d(np.zeros_like(x[:, 0]), weight[:, :, 0], **plane)
        for k in range(fd):
            frame = frames[start + k * dd]
            if frame is not None:
                total = total + ops.conv2d(x[:, frame], weight[:, :, k], **plane)
        if bias is not None:
            total = total + bias[:, None, None]
        out.append(total)
        start += sd
    return np.stack(out, axis=1)


def conv_transpose3d(walk: Any, layer: Any, x: np.ndarray) -> np.ndarray:
    """A convtranspose layer on a (C, D, H, W) map, with fresh random weights."""
    fan_in = layer.filters // layer.groups * int(np.prod(layer.kernel))
    weight = weights.HankelRows(walk.rng, x.shape[0], fan_in, fan_in).block(
        0, x.shape[0], (layer.filters // layer.groups, *layer.kernel))
    bias = weights.bias_vector(walk.rng, layer.filters, fan_in) if layer.bias else None
    keras = isinstance(layer.padding, str)  # 'same'/'valid': unpadded, then cropped (§7)
    y = conv_transpose3d_with(x, weight, bias, layer.stride, (0, 0, 0) if keras else
                              layer.padding, layer.output_padding, layer.dilation,
                              layer.groups, walk.workspace)
    return keras_transpose(layer, y, x.shape[1:]) if keras else y


def conv_transpose3d_with(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None,
                          stride: tuple[int, ...], padding: tuple[int, ...],
                          output_padding: tuple[int, ...], dilation: tuple[int, ...],
                          groups: int = 1, workspace: int = ops.DEFAULT_WORKSPACE
                          ) -> np.ndarray:
    """ConvTranspose3d as PyTorch: input frame i scatters its 2-D transposed convolution
    with kernel frame k onto canvas frame i·S + k·D; the canvas gains output_padding frames
    at the end, then loses `padding` frames on each side."""
    plane = {"stride": stride[1:], "padding": padding[1:], "output_padding": output_padding[1:],
             "dilation": dilation[1:], "groups": groups, "workspace_bytes": workspace}
    canvas: dict[int, np.ndarray] = {}
    for i in range(x.shape[1]):
        for k in range(weight.shape[2]):
            part = ops.conv_transpose2d(x[:, i], weight[:, :, k], **plane)
            target = i * stride[0] + k * dilation[0]
            canvas[target] = part if target not in canvas else canvas[target] + part
    length = max(canvas) + 1 + output_padding[0]
    blank = np.zeros_like(canvas[0])
    out = np.stack([canvas.get(t, blank) for t in range(padding[0], length - padding[0])],
                   axis=1)
    if bias is not None:
        out = out + bias[:, None, None, None]
    return out


def strided(x: np.ndarray, stride: tuple[int, ...]) -> np.ndarray:
    """What a 1×…×1 window with this stride and no padding reads: every S-th position."""
    return x[(slice(None), *(slice(None, None, s) for s in stride))]


def projection(walk: Any, x: np.ndarray, filters: int, stride: tuple[int, ...]) -> np.ndarray:
    """A 1-D or 3-D residual projection: a 1×…×1 conv without bias, i.e. a matrix over the
    channels at every strided position."""
    picked = strided(x, stride)
    matrix = weights.uniform(walk.rng, (filters, x.shape[0]), x.shape[0])
    flat = matrix @ picked.reshape(x.shape[0], -1)
    return flat.reshape(filters, *picked.shape[1:]).astype(x.dtype, copy=False)
