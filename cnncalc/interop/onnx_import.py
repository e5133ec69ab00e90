"""`cnncalc import MODEL.onnx`: an ONNX graph → a cnncalc spec (YAML text) → a Network.

Chains become entries. A tensor read by several nodes opens branches that must meet again at
one Add (→ `residual`, the first Add input being the body) or one Concat (→ `concat`, the
branches in the Concat's input order; Slices that centre-crop into it → `crop: center`).
Graphs whose branches meet elsewhere need `from:` references (SPEC §7, a later release) and
are refused with the node that breaks the pattern.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..engine.shapes import Shape, shape_str
from ..errors import SpecError
from .onnx_graph import OnnxGraph, read_model
from .onnx_layers import read_layer, unsupported

MERGES = ("Add", "Concat")
Entry = dict[str, Any]


def import_onnx(path: str | Path, input_shape: Shape | None = None) -> str:
    """The spec (YAML text) of the ONNX model at `path`."""
    model = read_model(path)
    graph = OnnxGraph(model, str(path), input_shape)
    if len(graph.outputs) != 1:
        raise SpecError(f"the ONNX graph has {len(graph.outputs)} outputs; several outputs "
                        "arrive with Part II (SPEC §7)", file=str(path))
    builder = _Structure(graph)
    entries, end, stop = builder.chain(graph.data_input)
    if stop is not None or end != graph.outputs[0]:
        raise SpecError(f"the ONNX graph's data path does not end at its output "
                        f"'{graph.outputs[0]}' (stopped at '{end}')", file=str(path))
    name = _spec_name(Path(path).stem)  # exporters name graphs "main_graph", "torch_jit"…
    return to_yaml(name, graph.input, entries, Path(path).name, model.producer_name)


def load_onnx(path: str | Path, input_shape: Shape | None = None):
    """The Network of an ONNX model, through its generated spec (so both always agree)."""
    from ..spec import loads

    text = import_onnx(path, input_shape)
    return loads(text, file=f"{path} (imported)", default_name=Path(path).stem)


class _Structure:
    def __init__(self, graph: OnnxGraph) -> None:
        self.graph = graph
        self.used_names: set[str] = set()

    def chain(self, value: str) -> tuple[list[Entry], str, Any]:
        """Entries from `value` on, until the graph output or a merge node this chain alone
        cannot complete (returned as the stop node)."""
        graph, entries = self.graph, []
        while True:
            consumers = graph.consumers.get(value, [])
            if not consumers:
                return entries, value, None
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
        if node.op_type in MERGES or node.op_type in ("Mul", "Sub", "Div"):
            if node.op_type == "Mul":
                raise unsupported(graph, node, "an elementwise product (SE gate, SiLU) needs "
                                  "cnncalc's 'gate'/'multiply' of SPEC §7, not available in "
                                  "this version")
            raise unsupported(graph, node, "an operand that is a constant, not a layer")
        if node.op_type == "Reshape" and self.flattens_for_dense(node):
            return node.output[0]  # a dense layer flattens its input itself
        kind, options = read_layer(graph, node)
        entries.append(self.entry(kind, options, node))
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
        return consumers[0].output[0] if bias else out

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
                raise SpecError(f"the branches leaving '{value}' do not meet again at one Add or "
                                "Concat; such graphs need 'from:' references (SPEC §7), not "
                                "available in this version", file=graph.file)
            merge = stop
            ends.append((end, branch))
        data_inputs = [name for name in merge.input if name in graph.data_values]
        if sorted(data_inputs) != sorted(end for end, _ in ends):
            raise SpecError(f"node '{merge.name}' ({merge.op_type}) merges tensors from outside "
                            f"the branches leaving '{value}'; such graphs need 'from:' "
                            "references (SPEC §7)", file=graph.file)
        by_end = dict(ends)
        branches = [by_end[name] for name in data_inputs]
        entries.append(self.merge(merge, branches))
        return merge.output[0]

    def merge(self, node, branches: list[list[Entry]]) -> Entry:
        graph = self.graph
        name = self.name(node)
        if node.op_type == "Add":
            if len(branches) != 2:
                raise unsupported(graph, node, f"an Add of {len(branches)} branches")
            body, shortcut = branches
            if not body:
                body, shortcut = shortcut, body
            if not body:
                raise unsupported(graph, node, "x + x")
            return {"type": "residual", "name": name, "original": node.name, "body": body,
                    "shortcut": shortcut or "identity"}
        if attrs_axis(node) != 1:
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
        if not node.name:
            return None
        base = re.sub(r"[^A-Za-z0-9_]", "_", node.name.lstrip("/")) or "node"
        name, copy = base, 1
        while name in self.used_names:
            copy += 1
            name = f"{base}_{copy}"
        self.used_names.add(name)
        return name


def attrs_axis(node) -> int:
    from .onnx_layers import attrs

    return attrs(node).get("axis", 1) % 4


def _is_merge(node, graph: OnnxGraph) -> bool:
    data = [name for name in node.input if name in graph.data_values]
    return node.op_type in MERGES and len(data) >= 2


def _spec_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name) or "network"


# -- YAML text (spec/ is the only yaml importer; this writes plain flow YAML by hand) ------
def to_yaml(name: str, shape: Shape, entries: list[Entry], source: str, producer: str) -> str:
    lines = [f"# Imported by cnncalc from {source}"
             + (f" (exported by {producer})" if producer else ""),
             f"name: {_name(name)}", f"input: {shape_str(shape)}", "layers:"]
    _write_entries(entries, lines, "  ")
    return "\n".join(lines) + "\n"


def _write_entries(entries: list[Entry], lines: list[str], indent: str) -> None:
    for entry in entries:
        if entry["type"] == "residual":
            lines.append(f"{indent}- residual:{_comment(entry)}")
            inner = indent + "    "
            if entry["name"]:
                lines.append(f"{inner}name: {_name(entry['name'])}")
            lines.append(f"{inner}body:")
            _write_entries(entry["body"], lines, inner + "  ")
            if entry["shortcut"] == "identity":
                lines.append(f"{inner}shortcut: identity")
            else:
                lines.append(f"{inner}shortcut:")
                _write_entries(entry["shortcut"], lines, inner + "  ")
        elif entry["type"] == "concat":
            lines.append(f"{indent}- concat:{_comment(entry)}")
            inner = indent + "    "
            if entry["name"]:
                lines.append(f"{inner}name: {_name(entry['name'])}")
            lines.append(f"{inner}crop: {entry['crop']}")
            lines.append(f"{inner}branches:")
            for branch in entry["branches"]:
                if not branch:
                    lines.append(f"{inner}  - []")
                    continue
                lines.append(f"{inner}  -")
                _write_entries(branch, lines, inner + "    ")
        else:
            options = {key: value for key, value in entry["options"].items()
                       if DEFAULTS.get(key, ()) != value}
            if entry["name"]:
                options = {"name": entry["name"], **options}
            body = ", ".join(f"{key}: {_name(value) if key == 'name' else _value(value)}"
                             for key, value in options.items())
            lines.append(f"{indent}- {entry['type']}: {{{body}}}{_comment(entry)}")


# Options left out when they hold the layer's default, to keep the spec readable (stride and
# padding stay: ONNX's defaults are not cnncalc's for pools).
DEFAULTS = {"dilation": [1, 1], "groups": 1, "ceil_mode": False, "output_padding": [0, 0]}
YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _name(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() not in YAML_WORDS:
        return name
    return json.dumps(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        return repr(value)
    return str(int(value))


def _comment(entry: Entry) -> str:
    original = entry.get("original") or ""
    if original and original != entry.get("name"):
        return "  # " + original.replace("\n", " ")
    return ""
