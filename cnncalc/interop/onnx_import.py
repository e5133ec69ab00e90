"""`cnncalc import MODEL.onnx`: an ONNX graph → a cnncalc spec (YAML text) → a Network.

First as a nest of composites: chains become entries; a tensor read by several nodes opens
branches that meet again at one Add (→ `residual`, the first Add input being the body), one
Concat (→ `concat`, in the Concat's input order; Slices that centre-crop into it → `crop:
center`) or one Mul with the tensor itself (→ `gate`, squeeze-and-excitation); channel
Slices or a Split covering every channel, their branches meeting at one Concat, are a
`split`; a side chain ending at an extra graph output that is a vector (GoogLeNet's and
Inception's auxiliary classifiers) is an `aux` head. A graph that does not nest so (branches
meeting elsewhere, several outputs, a dead end) is written flat instead, every entry in
graph order with `from:` names (onnx_flat.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ..engine.shapes import Shape, is_spatial
from ..errors import SpecError
from .onnx_checks import located
from .onnx_cuts import channel_parts, cuts_channels
from .onnx_graph import OnnxGraph, read_model
from .onnx_layers import attrs, read_layer, unsupported
from .onnx_patterns import take_pattern
from .onnx_yaml import Entry, to_yaml

MERGES = ("Add", "Concat", "Mul", "Sum")


class NotNested(SpecError):
    """The graph is no nest of composites: the importer writes it flat with `from:`."""


@located
def import_onnx(path: str | Path, input_shape: Shape | None = None) -> str:
    """The spec (YAML text) of the ONNX model at `path`."""
    model = read_model(path)
    graph = OnnxGraph(model, str(path), input_shape)
    name = _spec_name(Path(path).stem)  # exporters name graphs "main_graph", "torch_jit"…
    outputs = inputs = None
    try:
        if len(graph.data_inputs) > 1:
            raise NotNested("several data inputs", file=str(path))
        builder = Structure(graph)
        entries, end, stop = builder.chain(graph.data_input)
        if stop is not None or end != graph.outputs[0] or builder.aux_outputs != set(
                graph.outputs[1:]):
            raise NotNested(f"the ONNX graph's data path does not end at its output "
                            f"'{graph.outputs[0]}' (stopped at '{end}')", file=str(path))
    except NotNested:
        from .onnx_flat import flat_entries

        entries, outputs, inputs = flat_entries(graph, Structure(graph))
    return to_yaml(name, graph.input, entries, Path(path).name, model.producer_name, outputs,
                   inputs)


def load_onnx(path: str | Path, input_shape: Shape | None = None):
    """The Network of an ONNX model, through its generated spec (so both always agree)."""
    from ..spec import loads

    text = import_onnx(path, input_shape)
    return loads(text, file=f"{path} (imported)", default_name=Path(path).stem)


class Structure:
    def __init__(self, graph: OnnxGraph) -> None:
        self.graph = graph
        self.used_names: set[str] = set()
        self.aux_outputs: set[str] = set()
        self.seen: set[int] = set()  # ids of the nodes made into entries (onnx_flat skips them)
        self.not_side: set[int] = set()  # ids of nodes known to lead to no aux output

    def chain(self, value: str) -> tuple[list[Entry], str, Any]:
        """Entries from `value` on, until the graph output or a merge node this chain alone
        cannot complete (returned as the stop node)."""
        graph, entries = self.graph, []
        while True:
            consumers = graph.consumers.get(value, [])
            if not consumers:
                return entries, value, None
            if len(consumers) > 1:
                consumers = self.aux_heads(value, consumers, entries)
            parts = channel_parts(graph, value, consumers)
            if parts is not None:
                value = self.split(value, parts, entries)
                continue
            if len(consumers) > 1 and any(cuts_channels(graph, node) for node in consumers):
                raise NotNested(f"'{value}' is cut and also read whole", file=graph.file)
            if len(consumers) == 1 and not _is_merge(consumers[0], graph):
                value = self.layer(consumers[0], value, entries)
                continue
            if len(consumers) == 1:
                return entries, value, consumers[0]
            value = self.fork(value, consumers, entries)

    def layer(self, node, value: str, entries: list[Entry]) -> str:
        graph = self.graph
        if node.op_type == "MatMul":
            return self.matmul(node, entries)
        out = take_pattern(self, node, entries)  # nodes that are one layer together
        if out is not None:
            return out
        if node.op_type in MERGES or node.op_type in ("Sub", "Div"):
            if node.op_type in ("Concat", "Sum"):  # of one tensor: a copy
                raise NotNested(f"node '{node.name}' ({node.op_type}) has one data input; "
                                "cnncalc's merges take two or more tensors", file=graph.file)
            others = [name for name in node.input if name and name not in graph.data_values
                      and graph.weight_dims(name) is None]
            if others:
                raise unsupported(graph, node, f"it reads '{others[0]}', which comes from no "
                                  "graph input, weight or constant")
            raise unsupported(graph, node, "an operand that is a constant, not a layer")
        if node.op_type == "Reshape" and self.flattens_for_dense(node):
            return node.output[0]  # a dense layer flattens its input itself
        kind, options = read_layer(graph, node)
        entries.append(self.entry(kind, options, node))
        self.seen.add(id(node))
        return node.output[0]

    def flattens_for_dense(self, node) -> bool:
        consumers = self.graph.consumers.get(node.output[0], [])
        out = self.graph.shapes.get(node.output[0])
        return (len(consumers) == 1 and consumers[0].op_type in ("Gemm", "MatMul")
                and out is not None and len(out) == 1)

    def matmul(self, node, entries: list[Entry]) -> str:
        """MatMul by a weight (in × units), with the following bias Add folded in."""
        graph = self.graph
        dims = graph.weight_dims(node.input[1])
        if dims is None or len(dims) != 2:
            raise unsupported(graph, node, "MatMul of two activations arrives with Part II")
        out = node.output[0]
        consumers = graph.consumers.get(out, [])
        bias = (len(consumers) == 1 and consumers[0].op_type == "Add"
                and any(graph.weight_dims(name) == (dims[1],) for name in consumers[0].input))
        entries.append(self.entry("dense", {"units": dims[1], "bias": bias}, node))
        self.seen.update([id(node)] + ([id(consumers[0])] if bias else []))
        return consumers[0].output[0] if bias else out

    def aux_heads(self, value: str, consumers: list, entries: list[Entry]) -> list:
        """Side chains from `value` to an extra graph output that is a vector become aux
        entries (here, so their rows come where the graph has them); the rest is returned."""
        keep, heads = [], []
        for consumer in consumers:
            nodes = self.side_chain(consumer)
            (keep if nodes is None else heads).append((consumer, nodes))
        if not keep:
            return consumers
        for consumer, nodes in heads:
            self.aux_head(value, consumer, nodes, entries)
        return [consumer for consumer, _ in keep]

    def aux_head(self, value: str, consumer, nodes: list, entries: list[Entry]) -> str:
        """The aux entry of the side chain `nodes` (starting with `consumer`); its output."""
        body: list[Entry] = []
        more, end, _ = self.chain(self.layer(consumer, value, body))
        name = self.fresh(common_prefix([node.name for node in nodes]) or "aux")
        entries.append({"type": "aux", "name": name, "original": None, "body": body + more})
        self.aux_outputs.add(end)
        return end

    def side_chain(self, node) -> list | None:
        """The nodes of a chain from `node` to an extra rank-1 graph output, or None. A chain
        that is none is remembered node by node (every later start on it ends the same way),
        so asking at every node of a long chain stays linear."""
        nodes = []
        found = self._side_chain(node, nodes)
        if found is None:
            self.not_side.update(id(each) for each in nodes)
        return found

    def _side_chain(self, node, nodes: list) -> list | None:
        graph = self.graph
        while True:
            if (_is_merge(node, graph) or node.op_type in ("Split", "Slice")
                    or id(node) in self.not_side):
                return None
            nodes.append(node)
            out = node.output[0]
            after = graph.consumers.get(out, [])
            if not after:
                shape = graph.shapes.get(out)
                wanted = out in graph.outputs[1:] and shape is not None and not is_spatial(shape)
                return nodes if wanted else None
            if len(after) != 1 or out in graph.outputs:  # a read output is on the main path
                return None
            node = after[0]

    def split(self, value: str, parts: list, entries: list[Entry]) -> str:
        """Channel parts (node, output, size) whose branches meet at one channel Concat."""
        graph, branches, ends, stops = self.graph, [], [], set()
        for node, out, _ in parts:
            self.seen.add(id(node))
            branch, end, stop = self.chain(out)
            branches.append(branch)
            ends.append(end)
            stops.add(id(stop) if stop is not None else None)
        concat = stop
        if (len(stops) != 1 or concat is None or concat.op_type != "Concat"
                or attrs_axis(graph, concat) != 1 or list(concat.input) != ends):
            raise NotNested(f"the channel parts of '{value}' do not meet again at one Concat "
                            "of them alone (joined with other tensors they would need "
                            "cnncalc's 'slice' layer, not available in this version)",
                            file=graph.file)
        self.seen.add(id(concat))
        names = [node.name for node, _, _ in parts] + [concat.name]
        entries.append({"type": "split", "name": self.fresh(common_prefix(names) or "split"),
                        "original": None, "branches": branches,
                        "sizes": [size for _, _, size in parts]})
        return concat.output[0]

    def fork(self, value: str, consumers: list, entries: list[Entry]) -> str:
        graph = self.graph
        ends: list[tuple[str, list[Entry]]] = []
        merge = None
        for consumer in consumers:
            if _is_merge(consumer, graph) and value in consumer.input:
                branch, end, stop = [], value, consumer
            else:
                branch = []
                first = self.layer(consumer, value, branch)
                more, end, stop = self.chain(first)
                branch += more
            if stop is None or (merge is not None and stop is not merge):
                raise NotNested(f"the branches leaving '{value}' do not meet again at one node",
                                file=graph.file)
            merge = stop
            ends.append((end, branch))
        data_inputs = [name for name in merge.input if name in graph.data_values]
        if sorted(data_inputs) != sorted(end for end, _ in ends) \
                or len(set(data_inputs)) != len(data_inputs):
            raise NotNested(f"node '{merge.name}' ({merge.op_type}) merges tensors from outside "
                            f"the branches leaving '{value}'", file=graph.file)
        by_end = dict(ends)
        branches = [by_end[name] for name in data_inputs]
        entry = self.merge(merge, branches)  # (centre crops leave their branches here)
        if [end for end, branch in ends if branch] != [n for n in data_inputs if by_end[n]]:
            # a composite runs its branches in the merge's input order: the rows would come
            # in another order than the graph's nodes
            raise NotNested(f"the branches into '{merge.name}' run in another order than its "
                            "inputs", file=graph.file)
        entries.append(entry)
        return merge.output[0]

    def merge(self, node, branches: list[list[Entry]]) -> Entry:
        graph = self.graph
        name = self.name(node)
        if node.op_type in ("Add", "Mul"):
            body, shortcut = branches
            if not body:
                body, shortcut = shortcut, body
            # x ⊙ body(x), in that order as a gate is written (squeeze-and-excitation)
            if node.op_type == "Mul" and not shortcut and not branches[0]:
                if [entry["type"] for entry in body] == ["sigmoid"]:  # x·σ(x) (SPEC §10)
                    return {"type": "silu", "name": name, "original": node.name, "options": {}}
                return {"type": "gate", "name": name, "original": node.name, "body": body}
            if node.op_type == "Add":
                return {"type": "residual", "name": name, "original": node.name, "body": body,
                        "shortcut": shortcut or "identity"}
        if node.op_type != "Concat":
            raise NotNested(f"'{node.name}' ({node.op_type}) is no residual, gate or concat",
                            file=graph.file)
        if attrs_axis(graph, node) != 1:
            raise unsupported(graph, node, "a Concat along an axis other than channels")
        crop = self.centre_crops(node, branches)
        return {"type": "concat", "name": name, "original": node.name, "branches": branches,
                "crop": crop}

    def centre_crops(self, node, branches: list[list[Entry]]) -> str:
        """Slices that centre-crop each branch to the concat's size are `crop: center`."""
        cropped = [b for b in branches if b and b[-1]["type"] == "crop"]
        if not cropped:
            return "none"
        for branch in cropped:
            top, bottom, left, right = branch[-1]["options"]["crop"]
            if (top, left) != ((top + bottom) // 2, (left + right) // 2):
                return "none"
        for branch in cropped:
            branch.pop()
        return "center"

    def entry(self, kind: str, options: dict, node) -> Entry:
        return {"type": kind, "name": self.name(node), "original": node.name,
                "options": options}

    def name(self, node) -> str | None:
        return self.fresh(node.name) if node.name else None

    def fresh(self, original: str) -> str:
        """A spec name for an ONNX name: `/` dropped in front, other signs made `_`, unique."""
        base = re.sub(r"[^A-Za-z0-9_]", "_", original.lstrip("/")) or "node"
        if base in ("input", "previous"):  # reserved (SPEC §7)
            base += "_"
        name, copy = base, 1
        while name in self.used_names:
            copy += 1
            name = f"{base}_{copy}"
        self.used_names.add(name)
        return name


def attrs_axis(graph: OnnxGraph, node) -> int:
    """A Concat's axis, a negative one counted from its output's rank (batch included)."""
    axis, shape = attrs(node).get("axis", 1), graph.shapes.get(node.output[0])
    return axis + len(shape) + 1 if axis < 0 and shape is not None else axis


def common_prefix(names: list[str]) -> str:
    """The dotted (or slashed) words every name starts with: `AuxLogits` for its layers."""
    words = [re.split(r"[./]", name.lstrip("/")) for name in names]
    common = []
    for group in zip(*words, strict=False):
        if len(set(group)) != 1:
            break
        common.append(group[0])
    return "_".join(common[:-1] if len(common) == min(map(len, words)) else common)


def _is_merge(node, graph: OnnxGraph) -> bool:
    data = [name for name in node.input if name in graph.data_values]
    return node.op_type in MERGES and len(data) >= 2


def _spec_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "network"
