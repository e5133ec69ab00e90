"""YAML spec → layer tree: entries, repeat, reusable blocks with $params (SPEC §1–2).

The only module that knows the spec language; everything after it sees normalised layers.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..engine.layers import ACTIVATIONS, ALIASES, CATALOG, Layer, canonical_type
from ..engine.model import (
    COMPOSITE_TYPES,
    Concat,
    Expectation,
    Network,
    Node,
    Residual,
    Sequential,
)
from ..engine.options import check_int
from ..engine.shapes import parse_shape
from ..errors import CnnCalcError, LimitError, SpecError, show, suggest
from . import expr
from .builtins import builtin_names, builtin_text
from .files import read_spec_file
from .yamlread import MarkedDict, MarkedList, read_yaml

MAX_LAYERS = 100_000
MAX_BLOCK_DEPTH = 64
TOO_MANY_LAYERS = (f"more than {MAX_LAYERS:,} layers after expanding repeats, blocks and YAML "
                   "aliases; lower a 'repeat' or use fewer aliases")
MAX_NESTING = 100  # layer lists inside layer lists; keeps recursion well in bounds
TOP_KEYS = ("name", "description", "input", "batch", "layers", "expect", "blocks")
COMMON_KEYS = ("name", "expect", "repeat")
FIGURES = ("output", "params", "weights", "biases", "buffers", "neurons", "connections",
           "macs", "flops", "rf")
WITH_ACTIVATION = ("conv", "convtranspose", "dense")


def load(source: str | Path) -> Network:
    """A spec from a path, a built-in name ('alexnet' or 'alexnet.yaml') or YAML text."""
    if isinstance(source, Path) or "\n" not in str(source):
        path = Path(source)
        if path.is_file():
            text = read_spec_file(path)
            return loads(text, file=str(path), default_name=path.stem)
        text = builtin_text(str(source))
        if text is not None:
            stem = Path(str(source)).name.removesuffix(".yaml")
            return loads(text, file=f"{stem}.yaml", default_name=stem)
        if path.suffix in (".yaml", ".yml") or ":" not in str(source):
            raise SpecError(f"no such file or built-in architecture: '{source}'"
                            f"{suggest(Path(str(source)).stem, builtin_names())} "
                            "(`cnncalc list` shows the built-ins)")
    return loads(str(source))


def loads(text: str, file: str = "<spec>", default_name: str = "network") -> Network:
    """A spec from YAML text."""
    document = read_yaml(text, file)
    if not isinstance(document, MarkedDict):
        kind = "a list" if isinstance(document, list) else f"the value {show(document)}"
        raise SpecError(f"the top level must be a mapping with 'input:' and 'layers:', found "
                        f"{kind}", file=file, line=1)
    return _Builder(file, document).network(default_name)


def _at(container, key, file: str, **layer) -> dict[str, Any]:
    """Location fields for a value inside a MarkedDict/MarkedList."""
    line = column = None
    marks = getattr(container, "marks", None)
    if isinstance(marks, dict) and key in marks:
        line, column = marks[key]
    elif isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        line, column = marks[key]
    elif hasattr(container, "mark"):
        line, column = container.mark
    return {"file": file, "line": line, "column": column, **layer}


class _Builder:
    def __init__(self, file: str, document: MarkedDict) -> None:
        self.file = file
        self.document = document
        self.counters: Counter[str] = Counter()
        self.nodes = 0
        self.depth = 0
        self.blocks: dict[str, MarkedDict] = {}

    def fail(self, message: str, container, key, **layer) -> SpecError:
        return SpecError(message, **_at(container, key, self.file, **layer))

    def fail_key(self, message: str, container, key, **layer) -> SpecError:
        """An error about a key itself (unknown, misnamed): point at the key, not its value."""
        where = _at(container, key, self.file, **layer)
        key_marks = getattr(container, "key_marks", {})
        if key in key_marks:
            where["line"], where["column"] = key_marks[key]
        return SpecError(message, **where)

    # -- the top level -------------------------------------------------------------------
    def network(self, default_name: str) -> Network:
        doc = self.document
        for key in doc:
            if key not in TOP_KEYS:
                raise self.fail_key(f"unknown top-level key '{key}'{suggest(str(key), TOP_KEYS)} "
                                    f"(allowed: {', '.join(TOP_KEYS)})", doc, key)
        for required in ("input", "layers"):
            if required not in doc:
                raise SpecError(f"the spec has no '{required}:'; add e.g. "
                                + ("'input: 32x32x3'" if required == "input" else
                                   "'layers: [...]'"), file=self.file, line=doc.mark[0])
        shape = self.located(lambda: parse_shape(doc["input"]), doc, "input")
        batch = self.located(lambda: check_int(doc.get("batch", 1), "batch", 1), doc, "batch")
        self.blocks = self.block_definitions(doc.get("blocks"))
        layers = doc["layers"]
        if not isinstance(layers, MarkedList) or not layers:
            raise self.fail("'layers' must be a non-empty list of layer entries", doc, "layers")
        self.check_expansion(layers, doc, "layers")
        tree = self.entries(layers, {}, (), "")
        name = self.text(doc, "name", default_name)
        description = self.text(doc, "description", "")
        expect = self.expectations(doc.get("expect"), doc, "expect", {}, {})
        return Network(name=str(name), input=shape, layers=tree, batch=batch,
                       description=str(description or ""), expect=expect, file=self.file)

    def text(self, doc, key: str, default: str) -> str:
        value = doc.get(key, default)
        if isinstance(value, (list, dict)):
            raise self.fail(f"'{key}' must be text, got {show(value)}", doc, key)
        return default if value is None else value

    def located(self, action, container, key, **layer):
        try:
            return action()
        except CnnCalcError as error:
            raise error.locate(**_at(container, key, self.file, **layer)) from None

    def block_definitions(self, blocks) -> dict[str, MarkedDict]:
        if blocks is None:
            return {}
        if not isinstance(blocks, MarkedDict):
            raise self.fail("'blocks' must map block names to {params, layers}", self.document,
                            "blocks")
        for name, body in blocks.items():
            if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_][\w-]*", name):
                raise self.fail_key(f"block name {show(name)} must be a word", blocks, name)
            if canonical_type(name) or name.lower() in COMPOSITE_TYPES:
                raise self.fail_key(f"block '{name}' has the name of a layer type; rename it",
                                    blocks, name)
            if not isinstance(body, MarkedDict) or "layers" not in body:
                raise self.fail(f"block '{name}' needs 'layers:' (and optional 'params:')",
                                blocks, name)
            for key in body:
                if key not in ("params", "layers", "description"):
                    raise self.fail_key(f"unknown key '{key}' in block '{name}' (allowed: params, "
                                        "layers, description)", body, key)
            params = body.get("params") or MarkedDict()
            if not isinstance(params, MarkedDict):
                raise self.fail(f"'params' of block '{name}' must map names to defaults",
                                body, "params")
            if isinstance(body["layers"], MarkedList):
                self.check_expansion(body["layers"], body, "layers")
        return dict(blocks)

    def check_expansion(self, layers, container, key) -> None:
        """Refuse an alias bomb before building anything: count what the lists expand to."""
        if _expanded_size(layers, {}, self.blocks) > MAX_LAYERS:
            raise LimitError(TOO_MANY_LAYERS, **_at(container, key, self.file))

    # -- entries -----------------------------------------------------------------------
    def entries(self, items, env: dict, stack: tuple, prefix: str) -> list[Node]:
        if not isinstance(items, MarkedList):
            raise SpecError("expected a list of layer entries", file=self.file)
        # Aliases can nest composites deeper than the YAML text does (or forever): bound it.
        if self.depth >= MAX_NESTING:
            raise LimitError(f"layers nested more than {MAX_NESTING} levels deep (through YAML "
                             "aliases or blocks); flatten the structure", file=self.file,
                             line=items.mark[0], column=items.mark[1])
        self.depth += 1
        try:
            return self.entry_list(items, env, stack, prefix)
        finally:
            self.depth -= 1

    def entry_list(self, items, env: dict, stack: tuple, prefix: str) -> list[Node]:
        nodes: list[Node] = []
        names: dict[str, int] = {}
        for index in range(len(items)):
            for node in self.entry(items, index, env, stack, prefix):
                if node.name in names:
                    raise SpecError(f"duplicate name '{node.name}' in one scope (also layer "
                                    f"{names[node.name]}); names must be unique",
                                    **_at(items, index, self.file, layer_index=index + 1,
                                          layer_name=prefix + node.name, layer_type=node.type))
                names[node.name] = index + 1
                nodes.append(node)
        return nodes

    def entry(self, items, index, env, stack, prefix) -> list[Node]:
        item = items[index]
        where = _at(items, index, self.file, layer_index=index + 1)
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
        if repeat == 1:
            return self.one(kind, type_name, options, base, env, stack, prefix, where)
        copies: list[Node] = []
        for copy in range(1, repeat + 1):
            name = f"{base}.{copy}"
            copy_where = {**where, "layer_name": prefix + name}
            built = self.one(kind, type_name, options, name, env, stack, prefix, copy_where)
            copies.extend(built)
        return copies

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
            names = [*CATALOG, "sequential", "residual", "concat", *self.blocks]
            hint = f" (types: {', '.join(names)})"
        raise SpecError(f"unknown layer type '{type_name[:40]}'{hint}", **where)

    def default_name(self, type_name: str) -> str:
        self.counters[type_name] += 1
        return f"{type_name}{self.counters[type_name]}"

    def count(self, where) -> None:
        self.nodes += 1
        if self.nodes > MAX_LAYERS:
            raise LimitError(TOO_MANY_LAYERS, **where)

    def one(self, kind, type_name, options, name, env, stack, prefix, where) -> list[Node]:
        self.count(where)
        path = prefix + name
        if kind == "block":
            nodes = [self.block_call(type_name, options, name, env, stack, path, where)]
        elif kind == "sequential":
            self.allow(options, ("layers",), where)
            children = self.entries(self.required(options, "layers", where), env, stack,
                                    path + ".")
            nodes = [Sequential(name, children)]
        elif kind == "residual":
            nodes = [self.residual(options, name, env, stack, path, where)]
        elif kind == "concat":
            nodes = [self.concat(options, name, env, stack, path, where)]
        else:
            nodes = self.single(kind, options, name, env, where)
        head = nodes[0]
        head.path = path
        head.where = where
        head.expect = self.expectations(options.get("expect"), options, "expect", where, env)
        for extra in nodes[1:]:
            extra.path = prefix + extra.name
        return nodes

    def allow(self, options, allowed, where) -> None:
        for key in options:
            if key not in allowed and key not in COMMON_KEYS:
                valid = [*allowed, *COMMON_KEYS]
                raise self.fail_key(f"unknown option '{key}'{suggest(str(key), valid)} "
                                    f"(options: {', '.join(valid)})", options, key, **_layer(where))

    def required(self, options, key, where):
        if key not in options:
            raise SpecError(f"missing required option '{key}'", **where)
        return options[key]

    def value(self, options, key, env, where, normalise):
        """Read one option: substitute $params, normalise, and locate any error."""
        def read():
            return normalise(self.substitute(options[key], env))
        return self.located(read, options, key, **_layer(where))

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

    def single(self, kind, options, name, env, where) -> list[Node]:
        cls = CATALOG[kind]
        allowed = (*cls.OPTIONS, *(("activation",) if kind in WITH_ACTIVATION else ()))
        self.allow(options, allowed, where)
        values = {}
        for key, option in cls.OPTIONS.items():
            if key in options:
                values[key] = self.value(options, key, env, where,
                                         lambda v, o=option, k=key: o.normalise(v, k))
            elif option.required:
                raise SpecError(f"missing required option '{key}' (e.g. "
                                f"'- {kind}: {{{key}: …}}')", **where)
        if kind == "conv" and "filters" not in values and not values.get("depthwise"):
            raise SpecError("missing required option 'filters' (the number of output "
                            "channels K)", **where)
        layer: Layer = cls(name, **values)
        nodes: list[Node] = [layer]
        if options.get("activation") not in (None, "none"):
            activation = self.activation(options, env, where)
            if activation:
                nodes.append(activation)
        return nodes

    def activation(self, options, env, where) -> Layer | None:
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
        layer = CATALOG[kind](self.default_name(kind))
        layer.where, layer.expect = where, []
        return layer

    def residual(self, options, name, env, stack, path, where) -> Residual:
        self.allow(options, ("body", "shortcut", "activation"), where)
        body = self.entries(self.required(options, "body", where), env, stack, path + ".body.")
        if not body:
            raise SpecError("a residual 'body' must have at least one layer", **where)
        shortcut = options.get("shortcut", "auto")
        if isinstance(shortcut, MarkedList):
            shortcut = self.entries(shortcut, env, stack, path + ".shortcut.")
        else:
            shortcut = self.value(options, "shortcut", env, where, _shortcut) \
                if "shortcut" in options else "auto"
        activation = self.activation(options, env, where) if "activation" in options else None
        if activation is not None:
            activation.path = f"{path}.{activation.name}"
        return Residual(name, body, shortcut, activation)

    def concat(self, options, name, env, stack, path, where) -> Concat:
        self.allow(options, ("branches", "crop"), where)
        branches = self.required(options, "branches", where)
        if not isinstance(branches, MarkedList) or not branches or not all(
                isinstance(branch, MarkedList) for branch in branches):
            raise self.fail("'branches' must be a list of layer lists, e.g. [[], [conv…]]",
                            options, "branches", **_layer(where))
        built = [self.entries(branch, env, stack, f"{path}.branch{i}.")
                 for i, branch in enumerate(branches, 1)]
        crop = "none"
        if "crop" in options:
            crop = self.value(options, "crop", env, where, _crop)
        return Concat(name, built, crop)

    def block_call(self, block, options, name, env, stack, path, where) -> Sequential:
        if block in stack:
            chain = " → ".join((*stack, block))
            raise SpecError(f"block '{block}' calls itself ({chain}); blocks cannot recurse",
                            **where)
        if len(stack) >= MAX_BLOCK_DEPTH:
            raise LimitError(f"blocks nested more than {MAX_BLOCK_DEPTH} deep", **where)
        definition = self.blocks[block]
        params = definition.get("params") or MarkedDict()
        inner = dict(params)
        for key in options:
            if key in COMMON_KEYS:
                continue
            if key not in params:
                known = ", ".join(map(str, params)) or "none"
                raise self.fail_key(f"unknown parameter '{key}' for block '{block}'"
                                    f"{suggest(str(key), list(map(str, params)))} (parameters: "
                                    f"{known})", options, key, **_layer(where))
            inner[key] = self.value(options, key, env, where, lambda v: v)
        missing = [key for key, value in inner.items() if value is None]
        if missing:
            raise SpecError(f"block '{block}' needs a value for parameter "
                            f"'{missing[0]}'", **where)
        try:
            children = self.entries(definition["layers"], inner, (*stack, block), path + ".")
        except CnnCalcError as error:
            raise error.inside(block, path, where["line"]) from None
        return Sequential(name, children, kind=block)

    # -- expectations -------------------------------------------------------------------
    def expectations(self, expect, container, key, where, env) -> list[Expectation]:
        """The `expect` mapping, each value substituted and normalised ('55x55x96' → shape)."""
        if expect is None:
            return []
        if not isinstance(expect, MarkedDict):
            raise self.fail("'expect' must map figures to values, e.g. {output: 28x28x6, "
                            "params: 456}", container, key, **_layer(where))
        found = []
        for figure, value in expect.items():
            if figure not in FIGURES:
                raise self.fail_key(f"unknown figure '{figure}' in expect"
                                    f"{suggest(str(figure), FIGURES)} (figures: "
                                    f"{', '.join(FIGURES)})", expect, figure, **_layer(where))
            at = _at(expect, figure, self.file, **_layer(where))
            try:
                normalised = normalise_expected(str(figure), self.substitute(value, env))
            except CnnCalcError as error:
                raise error.locate(**at) from None
            found.append(Expectation(str(figure), normalised, at))
        return found


def normalise_expected(figure: str, value: Any) -> Any:
    """'55x55x96' → (55, 55, 96); '34,944' → 34944; rf 11 → (11, 11)."""
    if figure == "output":
        return parse_shape(value)
    if figure == "rf" and isinstance(value, list):
        return tuple(check_int(v, "rf", 1) for v in value)
    if isinstance(value, str) and re.fullmatch(r"\d{1,3}(,\d{3})+|\d+", value.strip()):
        value = int(value.strip().replace(",", ""))
    number = check_int(value, figure, 0)
    return (number, number) if figure == "rf" else number


def _expanded_size(items: list, memo: dict[int, int], blocks: dict) -> int:
    """Entries a layer list expands to, each alias, repeat and block call counted every time
    it is used; memoised per list, so a billion-laughs structure costs only its distinct
    lists."""
    if id(items) in memo:
        return memo[id(items)]
    memo[id(items)] = 0  # a cycle: the nesting or recursion check reports it
    total = 0
    for item in items:
        type_name, options = item, None
        if isinstance(item, dict) and len(item) == 1:
            type_name, options = next(iter(item.items()))
        inner = []
        if isinstance(type_name, str) and isinstance(blocks.get(type_name), dict):
            inner.append(blocks[type_name].get("layers"))
        if isinstance(options, dict):
            inner += [options.get(key) for key in ("layers", "body", "shortcut")]
            branches = options.get("branches")
            inner += branches if isinstance(branches, list) else []
        count = 1 + sum(_expanded_size(part, memo, blocks) for part in inner
                        if isinstance(part, list))
        repeat = options.get("repeat") if isinstance(options, dict) else None
        if isinstance(repeat, int) and not isinstance(repeat, bool) and repeat > 1:
            count *= repeat
        total = min(total + count, MAX_LAYERS + 1)
    memo[id(items)] = total
    return total


def _layer(where: dict) -> dict:
    return {key: where[key] for key in ("layer_index", "layer_name", "layer_type")
            if key in where}


def _check_name(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"name must be a non-empty string, got {show(value)}")
    return value.strip()


def _shortcut(value) -> str:
    if isinstance(value, str) and value.lower() in ("identity", "projection", "auto"):
        return value.lower()
    raise SpecError(f"shortcut must be identity, projection, auto or a list of layers, got "
                    f"{show(value)}")


def _crop(value) -> str:
    if isinstance(value, str) and value.lower() in ("none", "center", "centre"):
        return "center" if value.lower() != "none" else "none"
    if value is None:
        return "none"
    raise SpecError(f"crop must be none or center, got {show(value)}")
