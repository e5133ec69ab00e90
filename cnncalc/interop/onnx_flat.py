"""An ONNX graph that does not nest into composites, written flat (SPEC §7 named tensors).

Every node becomes one top-level entry in graph order (so the rows come in the graph's own
order), named after its node; an entry whose input is not the previous entry's output reads
it with `from: NAME`; Add / Sum / Mul / Concat of several tensors are `add` / `multiply` /
`concat` with `from: [a, b, …]` (Mul broadcasts as cnncalc's `multiply` does). Channel
Slices or a Split covering every channel, with branches that meet at one Concat, stay one
`split` entry, and a side chain to an extra graph output that is a vector an `aux` entry.
Several graph outputs are listed in `outputs:` (the first graph output first, as it is the
main one).
"""

from __future__ import annotations

from ..errors import SpecError
from .onnx_cuts import channel_parts, cuts_channels
from .onnx_graph import OnnxGraph
from .onnx_import import MERGES, NotNested, Structure, attrs_axis
from .onnx_layers import unsupported
from .onnx_yaml import Entry

MERGE_TYPES = {"Add": "add", "Sum": "add", "Mul": "multiply", "Concat": "concat"}


def flat_entries(graph: OnnxGraph, structure: Structure) -> tuple[list[Entry], list[str] | None,
                                                                   dict | None]:
    """The top-level entries; the `outputs:` names when the graph's outputs are not just the
    last entry; the `inputs:` (name → shape) when there are several."""
    refs = {graph.data_input: "input"}  # tensor → the name a `from:` uses for it
    inputs = None
    if len(graph.data_inputs) > 1:
        refs = {name: structure.fresh(name) for name in graph.data_inputs}
        inputs = {refs[name]: shape for name, shape in graph.inputs.items()}
    entries: list[Entry] = []
    previous = refs[graph.data_input]

    def ref(tensor: str) -> str:
        if tensor not in refs:
            raise unsupported(graph, node, f"it reads '{tensor}' from inside a split's branch")
        return refs[tensor]

    for node in graph.nodes:
        if id(node) in structure.seen:
            continue
        data = [name for name in node.input if name in graph.data_values]
        made: list[Entry] = []
        if node.op_type in MERGES and len(data) >= 2:
            if node.op_type == "Concat" and attrs_axis(graph, node) != 1:
                raise unsupported(graph, node, "a Concat along an axis other than channels")
            made.append({"type": MERGE_TYPES[node.op_type], "name": structure.name(node),
                         "original": node.name, "from": [ref(name) for name in data]})
            structure.seen.add(id(node))
            out = node.output[0]
        elif node.op_type in ("Slice", "Split") and cuts_channels(graph, node):
            source = data[0]
            cutters = [other for other in graph.consumers[source]
                       if other.op_type in ("Slice", "Split") and cuts_channels(graph, other)]
            out = _split_or_none(structure, source, channel_parts(graph, source, cutters), made)
            if out is None:  # a channel Slice that is no split: the `slice` layer
                out = structure.layer(node, data[0], made)
        elif side := structure.side_chain(node):
            end = structure.aux_head(data[0], node, side, made)  # the main path stays
            made[0]["from"] = ref(data[0])
            if made[0]["from"] == previous:
                del made[0]["from"]
            entries.append(made[0])
            refs[end] = made[0]["name"]
            continue
        else:
            out = structure.layer(node, data[0], made)
        if not made:  # a Reshape that a dense layer's own flattening makes unnecessary
            refs[out] = ref(data[0])
            continue
        entry = made[0]
        entry["name"] = entry["name"] or structure.fresh(node.op_type.lower())
        if "from" not in entry and ref(data[0]) != previous:
            entry["from"] = ref(data[0])
        entries.append(entry)
        refs[out] = previous = entry["name"]
    missing = [name for name in graph.outputs if name not in refs]
    if missing:
        raise SpecError(f"the ONNX graph output '{missing[0]}' is not computed from the data "
                        f"input '{graph.data_input}'", file=graph.file)
    outputs = [refs[name] for name in graph.outputs]
    return entries, (None if outputs == [previous] else outputs), inputs


def _split_or_none(structure: Structure, source: str, parts, made: list[Entry]) -> str | None:
    """The split entry of `parts` when its branches meet at one Concat of them alone; else
    None, with the structure's bookkeeping as it was."""
    if parts is None:
        return None
    seen, names, aux = set(structure.seen), set(structure.used_names), set(structure.aux_outputs)
    try:
        return structure.split(source, parts, made)
    except NotNested:
        structure.seen, structure.used_names, structure.aux_outputs = seen, names, aux
        made.clear()
        return None

