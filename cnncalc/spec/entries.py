"""Layer entries: a type name or a one-key mapping, its options, `repeat`, names and scopes."""

from __future__ import annotations

from collections import Counter

from ..engine.layers import ACTIVATIONS, ALIASES, CATALOG, WITH_ACTIVATION, Layer, canonical_type
from ..engine.layers.base import RANKED_ALIASES
from ..engine.model import COMPOSITE_TYPES, MERGE_KINDS, PREVIOUS, Node, Sequential
from ..engine.options import check_int
from ..errors import SpecError, show, suggest
from ..limits import LAYER_NESTING, LAYERS
from . import expr
from .blocks import COMMON_KEYS
from .yamlread import MarkedDict, MarkedList, layer_fields, position


class EntryReader:
    """Turns layer lists into nodes (a mixin of spec.builder.SpecReader)."""

    counters: Counter[str]

    def entries(self, items, env: dict, stack: tuple, prefix: str) -> list[Node]:
        if not isinstance(items, MarkedList):
            raise SpecError("expected a list of layer entries", file=self.file)
        # Aliases can nest composites deeper than the YAML text does (or forever): bound it.
        if self.depth >= LAYER_NESTING.value:
            raise LAYER_NESTING.error(file=self.file, line=items.mark[0], column=items.mark[1])
        self.depth += 1
        try:
            return self.entry_list(items, env, stack, prefix)
        finally:
            self.depth -= 1

    def entry_list(self, items, env: dict, stack: tuple, prefix: str) -> list[Node]:
        nodes: list[Node] = []
        names: dict[str, int] = {}
        self.open_scope(items)
        try:
            for index in range(len(items)):
                for node in self.entry(items, index, env, stack, prefix):
                    where = position(items, index, self.file, layer_index=index + 1,
                                     layer_name=prefix + node.name, layer_type=node.type)
                    if node.name in names:
                        raise SpecError(f"duplicate name '{node.name}' in one scope (also layer "
                                        f"{names[node.name]}); names must be unique", **where)
                    names[node.name] = index + 1
                    self.define(node.name, [node], where)
                    if isinstance(node, Layer) and node.appended_to:  # the entry's output
                        self.define(node.appended_to, [node], where)
                    nodes.append(node)
        finally:
            self.close_scope()
        return nodes

    def entry(self, items, index, env, stack, prefix) -> list[Node]:
        item = items[index]
        where = position(items, index, self.file, layer_index=index + 1)
        if isinstance(item, str):
            type_name, options = item, MarkedDict()
            options.mark, options.marks = (where["line"], where["column"]), {}
        elif isinstance(item, MarkedDict) and len(item) == 1:
            type_name, options = next(iter(item.items()))
            if isinstance(type_name, str) and ":" in type_name:
                self.kind(type_name, where)  # says how to write it
            if options is None:
                options = MarkedDict()
                options.mark, options.marks = (where["line"], where["column"]), {}
            if not isinstance(options, MarkedDict):
                raise SpecError(f"the options of '{type_name}' must be a mapping like "
                                f"{{kernel: 3}}, got {show(options)}", **where)
        elif isinstance(item, MarkedDict):
            keys = ", ".join(map(str, item))
            raise SpecError(f"a layer entry is one type with its options, like '- conv: "
                            f"{{filters: 6, kernel: 5}}'; this one has keys {keys} (indent the "
                            "options under the type name)", **where)
        else:
            raise SpecError(f"a layer entry must be a type name or a one-key mapping, got "
                            f"{show(item)}", **where)
        if isinstance(type_name, str) and type_name.startswith("$"):  # `- $act` in a block
            type_name = self.located(lambda: self.substitute(type_name, env), items, index)
        if not isinstance(type_name, str):
            raise SpecError(f"layer type must be a name, got {show(type_name)}", **where)
        kind = self.kind(type_name, where)
        where["layer_type"] = kind if kind != "block" else type_name
        repeat = 1
        if "repeat" in options:
            repeat = self.value(options, "repeat", env, where,
                                lambda v: check_int(v, "repeat", 1))
        explicit = None
        if "name" in options:
            explicit = self.value(options, "name", env, where, _check_name)
        base = explicit or self.default_name(type_name if kind == "block" else kind)
        where["layer_name"] = prefix + base
        source = None
        if "from" in options and kind not in MERGE_KINDS:
            source = self.resolve(self.substitute(options["from"], env),
                                  {**where, **position(options, "from", self.file)})
        if repeat == 1:
            nodes = self.one(kind, type_name, options, base, env, stack, prefix, where)
        else:
            nodes = []
            for copy in range(1, repeat + 1):
                name = f"{base}.{copy}"
                copy_where = {**where, "layer_name": prefix + name}
                nodes += self.one(kind, type_name, options, name, env, stack, prefix, copy_where)
        if source is not None and source != PREVIOUS:
            nodes[0].source = source
        return nodes

    def kind(self, type_name: str, where) -> str:
        canonical = canonical_type(type_name)
        if canonical:
            return canonical
        if type_name.lower() in COMPOSITE_TYPES:
            return COMPOSITE_TYPES[type_name.lower()]
        if type_name in self.blocks:
            return "block"
        if ":" in type_name:
            head = type_name.split(":")[0].strip()
            raise SpecError(f"'{type_name[:40]}' is not a layer type: put a space after ':', "
                            f"e.g. '- {head}: {{kernel: 3}}'", **where)
        known = [*CATALOG, *ALIASES, *COMPOSITE_TYPES, *self.blocks]
        hint = suggest(type_name, known)
        if not hint:  # nothing close: list what exists (canonical names and blocks)
            names = [*CATALOG, *dict.fromkeys(COMPOSITE_TYPES), *self.blocks]
            hint = f" (types: {', '.join(names)})"
        raise SpecError(f"unknown layer type '{type_name[:40]}'{hint}", **where)

    def default_name(self, type_name: str) -> str:
        self.counters[type_name] += 1
        return f"{type_name}{self.counters[type_name]}"

    def count(self, where) -> None:
        self.nodes += 1
        if self.nodes > LAYERS.value:
            raise LAYERS.error(**where)

    def one(self, kind, type_name, options, name, env, stack, prefix, where) -> list[Node]:
        """The nodes of one entry, each built with its path, location and expectations."""
        self.count(where)
        path = prefix + name
        expect = self.expectations(options.get("expect"), options, "expect", where, env)
        fields = {"path": path, "where": where, "expect": expect}
        if kind == "block":
            nodes = [self.block_call(type_name, options, name, env, stack, fields)]
        elif kind == "sequential":
            self.allow(options, ("layers",), where)
            children = self.entries(self.required(options, "layers", where), env, stack,
                                    path + ".")
            nodes = [Sequential(name, children, **fields)]
        elif kind == "residual":
            nodes = [self.residual(options, name, env, stack, fields)]
        elif kind == "concat" and "from" not in options:
            nodes = [self.concat(options, name, env, stack, fields)]
        elif kind in MERGE_KINDS:
            nodes = [self.merge(kind, options, name, env, fields)]
        elif kind in ("gate", "split", "aux"):
            nodes = [getattr(self, kind)(options, name, env, stack, fields)]
        else:
            rank = RANKED_ALIASES.get(type_name.lower())  # conv1d checks its input's rank
            nodes = self.single(kind, options, name, env, {**fields, "rank": rank}, prefix)
        return nodes

    def allow(self, options, allowed, where) -> None:
        for key in options:
            if key not in allowed and key not in COMMON_KEYS:
                valid = [*allowed, *COMMON_KEYS]
                raise self.fail_key(f"unknown option '{key}'{suggest(str(key), valid)} "
                                    f"(options: {', '.join(valid)})", options, key,
                                    **layer_fields(where))

    def required(self, options, key, where):
        if key not in options:
            raise SpecError(f"missing required option '{key}'", **where)
        return options[key]

    def value(self, options, key, env, where, normalise):
        """Read one option: substitute $params, normalise, and locate any error."""
        def read():
            return normalise(self.substitute(options[key], env))
        return self.located(read, options, key, **layer_fields(where))

    def substitute(self, value, env):
        if isinstance(value, str) and value.startswith("$"):
            if value.startswith("${") and value.endswith("}"):
                return expr.evaluate(value[2:-1], env)
            name = value[1:]
            if name not in env:
                scope = (f"parameters: {', '.join(sorted(env))}" if env
                         else "'$' parameters work only inside blocks")
                raise SpecError(f"unknown parameter '${name}'{suggest(name, env)} ({scope})")
            return env[name]
        if isinstance(value, list):  # [$h, $w]; one level only, so shared aliases stay cheap
            return [item if isinstance(item, list) else self.substitute(item, env)
                    for item in value]
        return value

    def single(self, kind, options, name, env, fields, prefix) -> list[Node]:
        where = fields["where"]
        cls = CATALOG[kind]
        allowed = (*cls.OPTIONS, *(("activation",) if kind in WITH_ACTIVATION else ()),
                   *(("to",) if cls.aims else ()))
        self.allow(options, allowed, where)
        values = {}
        target = None
        if "to" in options:
            target = self.resolve(self.substitute(options["to"], env),
                                  {**where, **position(options, "to", self.file)}, "to")
            clash = [key for key in cls.OPTIONS if key in options and key != "mode"]
            if clash or target == PREVIOUS:
                raise SpecError(f"'to:' sets the size of this {kind} from "
                                + (f"another tensor; drop '{clash[0]}'" if clash else
                                   "an earlier named tensor, not 'previous'"), **where)
        for key, option in cls.OPTIONS.items():
            if key in options:
                values[key] = self.value(options, key, env, where,
                                         lambda v, o=option, k=key: o.normalise(v, k))
            elif option.required and target is None:
                raise SpecError(f"missing required option '{key}' (e.g. "
                                f"'- {kind}: {{{key}: …}}')", **where)
        if kind == "conv" and "filters" not in values and not values.get("depthwise"):
            raise SpecError("missing required option 'filters' (the number of output "
                            "channels K)", **where)
        layer: Layer = cls(name, **fields, **values)
        layer.target = target
        nodes: list[Node] = [layer]
        if options.get("activation") not in (None, "none"):
            activation = self.activation(options, env, where, prefix)
            if activation:
                nodes.append(activation)
        return nodes

    def activation(self, options, env, where, prefix: str) -> Layer | None:
        """The layer an `activation:` option appends, named in the scope `prefix`."""
        def read(value):
            if value is None or (isinstance(value, str) and value.lower() == "none"):
                return None
            if not isinstance(value, str) or canonical_type(value) not in ACTIVATIONS:
                raise SpecError(f"activation must be one of {', '.join(ACTIVATIONS)}, got "
                                f"{show(value)}"
                                + suggest(value if isinstance(value, str) else "", ACTIVATIONS))
            return canonical_type(value)
        kind = self.value(options, "activation", env, where, read)
        if kind is None:
            return None
        self.count(where)
        name = self.default_name(kind)
        layer = CATALOG[kind](name, path=prefix + name, where=where)
        layer.appended_to = where.get("layer_name", "").removeprefix(prefix) or None
        return layer


def _check_name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"name must be a non-empty string, got {show(value)}")
    return value.strip()
