"""A spec's analysis → an ONNX model built with onnx.helper (no PyTorch).

One node per row, named by the row's path, whose output tensor carries the same name, so a
shape in Netron or in onnx's shape inference points straight back at a row. Each row says
which tensors it reads (the previous row's, a named one, or several for a merge), so the
graph is written row by row. Tensors are NCHW with batch 1. The few rows that need two
operators (a dense layer on a feature map flattens first; a centre-cropped concat slices
first) get a helper node named `<path>/<what>`. An aux head's result is one more graph
output.
"""

from __future__ import annotations

from typing import Any

from ..engine.analysis import Analysis, Row
from ..engine.shapes import Shape, channels, is_spatial, spatial_sizes
from ..errors import CnnCalcError
from .layout import onnx_dims

DEFAULT_OPSET = 17
GELU_OPSET = 20  # ONNX Gelu is an opset-20 operator
OPSET_18 = 18  # Mish, and LpPool's ceil_mode
PROTOBUF_LIMIT = 2**31  # bytes: protobuf's limit for one serialised ONNX model


class ExportError(CnnCalcError):
    """A network or layer that has no ONNX (or PyTorch) form here."""


def _opset_need(row) -> tuple[int, str]:
    """The oldest opset that expresses this row, and why."""
    if row.type == "gelu":
        return GELU_OPSET, "gelu needs ONNX Gelu"
    if row.type == "lppool" and row.layer.ceil_mode:
        return OPSET_18, "a ceil-mode lppool needs LpPool's ceil_mode"
    if row.type == "mish":
        return OPSET_18, "mish needs ONNX Mish"
    return DEFAULT_OPSET, ""


def required_opset(analysis: Analysis, opset: int | None) -> int:
    needs, why = max((_opset_need(row) for row in analysis.rows), default=(DEFAULT_OPSET, ""))
    if opset is None:
        return needs
    if opset < needs:
        raise ExportError(f"opset {opset} is too old for this network: {why} "
                          f"(opset ≥ {needs}); use --opset {needs} or newer")
    if opset < DEFAULT_OPSET:
        raise ExportError(f"opset {opset} is not supported; use --opset {DEFAULT_OPSET} or newer")
    return opset


def export_onnx(analysis: Analysis, *, weights: str = "random", opset: int | None = None,
                value_info: bool = True, seed: int = 0) -> Any:
    """The ONNX ModelProto of `analysis`. weights: 'random' (initializers) or 'none'
    (weights become graph inputs: a small file). value_info=False leaves every shape to
    ONNX's own inference (the `--verify onnx` referee)."""
    from onnx import TensorProto, helper

    if weights not in ("random", "none"):
        raise ExportError(f"--weights must be random or none, got {weights!r}")
    version = required_opset(analysis, opset)
    size = (analysis.totals.params + analysis.totals.buffers) * 4
    if weights == "random" and size >= PROTOBUF_LIMIT:
        raise ExportError(f"random weights would take {size:,} bytes, more than the 2 GiB a "
                          "single ONNX file can hold; use --weights none (weights as graph "
                          "inputs)")
    builder = _GraphBuilder(analysis, weights == "random", seed)
    outputs = builder.run()
    graph = helper.make_graph(
        builder.nodes, _graph_name(analysis.name),
        [*(_value(name, shape) for name, shape in analysis.inputs.items()),
         *builder.weight_inputs],
        [_value(name, builder.shape_of[name] if value_info else None) for name in outputs],
        initializer=builder.initializers,
        value_info=[_value(name, shape) for name, shape in builder.shapes
                    if name not in outputs] if value_info else [])
    graph.doc_string = (f"Exported by cnncalc from '{analysis.name}': {analysis.totals.params:,} "
                        f"params, {analysis.totals.macs:,} MACs")
    opsets = [helper.make_opsetid("", version)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="cnncalc")
    # The oldest IR version that carries this opset, so older runtimes load the file too.
    model.ir_version = helper.find_min_ir_version_for(opsets)
    for name, array in builder.arrays:  # after make_model, which copies the graph
        tensor = model.graph.initializer.add()
        tensor.name, tensor.data_type = name, TensorProto.FLOAT
        tensor.dims.extend(array.shape)
        tensor.raw_data = array.tobytes()
    return model


def _graph_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in name) or "network"


def _value(name: str, shape: Shape | None):
    """A float tensor's type; without a shape (None) ONNX's inference must find it."""
    from onnx import TensorProto, helper

    dims = onnx_dims(shape) if shape is not None else None
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


class _GraphBuilder:
    """Emits the nodes of the analysis rows, in order."""

    def __init__(self, analysis: Analysis, random_weights: bool, seed: int) -> None:
        import numpy as np

        self.analysis = analysis
        self.position = 0
        self.shape_of: dict[str, Shape] = dict(analysis.inputs)
        self.random = random_weights
        self.rng = np.random.default_rng(seed)
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.arrays: list[tuple[str, Any]] = []  # random weights, large
        self.weight_inputs: list[Any] = []
        self.shapes: list[tuple[str, Shape]] = []
        self.constants: set[str] = set()

    def run(self) -> list[str]:
        """Every row's node; the names of the graph's outputs."""
        while self.peek() is not None:
            row = self.next_row()
            if row.type in ("add", "multiply", "concat"):
                self.merge(row)
            elif row.type == "split":
                self.split(row)
            else:
                self.leaf(row, row.reads[0])
        return list(self.analysis.output_tensors.values())

    def merge(self, row: Row) -> None:
        if row.type == "concat":
            inputs = []
            for index, name in enumerate(row.reads, 1):
                shape = self.shape_of[name]
                if is_spatial(shape) and spatial_sizes(shape) != spatial_sizes(row.output):
                    name = self.centre_crop(name, shape, row.output, f"{row.path}/crop{index}")
                inputs.append(name)
            self.emit("Concat", inputs, row, axis=1)
        elif len(row.reads) == 2:  # Add and Mul broadcast as NumPy does, in NCHW too
            self.emit("Add" if row.type == "add" else "Mul", list(row.reads), row)
        elif row.type == "add":
            self.emit("Sum", list(row.reads), row)
        else:
            product = row.reads[0]
            for index, name in enumerate(row.reads[1:-1], 1):
                shape = tuple(max(sizes) for sizes in zip(self.shape_of[product],
                                                          self.shape_of[name], strict=True))
                product = self.emit("Mul", [product, name], None, name=f"{row.path}/mul{index}",
                                    shape=shape)
            self.emit("Mul", [product, row.reads[-1]], row)

    def split(self, row: Row) -> None:
        """One channel part: a Slice of the channel axis."""
        start, stop = row.part
        starts = self.constant(f"{row.path}.starts", [start])
        ends = self.constant(f"{row.path}.ends", [stop])
        self.emit("Slice", [row.reads[0], starts, ends, self.constant("axes_c", [1])], row)

    # -- bookkeeping ----------------------------------------------------------------------
    def peek(self) -> Row | None:
        rows = self.analysis.rows
        return rows[self.position] if self.position < len(rows) else None

    def next_row(self) -> Row:
        row = self.analysis.rows[self.position]
        self.position += 1
        return row

    def leaf(self, row: Row, x: str) -> str:
        from .onnx_ops import emit_layer

        emit_layer(self, row, x)
        return row.path

    def emit(self, op: str, inputs: list[str], row: Row | None, *, name: str | None = None,
             output: str | None = None, shape: Shape | None = None, **attrs) -> str:
        from onnx import helper

        name = name or row.path
        output = output or name
        self.nodes.append(helper.make_node(op, inputs, [output], name=name, **attrs))
        shape = shape if shape is not None else row.output
        self.shapes.append((output, shape))
        self.shape_of[output] = shape
        return output

    def centre_crop(self, x: str, shape: Shape, target: Shape, name: str) -> str:
        """A Slice of every spatial axis to the target's size, the excess split ⌊d/2⌋ before."""
        sizes, wanted = spatial_sizes(shape), spatial_sizes(target)
        starts = [(size - want) // 2 for size, want in zip(sizes, wanted, strict=True)]
        ends = [start + want for start, want in zip(starts, wanted, strict=True)]
        axes = list(range(2, 2 + len(sizes)))
        axes_name = "axes_hw" if len(axes) == 2 else f"axes_{len(axes)}d"
        return self.emit("Slice", [x, self.constant(f"{name}.starts", starts),
                                   self.constant(f"{name}.ends", ends),
                                   self.constant(axes_name, axes)], None, name=name,
                         shape=(*wanted, channels(shape)))

    def constant(self, name: str, values, dtype: str = "int64") -> str:
        """A small shape-describing constant: always an initializer, never a weight input."""
        import numpy as np
        from onnx import numpy_helper

        if name not in self.constants:
            self.constants.add(name)
            array = np.array(values, dtype=dtype)
            self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def weight(self, name: str, dims: tuple[int, ...], fill: str = "random",
               fan_in: int = 1) -> str:
        """A learnable tensor: random (or BN's neutral statistics), or a graph input."""
        import numpy as np
        from onnx import TensorProto, helper

        if not self.random:
            self.weight_inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT,
                                                                    list(dims)))
            return name
        if fill == "ones":
            array = np.ones(dims, dtype=np.float32)
        elif fill == "zeros":
            array = np.zeros(dims, dtype=np.float32)
        else:  # uniform in ±1/√fan_in: PyTorch's default init, and fast to draw
            array = self.rng.random(dims, dtype=np.float32)
            array *= np.float32(2.0)
            array -= np.float32(1.0)
            array *= np.float32(1.0 / max(fan_in, 1) ** 0.5)
        self.arrays.append((name, array))  # added to the graph once, without a copy
        return name
