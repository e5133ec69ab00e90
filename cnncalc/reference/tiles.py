"""Layers computed in strips of rows, for a full pass larger than --max-memory (SPEC §11).

When some layer cannot run whole within the bound, the full pass switches to strips: every
map planned larger than `spill_above` is kept on disk (reference/spill.py), and a layer
reading or writing such a map is computed a strip of output rows at a time, each strip from
the input rows its windows cover. A strip is computed by the layer's own runner on a slab of
the input, with the padding changed so that only true borders are padded; the kernels, not
a formula, still decide how many rows come out. Weights are drawn from the same generator
state for every strip, so a tiled layer computes the same values as a whole one (a test
compares them).

Tiling works along the first spatial axis of 2-D maps. Two shapes of dependency are tiled:
- windows (conv, pools, zero padding, pixel unshuffle, and every per-position layer): output
  rows [a, b) read input rows [a·S − top, (b − 1)·S − top + D(K − 1) + 1);
- scatters (nearest upsampling by a whole factor, pixel shuffle, a transposed conv whose
  kernel D(K − 1) + 1 is no longer than its stride and has no padding on that axis): input
  rows [i, j) write output rows [i·S, j·S) and no others.
Merges (add, multiply, concat with or without centre crop, split) go row-aligned strip by
strip. Any other layer reads its input whole; if that alone does not fit, the pass stops
there as before (verify.py plans this).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from . import ops, weights
from .ranks import LayerView
from .runners import ELEMENTWISE, IN_PLACE, padding
from .spill import ChannelRange, OnDisk, Spilled

Shape = tuple[int, ...]
BYTES = 4

# Output row r reads input row r alone: the layer works on channels at each position.
PER_POSITION = {*IN_PLACE, *ELEMENTWISE, "leakyrelu", "prelu", "layernorm", "layerscale",
                "channelshuffle", "slice", "lrn"}
WINDOWED = {"conv", "maxpool", "avgpool", "lppool", "zeropad", "pixelunshuffle"}


def scatter_step(layer) -> int | None:
    """Output rows per input row of a layer tiled by input strips, None if it is not."""
    if layer.type == "pixelshuffle":
        return layer.factor
    if layer.type == "upsample":  # a scale is a whole number; a size is not tiled
        return layer.scale[0] if layer.size is None and layer.mode == "nearest" else None
    if layer.type == "convtranspose" and not isinstance(layer.padding, str):
        reach = layer.dilation[0] * (layer.kernel[0] - 1) + 1
        if layer.padding[0] == 0 and reach <= layer.stride[0]:
            return layer.stride[0]
    return None


def can_tile(layer) -> bool:
    """Whether a row on a 2-D map may run in strips (merges have no layer)."""
    return (layer is None or layer.type in PER_POSITION or layer.type in WINDOWED
            or scatter_step(layer) is not None)


def window(layer, x) -> tuple[int, int, int, int, int]:
    """(kernel, stride, dilation, top, bottom) along H of a windowed layer."""
    if layer.type in PER_POSITION:
        return (1, 1, 1, 0, 0)
    if layer.type == "zeropad":
        return (1, 1, 1, layer.padding[0], layer.padding[1])
    if layer.type == "pixelunshuffle":
        return (layer.factor, layer.factor, 1, 0, 0)
    top, bottom = padding(layer, x)[:2]
    return (layer.kernel[0], layer.stride[0], getattr(layer, "dilation", (1, 1))[0], top,
            bottom)


def _rows(x, start: int, stop: int) -> np.ndarray:
    return x.rows(start, stop) if isinstance(x, OnDisk) else x[:, start:stop]


def _row_bytes(shape) -> int:
    return math.prod(shape) // max(shape[1], 1) * BYTES  # (C, H, W): one row, C·W


@dataclass
class Tiling:
    """The full pass's policy once it works in strips, and what it did."""

    directory: str
    spill_above: int  # maps planned larger than this are kept on disk
    strip_bytes: int  # the input and output rows of one strip, together
    planned: dict[str, Shape]  # each row's output (H, W, C) as the engine plans it: sizes
    # strips and says where an output goes; never compared with anything
    tiled: list[str] = field(default_factory=list)

    def _big(self, path: str) -> bool:
        return math.prod(self.planned.get(path, ())) * BYTES > self.spill_above

    def takes(self, path: str, layer, x) -> bool:
        """Whether this layer runs in strips: it reads a map on disk or writes a large one."""
        if x.ndim != 3 or not can_tile(layer):
            return False
        return isinstance(x, OnDisk) or self._big(path)

    def joins(self, path: str, arrays) -> bool:
        """Whether a merge of these arrays runs in strips."""
        return (all(a.ndim == 3 for a in arrays)
                and (any(isinstance(a, OnDisk) for a in arrays) or self._big(path)))

    def _sink(self, path: str) -> _Sink:
        self.tiled.append(path)
        if not self._big(path):
            return _Sink(None)
        return _Sink(Spilled(self.directory, math.prod(self.planned[path]) * BYTES))

    def input_map(self, rng, shape: Shape) -> Spilled | None:
        """A (C, H, W) input larger than `spill_above` drawn straight to disk, a strip of
        rows at a time (the same numbers weights.random_input draws whole); else None."""
        size = math.prod(shape) * BYTES
        if size <= self.spill_above:
            return None
        disk = Spilled(self.directory, size)
        count = max(1, self.strip_bytes // _row_bytes(shape))
        for first in range(0, shape[1], count):
            rows = min(count, shape[1] - first)
            disk.append(weights.random_input(rng, (shape[0], rows, shape[2])))
        return disk

    def run(self, forward, layer, path: str, x):
        """The layer's output, computed strip by strip with the forward pass's runners."""
        sink, state = self._sink(path), forward.rng.bit_generator.state
        out_row = math.prod(self.planned[path][1:]) * BYTES  # (H, W, C): one row is W·C

        def strip(slab, options, owned):
            forward.rng.bit_generator.state = state  # the same weights for every strip
            sink.add(forward.apply(LayerView(layer, options), slab, owned))

        owned = isinstance(x, OnDisk)  # a strip read from disk is the pass's own copy
        step = scatter_step(layer)
        if step is not None:
            self._scatter(layer, x, step, out_row, strip, owned)
        else:
            self._windows(layer, x, out_row, strip, owned)
        return sink.result()

    def _windows(self, layer, x, out_row: int, strip, owned: bool) -> None:
        kernel, stride, dilation, top, bottom = window(layer, x)
        height, reach = x.shape[1], dilation * (kernel - 1) + 1
        count = max(1, self.strip_bytes // (out_row + stride * _row_bytes(x.shape)))
        sides = layer.type not in PER_POSITION and layer.type != "pixelunshuffle"
        left_right = tuple(padding(layer, x)[2:]) if sides else ()
        first = 0
        while True:
            start = first * stride - top
            # The last strip also takes whatever the next one would have left: it reads to
            # the bottom, with the layer's own bottom padding. A middle strip holds its
            # windows exactly, so ceil mode (which the kernel applies to both axes) changes
            # nothing along H there and the layer's own setting can stay.
            last = (first + 2 * count - 1) * stride - top + reach >= height
            stop = height if last else (first + count - 1) * stride - top + reach
            # Rows above the map are the layer's top padding; a strip may lie wholly there.
            top_rows = max(min(stop, 0) - start, 0)
            options = {"padding": (top_rows, bottom if last else 0, *left_right)
                       } if sides else {}
            strip(_rows(x, max(start, 0), max(stop, 0)), options, owned)
            if last:
                return
            first += count

    def _scatter(self, layer, x, step: int, out_row: int, strip, owned: bool) -> None:
        height = x.shape[1]
        count = max(1, self.strip_bytes // (_row_bytes(x.shape) + step * out_row))
        for first in range(0, height, count):
            options = {}
            if layer.type == "convtranspose" and first + count < height:
                # every strip but the last ends with the rows only the bias reaches
                reach = layer.dilation[0] * (layer.kernel[0] - 1) + 1
                options = {"output_padding": (step - reach, layer.output_padding[1])}
            strip(_rows(x, first, first + count), options, owned)

    def merge(self, path: str, arrays, join, crop: bool = False):
        """A merge of maps, strip by strip: `join` takes the operands' strips. With `crop`
        each operand gives its centre rows; otherwise a one-row operand broadcasts."""
        heights = [a.shape[1] for a in arrays]
        height = min(heights) if crop else max(heights)
        if not crop and any(h not in (1, height) for h in heights):
            raise ValueError(f"cannot merge maps of {', '.join(map(str, heights))} rows")
        offsets = [(h - height) // 2 for h in heights]
        sink = self._sink(path)
        per_row = sum(_row_bytes(a.shape) for a in arrays) * 2
        count = max(1, self.strip_bytes // per_row)
        for first in range(0, height, count):
            strips = [_rows(a, 0, 1) if h == 1 and not crop else
                      _rows(a, first + offset, min(first + count, height) + offset)
                      for a, h, offset in zip(arrays, heights, offsets, strict=True)]
            sink.add(join(strips))
        return sink.result()

    def concat(self, path: str, arrays, crop: str):
        """Channels concatenated, each map centre-cropped to the smallest first (`crop`)."""
        width = min(a.shape[2] for a in arrays)

        def join(strips):
            if crop == "center":
                strips = [s[:, :, (s.shape[2] - width) // 2:][:, :, :width] for s in strips]
            return ops.concat_channels(strips)
        return self.merge(path, arrays, join, crop == "center")


def channel_parts(x, parts: int, sizes) -> list[ChannelRange]:
    """A split of a map on disk: each part reads its channels through the whole map. The
    kernel itself splits one row, so the parts' channels are its answer, not ours."""
    counts = [part.shape[0] for part in ops.split_channels(x.rows(0, 1), parts, sizes)]
    bounds = np.cumsum([0, *counts])
    return [ChannelRange(x, int(a), int(b)) for a, b in zip(bounds, bounds[1:], strict=False)]


class _Sink:
    """Where a tiled layer's strips go: appended to a map on disk, or kept and joined."""

    def __init__(self, disk: Spilled | None) -> None:
        self.disk, self.blocks = disk, []

    def add(self, block: np.ndarray) -> None:
        if self.disk is not None:
            self.disk.append(block)
        else:
            self.blocks.append(block)

    def result(self):
        return self.disk if self.disk is not None else np.concatenate(self.blocks, axis=1)
