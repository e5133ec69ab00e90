"""An ONNX graph read for import: the data input, weights, constants, shapes, data nodes.

Weights are initializers or graph inputs used only in weight slots (through any Identity
chain), as SPEC §10 says. Every tensor's shape comes from ONNX's own shape inference run with
the data input fixed to batch 1 (and to `--input` when given), so shape arithmetic subgraphs
(Shape → Gather → Concat → Reshape) need no evaluator here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..engine.shapes import Shape
from ..errors import SpecError
from ..limits import ONNX_BYTES, ONNX_NODES
from .layout import from_onnx_dims, onnx_dims
from .onnx_checks import check_names, infer_isolated

META_OPS = ("Shape", "Size")  # read a tensor's shape, not its values: not on the data path
DATA_OPERANDS = ("Add", "Sum", "Mul", "Concat")  # every input of these is data, not a weight


class OnnxGraph:
    def __init__(self, model: Any, file: str, input_shape: Shape | None = None) -> None:
        self.file = file
        graph = model.graph
        self.initializers = {tensor.name: tensor for tensor in graph.initializer}
        self.constants = {node.output[0]: node for node in graph.node if node.op_type == "Constant"}
        self.identity = {node.output[0]: node.input[0] for node in graph.node
                         if node.op_type == "Identity" and node.input}
        inputs = [value for value in graph.input if value.name not in self.initializers]
        self.input_dims = {value.name: _dims(value) for value in inputs}
        self.data_input = self._find_data_input(graph, inputs)
        # Further data inputs (SPEC §7 `inputs:`): read first by a node or merged with data.
        self.data_inputs = [self.data_input] + [
            value.name for value in inputs
            if value.name != self.data_input and self._reads_as_data(graph, value.name)]
        self.input = self._input_shape(input_shape)
        self.inputs = {name: self.input if name == self.data_input else self._input_shape(
            None, name) for name in self.data_inputs}
        self.nodes = self._data_nodes(graph)
        self.consumers: dict[str, list[Any]] = {}
        for node in self.nodes:
            for name in node.input:
                if name in self.data_values:
                    self.consumers.setdefault(name, []).append(node)
        self.outputs = [value.name for value in graph.output]
        self.shapes = self._infer(model)

    # -- the data input ------------------------------------------------------------------
    def _find_data_input(self, graph, inputs) -> str:
        for value in inputs:
            for node in graph.node:
                if node.op_type not in ("Identity", *META_OPS) and node.input \
                        and self.source(node.input[0]) == value.name:
                    return value.name
        raise SpecError("the ONNX graph has no input that reaches a layer (every input is a "
                        "weight)", file=self.file)

    def _reads_as_data(self, graph, name: str) -> bool:
        """An input some node reads first, or a map (of the first input's rank) that a merge
        takes: a bias vector added to a MatMul stays a weight."""
        rank = len(self.input_dims[name]) == len(self.input_dims[self.data_input])
        for node in graph.node:
            if node.op_type in ("Identity", *META_OPS):
                continue
            slots = node.input if node.op_type in DATA_OPERANDS and rank else node.input[:1]
            if any(self.source(slot) == name for slot in slots):
                return True
        return False

    def _input_shape(self, override: Shape | None, name: str | None = None) -> Shape:
        name = name or self.data_input
        dims = self.input_dims[name]
        if override is not None:
            return tuple(override)
        if not 2 <= len(dims) <= 5:
            raise SpecError(f"the ONNX input '{name}' has rank {len(dims)}; cnncalc "
                            "reads N×C×H×W images, N×C×L signals, N×C×D×H×W volumes or "
                            "N×features vectors", file=self.file)
        if any(not isinstance(dim, int) or dim < 1 for dim in dims[1:]):
            shown = "×".join(str(dim) for dim in dims)
            how = ("give the size with --input HxWxC" if name == self.data_input
                   else "--input sizes the first input only: fix this one in the model")
            raise SpecError(f"the ONNX input '{name}' has a symbolic size ({shown}); {how}",
                            file=self.file)
        return from_onnx_dims([1, *dims[1:]])

    def _data_nodes(self, graph) -> list[Any]:
        self.data_values = set(self.data_inputs)
        nodes = []
        later = {name for node in graph.node for name in node.output}  # made further on
        for node in graph.node:
            early = [name for name in node.input if name in later]  # itself included
            if early:  # ONNX sorts nodes so that each reads only what is made before it
                raise SpecError(f"node '{node.name}' ({node.op_type}) reads '{early[0]}', "
                                "which it or a later node makes: the graph has a cycle or is "
                                "not in order; the file is malformed", file=self.file)
            later.difference_update(node.output)
            if node.op_type in META_OPS or node.op_type == "Constant":
                continue
            if any(name in self.data_values for name in node.input if name):
                nodes.append(node)
                self.data_values.update(node.output)
        return nodes

    def _infer(self, model) -> dict[str, Shape]:
        import onnx

        fixed = onnx.ModelProto()
        fixed.CopyFrom(model)
        for value in fixed.graph.input:
            if value.name in self.inputs:
                dims = value.type.tensor_type.shape.dim
                for dim, size in zip(dims, onnx_dims(self.inputs[value.name]), strict=False):
                    dim.Clear()
                    dim.dim_value = size
        del fixed.graph.value_info[:]
        inferred = infer_isolated(fixed, self.file, data_prop=True)
        shapes = dict(self.inputs)
        for value in [*inferred.value_info, *inferred.output]:
            dims = _dims(value)
            if 2 <= len(dims) <= 5 and all(isinstance(dim, int) for dim in dims):
                shapes[value.name] = from_onnx_dims(dims)
        return shapes

    # -- weights and constants -------------------------------------------------------------
    def source(self, name: str) -> str:
        """Follow Identity nodes back to the tensor they copy."""
        seen = 0
        while name in self.identity and seen < 10_000:
            name, seen = self.identity[name], seen + 1
        return name

    def weight_dims(self, name: str) -> tuple[int, ...] | None:
        name = self.source(name)
        if name in self.initializers:
            return tuple(self.initializers[name].dims)
        if name in self.input_dims and name not in self.data_inputs:
            return tuple(self.input_dims[name])
        if name in self.constants:
            return tuple(self.constant(name).shape)
        return None

    def constant(self, name: str):
        """A constant tensor's values (initializer or Constant node), or None."""
        from onnx import numpy_helper

        name = self.source(name)
        node = self.constants.get(name)
        try:
            if name in self.initializers:
                return numpy_helper.to_array(self.initializers[name])
            if node is not None:
                for attribute in node.attribute:
                    if attribute.name == "value":
                        return numpy_helper.to_array(attribute.t)
        except Exception as error:  # numpy and onnx raise several types on bad tensors
            raise SpecError(f"the ONNX constant '{name}' cannot be read ({error}); the file "
                            "is malformed", file=self.file) from None
        return None

    def shape(self, name: str, node) -> Shape:
        if name not in self.shapes:
            raise SpecError(f"ONNX shape inference gave no shape for '{name}' (node "
                            f"'{node.name}', {node.op_type})", file=self.file)
        return self.shapes[name]


def _dims(value) -> list[Any]:
    dims = []
    for dim in value.type.tensor_type.shape.dim:
        dims.append(dim.dim_value if dim.HasField("dim_value") else (dim.dim_param or "?"))
    return dims


def read_model(path: str | Path):
    """The ONNX model at `path`, its size checked in bytes before reading and its node count
    before anything walks it (limits.ONNX_BYTES, ONNX_NODES)."""
    import onnx

    try:
        size = Path(path).stat().st_size
    except (OSError, ValueError) as error:
        raise SpecError(f"cannot read the ONNX model: {error}", file=str(path)) from None
    if size > ONNX_BYTES.value:
        raise ONNX_BYTES.error(size, file=str(path))
    try:
        model = onnx.load(str(path))
    except Exception as error:  # protobuf's DecodeError and OSError alike
        raise SpecError(f"cannot read the ONNX model: {error}", file=str(path)) from None
    nodes = len(model.graph.node)
    if nodes > ONNX_NODES.value:
        raise ONNX_NODES.error(nodes, file=str(path))
    check_names(model, str(path))
    return model

