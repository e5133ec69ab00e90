"""The `forward` of an exported PyTorch module, read off the analysis rows (SPEC §7, §10).

Top-level entries run one after another on `x`; what the graph adds is written as plain
variables: a tensor some later entry reads (`from:`, a merge, an output) is kept under its
entry's name before `x` moves on, a merge is `+`, `*` or `torch.cat`, an aux head's result
is a variable of its own, and several outputs come back as a tuple in `outputs:` order (the
main output first, as torchvision's InceptionOutputs). `gate` and `split` are modules
(pytorch_helpers.py) and nest anywhere. A block whose own entries use `from:` or merges is a
class of its own with the same kind of `forward` (graph_class). A `from:` or merge directly
in a residual, concat, gate or split body, or an aux head below the top level, would need a
module to take or return several tensors; it is refused with the entry's name.
"""

from __future__ import annotations

import keyword
import re

from ..engine.analysis import Analysis, Row
from ..engine.model import Aux, Concat, Gate, Merge, Residual, Sequential, Split
from .onnx_export import ExportError

RESERVED = {"x", "self", "torch", "nn", "input"}


def children(node) -> list:
    """Every node directly inside a composite, whatever its kind."""
    if isinstance(node, Sequential):
        return list(node.children)
    if isinstance(node, Residual):
        inner = list(node.body) + (node.shortcut if isinstance(node.shortcut, list) else [])
        return inner + ([node.activation] if node.activation is not None else [])
    if isinstance(node, (Concat, Split)):
        return [child for branch in node.branches for child in branch]
    if isinstance(node, Gate):
        return list(node.body)
    if isinstance(node, Aux):
        return list(node.layers)
    return []


def _graph_entry(node) -> bool:
    return isinstance(node, (Merge, Aux)) or node.source is not None


def is_graph(node) -> bool:
    """A group whose own entries read named tensors or merge: it is written as a class."""
    return isinstance(node, Sequential) and any(_graph_entry(child) and not isinstance(child, Aux)
                                                for child in node.children)


def refuse_nested_graph(item) -> None:
    """A top-level entry whose inside reads a named tensor, merges or branches off an aux head
    where no class can hold it: in a residual, concat, gate or split, or an aux head."""
    for child in children(item):
        if is_graph(item) and not isinstance(child, Aux):
            refuse_nested_graph(child)
            continue
        what = None
        if isinstance(child, Merge):
            what = f"merges {', '.join(child.sources)}"
        elif isinstance(child, Aux):
            what = "is an aux head"
        elif child.source is not None:
            what = f"reads '{child.source}' by from:"
        if what:
            raise ExportError(
                f"'{child.path}' inside '{item.path}' {what}; the PyTorch export writes "
                "from: and merges between the entries of a block or of the top level, and "
                "aux heads at the top level only (here the module would take or return "
                "several tensors); move it up", layer_name=child.path, layer_type=child.type)
        refuse_nested_graph(child)


def item_rows(analysis: Analysis, item) -> list[Row]:
    prefix = item.path + "."
    return [row for row in analysis.rows if row.path == item.path or row.path.startswith(prefix)]


def outside_reads(rows: list[Row]) -> list[str]:
    """The tensors these rows read from outside themselves, in order, once each."""
    own = {row.path for row in rows}
    reads: list[str] = []
    for row in rows:
        reads += [path for path in row.reads if path not in own and path not in reads]
    return reads


def _variable(name: str, taken: set[str]) -> str:
    base = re.sub(r"\W", "_", name)
    base = base if base and not base[0].isdigit() else f"t_{base}"
    text = base
    while keyword.iskeyword(text) or text in RESERVED or text in taken:
        text += "_"
    taken.add(text)
    return text


class ForwardWriter:
    """The lines of `forward` for the top-level items (and their attribute names)."""

    def __init__(self, analysis: Analysis, items: list, attributes: dict[int, str],
                 source: str | None = None, result: str | None = None) -> None:
        self.analysis = analysis
        self.items = items
        self.attributes = attributes  # id(item) → attribute name (none for merges)
        self.taken: set[str] = set()
        self.names = ({source: ()} if source is not None
                      else dict(analysis.inputs))
        self.wanted = [result] if result is not None else list(analysis.output_tensors.values())
        self.variables: dict[str, str] = {}  # tensor path → variable holding it
        self.helpers: set[str] = set()

    def arguments(self) -> list[str]:
        if len(self.names) == 1:  # `x` holds it (as `current`), saved when x moves on
            return ["x"]
        for name in self.names:
            self.variables[name] = _variable(name, self.taken)
        return list(self.variables.values())

    def lines(self) -> list[str]:
        plan = []  # (item, rows, reads)
        for item in self.items:
            rows = item_rows(self.analysis, item)
            plan.append((item, rows, outside_reads(rows)))
        wanted = self.wanted
        current = next(iter(self.names)) if len(self.names) == 1 else None
        body: list[str] = []
        for index, (item, rows, reads) in enumerate(plan):
            if not rows:
                continue
            later = {path for _, _, more in plan[index + 1:] for path in more} | set(wanted)
            if isinstance(item, Merge):
                expression = self.merge(item, rows[-1], current)
            else:
                refuse_nested_graph(item)
                if len(reads) != 1:
                    raise ExportError(f"'{item.path}' reads {len(reads)} tensors from outside "
                                      f"itself ({', '.join(reads)}); the PyTorch export needs "
                                      "one", layer_name=item.path, layer_type=item.type)
                expression = f"self.{self.attributes[id(item)]}({self.read(reads[0], current)})"
            out = rows[-1].path
            if isinstance(item, Aux):  # the main path goes on from the head's input
                self.variables[out] = _variable(item.name, self.taken)
                body.append(f"{self.variables[out]} = {expression}")
                continue
            if current is not None and current in later and current not in self.variables:
                self.variables[current] = _variable(self.name_of(current, plan), self.taken)
                body.append(f"{self.variables[current]} = x")
            body.append(f"x = {expression}")
            current = out
        results = [self.read(path, current) for path in wanted]
        body.append(f"return {', '.join(results)}")
        return body

    def read(self, path: str, current: str | None) -> str:
        return "x" if path == current and path not in self.variables else self.variables[path]

    def name_of(self, path: str, plan) -> str:
        """A tensor's variable name: the top-level entry that made it (`stem`, `p4`)."""
        for item, rows, _ in plan:
            if rows and rows[-1].path == path:
                return item.name
        return path

    def merge(self, item: Merge, row: Row, current: str | None) -> str:
        values = [self.read(path, current) for path in row.reads]
        if item.kind == "add":
            return " + ".join(values)
        if item.kind == "multiply":
            return " * ".join(values)  # torch broadcasts N×C×H×W as NumPy does H×W×C
        if item.crop == "center":
            self.helpers.add("centre_cat")
            return f"centre_cat([{', '.join(values)}])"
        return f"torch.cat([{', '.join(values)}], 1)"


def graph_class(writer, node: Sequential) -> str:
    """A block whose entries read named tensors, as a class of its own with a `forward` like
    the top level's; the expression that builds it. Equal blocks share one class."""
    from .pytorch_export import INDENT, _attribute, _line, class_name

    items = writer.arrange(node.children)
    rows = item_rows(writer.analysis, node)
    reads = outside_reads(rows)
    if len(reads) != 1:
        raise ExportError(f"'{node.path}' reads {len(reads)} tensors from outside itself "
                          f"({', '.join(reads)}); a block's module takes one",
                          layer_name=node.path, layer_type=node.type)
    attributes: dict[int, str] = {}
    init = []
    for item in items:
        if isinstance(item, Merge):
            continue
        name = _attribute(item.name)
        while name in attributes.values() or name in ("forward", "training"):
            name += "_"
        attributes[id(item)] = name
        init.append(_line(f"{INDENT * 2}self.{name} = ", writer.module(item, 2), 2))
    forward = ForwardWriter(writer.analysis, items, attributes, reads[0], rows[-1].path)
    forward.arguments()
    body = forward.lines()
    writer.helpers |= forward.helpers
    base = class_name(getattr(node, "kind", "") or node.name)
    text = "\n".join([
        "class {name}(nn.Module):",
        f'    """{node.kind if node.kind != "sequential" else node.name}: a block whose '
        'entries read named tensors."""', "", "    def __init__(self) -> None:",
        "        super().__init__()", *init, "",
        "    def forward(self, x: torch.Tensor) -> torch.Tensor:",
        *(f"{INDENT * 2}{line}" for line in body), ""])
    for name, known in writer.classes.items():
        if known == text.replace("{name}", name, 1):
            return f"{name}()"
    name, copy = base, 1
    while name in writer.classes:
        copy += 1
        name = f"{base}{copy}"
    writer.classes[name] = text.replace("{name}", name, 1)
    return f"{name}()"


def top_attributes(writer, top: list) -> tuple[list[tuple[str, str]], dict[int, str]]:
    """The top-level modules as (attribute, `self.x = …` line), and id(item) → attribute."""
    from .pytorch_export import _attribute, _line

    attributes, names = [], {}
    seen: set[str] = set()
    for node in top:
        if isinstance(node, Merge):
            continue  # no parameters: an expression in forward
        refuse_nested_graph(node)
        name = _attribute(node.name)
        if name in seen or name in ("forward", "training"):
            name = f"{name}_{len(seen)}"
        seen.add(name)
        names[id(node)] = name
        attributes.append((name, _line(f"        self.{name} = ", writer.module(node, 2), 2)))
    return attributes, names


def forward_head(analysis: Analysis, arguments: list[str]) -> list[str]:
    """`def forward(…)`: one tensor argument per input, a tuple back for several outputs."""
    several = len(analysis.outputs) > 1
    returns = "tuple[torch.Tensor, ...]" if several else "torch.Tensor"
    signature = ", ".join(f"{argument}: torch.Tensor" for argument in arguments)
    head = [f"    def forward(self, {signature}) -> {returns}:"]
    if len(head[0]) > 100:
        head = ["    def forward(", "        self,",
                *(f"        {arg}: torch.Tensor," for arg in arguments), f"    ) -> {returns}:"]
    if several:
        head.append(f'        """Returns ({", ".join(analysis.outputs)})."""')
    return head


def composite(writer, node, depth: int) -> str:
    """A gate or split as its helper module; an aux head's layers as a container."""
    from .pytorch_export import INDENT

    if isinstance(node, Aux):
        return writer.container(node.layers, depth, single=False)
    if isinstance(node, Gate):
        writer.helpers.add("Gate")
        return f"Gate({writer.mapping(writer.arrange(node.body), depth)})"
    # a split: the parts' sizes come from its rows, so equal parts need no arithmetic here
    writer.helpers.add("Split")
    sizes = [stop - start for start, stop in (writer.rows[f"{node.path}.part{i}"].part
                                              for i in range(1, len(node.branches) + 1))]
    pad = INDENT * (depth + 1)
    inner = ",\n".join(f'{pad}"branch{i}": {writer.container(branch, depth + 1)}'
                       for i, branch in enumerate(node.branches, 1))
    return f"Split({{\n{inner},\n{INDENT * depth}}}, sizes={sizes})"


def top_forward(writer, top: list, names: dict[int, str]) -> tuple[list[str], list[str]]:
    """The top level's `forward`: its arguments and body lines."""
    forward = ForwardWriter(writer.analysis, top, names)
    arguments = forward.arguments()
    body = forward.lines()
    writer.helpers |= forward.helpers
    return arguments, body


def outputs_text(analysis: Analysis) -> str:
    """The outputs for the module docstring: a shape, or `name shape` for each of several."""
    from ..engine.shapes import shape_str

    return ", ".join((f"{key} " if len(analysis.outputs) > 1 else "")
                     + shape_str(shape, chw=True, times="×")
                     for key, shape in (analysis.outputs or {"": analysis.output}).items())

