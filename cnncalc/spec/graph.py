"""Named tensors (SPEC §7): `from:` and `to:` references, scopes, `inputs:` and `outputs:`.

Every entry's output can be read by name. A name resolves in the nearest enclosing list
that has it (a block body, a branch, then the top level), or as a dotted path from the
top; only entries already read are in reach, so a reference can never form a cycle. A
reference resolves to a *tensor path*: the path of the node whose output it is (for an
entry with `activation:`, the activation's), or an input's name.
"""

from __future__ import annotations

from ..engine.model import INPUT, PREVIOUS, Node
from ..errors import SpecError, show, suggest
from .yamlread import position

RESERVED = (INPUT, PREVIOUS)


class GraphReader:
    """Scopes and reference resolution (a mixin of spec.builder.SpecReader)."""

    def start_graph(self, input_names: list[str]) -> None:
        self.scopes: list[dict[str, str]] = []
        self.scope_items: list = []  # the YAML list of each open scope, for "comes later"
        self.defined: set[str] = set()  # every tensor path built so far (dotted access)
        self.input_names = input_names
        self.referenced: set[str] = set()

    def open_scope(self, items) -> None:
        self.scopes.append({})
        self.scope_items.append(items)

    def close_scope(self) -> None:
        self.top_scope = self.scopes.pop()  # the last one closed is the top level's
        self.scope_items.pop()

    def define(self, name: str, nodes: list[Node], where) -> None:
        """Make an entry's output readable by its name (and every node by its path)."""
        if len(self.scopes) == 1 and (name in RESERVED or name in self.input_names):
            raise SpecError(f"'{name}' is reserved for "
                            + ("the previous output" if name == PREVIOUS else "an input")
                            + "; choose another name", **where)
        for node in nodes:
            self.defined.add(node.path)
        self.scopes[-1][name] = nodes[-1].path
        if "." in name:  # a repeat copy 'block.3' also answers to 'block' (the last copy)
            self.scopes[-1][name.rsplit(".", 1)[0]] = nodes[-1].path

    def resolve(self, name, where, what: str = "from") -> str:
        """The tensor path NAME reads; PREVIOUS for the previous entry's output."""
        if not isinstance(name, str) or not name.strip():
            raise SpecError(f"'{what}' must name an earlier entry, 'input' or 'previous', got "
                            f"{show(name)}", **where)
        name = name.strip()
        if name == PREVIOUS:
            return PREVIOUS
        if name == INPUT:
            return self.input_names[0]
        if name in self.input_names:
            return name
        for scope in reversed(self.scopes):
            if name in scope:
                self.referenced.add(scope[name])
                return scope[name]
        if name in self.defined:
            self.referenced.add(name)
            return name
        raise SpecError(self.unknown(name, what), **where)

    def unknown(self, name: str, what: str) -> str:
        reach = [INPUT, *(n for n in self.input_names if n != INPUT), PREVIOUS]
        for scope in self.scopes:
            reach += [key for key in scope if key not in reach]
        later = self.later(name)
        head = (f"'{what}: {name}' reads an entry that comes later ({later}); an entry can "
                "only read earlier ones, so graphs have no cycles" if later else
                f"'{what}: {name}' names no earlier entry{suggest(name, reach)}")
        shown = ", ".join(reach[:30]) + (", …" if len(reach) > 30 else "")
        return f"{head} (names in reach: {shown}; a dotted path like 'block1.conv2' reaches inside)"

    def later(self, name: str) -> str:
        """Where NAME is defined further down an open list, or ''."""
        for items in reversed(self.scope_items):
            for index, item in enumerate(items):
                options = next(iter(item.values()), None) if isinstance(item, dict) and \
                    len(item) == 1 else None
                if isinstance(options, dict) and options.get("name") == name:
                    return f"line {items.marks[index][0]}" if getattr(items, "marks", None) \
                        else f"entry {index + 1}"
        return ""

    def outputs(self, names, container, key) -> dict[str, str]:
        """`outputs: [p3, p4, p5]` → name → tensor path, resolved at the top level."""
        where = position(container, key, self.file)
        if not isinstance(names, list) or not names:
            raise SpecError(f"'outputs' must list the entries that are network outputs, got "
                            f"{show(names)}", **where)
        self.scopes, self.scope_items = [self.top_scope], [[]]
        try:
            resolved = {}
            for name in names:
                if not isinstance(name, str) or name in resolved:
                    raise SpecError(f"'outputs' lists {show(name)} "
                                    + ("twice" if name in resolved else "which is not a name"),
                                    **where)
                resolved[name] = self.resolve(name, where, "outputs")
                if resolved[name] == PREVIOUS:
                    raise SpecError("'outputs' names entries; 'previous' means nothing there",
                                    **where)
            return resolved
        finally:
            self.scopes, self.scope_items = [], []

    def resolve_all(self, names, where, what: str = "from") -> list[str]:
        if not isinstance(names, list) or len(names) < 2:
            raise SpecError(f"'{what}' of a merge must list two or more tensors, e.g. "
                            f"[previous, stem], got {show(names)}", **where)
        return [self.resolve(name, where, what) for name in names]

