"""`explain` for the rows that combine or cut tensors (SPEC §7): add, multiply, concat, split.

They have no layer of their own; what they do is written from the shapes they read (each
row names its inputs, `Row.reads`), so the student sees which tensors meet and how.
"""

from __future__ import annotations

from ..engine.analysis import Row
from ..engine.shapes import Shape, channels, shape_str
from .card import Step


def _shape(shape: Shape) -> str:
    return shape_str(shape, times="×")


def merge_steps(row: Row, shapes: dict[str, Shape]) -> list[Step]:
    """The derivation of a merge or split row, from the shapes of the tensors it reads."""
    inputs = [shapes.get(name, row.input) for name in row.reads]
    named = ", ".join(f"{name} {_shape(shape)}" for name, shape in zip(row.reads, inputs,
                                                                      strict=True))
    neurons = f"{row.neurons:,}"
    if row.type == "split":
        start, stop = row.part
        return [Step("channels", f"[{start}, {stop}) of {channels(row.input)}: {stop} − {start}",
                     str(stop - start), "a view of the input: nothing computed"),
                Step("output shape", "", _shape(row.output))]
    if row.type == "concat":
        widths = " + ".join(str(channels(shape)) for shape in inputs)
        return [Step("inputs", "", named),
                Step("channels", widths, str(channels(row.output)), "channels concatenated"),
                Step("output shape", "", _shape(row.output)),
                Step("connections", f"{neurons} × 1", f"{row.connections:,}",
                     "each output copies one input value")]
    symbol, what = ("+", "elementwise sum") if row.type == "add" else \
        ("⊙", "elementwise product; each axis equal, or 1 and repeated")
    return [Step("inputs", "", named),
            Step("output shape", f" {symbol} ".join(_shape(shape) for shape in inputs),
                 _shape(row.output), what),
            Step("connections", f"{neurons} × {len(inputs)}", f"{row.connections:,}",
                 "one value of each input per output")]
