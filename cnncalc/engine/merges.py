"""Shapes of the graph's merges and splits (SPEC §7), and which rows reach an output.

Pure shape rules, apart from the walker so that each reads in one place: an `add` needs
equal shapes, a `multiply` broadcasts as NumPy does (in the spec's sizes-then-channels
order, so a 1×1×C gate or an H×W×1 mask), a `concat` joins channels of equal (or
centre-cropped) maps, a `split` cuts consecutive channel parts.
"""

from __future__ import annotations

from ..errors import ShapeError
from .rows import Row
from .shapes import Shape, channels, is_spatial, shape_str, spatial_sizes, with_spatial


def added(shapes: list[Shape], names: list[str]) -> Shape:
    for shape, name in zip(shapes[1:], names[1:], strict=True):
        if shape != shapes[0]:
            raise ShapeError(f"add needs equal shapes: {names[0]} is {shape_str(shapes[0])} but "
                             f"{name} is {shape_str(shape)}; make them agree (a 1×1 conv for "
                             "the channels, a stride or pool for the size)")
    return shapes[0]


def broadcast(shapes: list[Shape], names: list[str]) -> Shape:
    """NumPy broadcasting: per axis, equal sizes or 1 (e.g. 56×56×64 ⊙ 1×1×64)."""
    out = shapes[0]
    for shape, name in zip(shapes[1:], names[1:], strict=True):
        if len(shape) != len(out):
            raise ShapeError(f"multiply cannot broadcast {shape_str(out)} with {name}'s "
                             f"{shape_str(shape)}: they differ in rank")
        sizes = []
        for a, b in zip(out, shape, strict=True):
            if a != b and 1 not in (a, b):
                raise ShapeError(f"multiply cannot broadcast {shape_str(out)} with {name}'s "
                                 f"{shape_str(shape)}: each axis must be equal or 1 (a gate is "
                                 "1×1×C or H×W×1)")
            sizes.append(max(a, b))
        out = tuple(sizes)
    return out


def concatenated(shapes: list[Shape], crop: str) -> tuple[Shape, list[str]]:
    """The channel concatenation and its notes (centre crops)."""
    shown = ", ".join(shape_str(shape) for shape in shapes)
    if len({len(shape) for shape in shapes}) > 1:
        raise ShapeError(f"cannot concatenate maps with vectors: {shown}")
    if not is_spatial(shapes[0]):
        return (sum(shape[0] for shape in shapes),), []
    smallest = tuple(min(sizes) for sizes in zip(*map(spatial_sizes, shapes), strict=True))
    notes = []
    if any(spatial_sizes(shape) != smallest for shape in shapes):
        size_text = "×".join(map(str, smallest))
        if crop != "center":
            raise ShapeError(f"branches give different sizes ({shown}); make them agree or use "
                             f"'crop: center' to crop to {size_text}")
        notes = [f"branch {i} centre-cropped {'×'.join(map(str, spatial_sizes(shape)))} → "
                 f"{size_text}" for i, shape in enumerate(shapes, 1)
                 if spatial_sizes(shape) != smallest]
    return with_spatial(smallest, sum(channels(shape) for shape in shapes)), notes


def split_parts(shape: Shape, parts: int, sizes: list[int] | None) -> list[Shape]:
    """The channel parts of a split: `sizes`, or equal parts."""
    if not is_spatial(shape):
        raise ShapeError(f"split needs an H×W×C map, got a vector of {shape[0]}")
    total = channels(shape)
    if sizes is None:
        if total % parts:
            raise ShapeError(f"cannot split {total} channels into {parts} equal parts; give "
                             f"'sizes:' adding up to {total}")
        sizes = [total // parts] * parts
    elif sum(sizes) != total:
        raise ShapeError(f"split sizes {' + '.join(map(str, sizes))} = {sum(sizes)} do not add "
                         f"up to the input's {total} channels; make them sum to {total}")
    return [with_spatial(spatial_sizes(shape), size) for size in sizes]


def unused_rows(rows: list[Row], outputs: set[str]) -> list[bool]:
    """Per row: does its result reach no output? Reads always point back, so one backward
    sweep finds every row some output depends on."""
    used = set(outputs)
    flags = [True] * len(rows)
    for index in range(len(rows) - 1, -1, -1):
        row = rows[index]
        if row.path in used:
            flags[index] = False
            used.update(row.reads)
    return flags
