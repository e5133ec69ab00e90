"""Reusable blocks: their definitions, their calls with $parameters, and the expansion count
that refuses an alias bomb before anything is built (SPEC §2, §5)."""

from __future__ import annotations

import re
from collections import ChainMap

from ..engine.layers import canonical_type
from ..engine.model import COMPOSITE_TYPES, Sequential
from ..errors import CnnCalcError, SpecError, show, suggest
from ..limits import BLOCK_DEPTH, LAYERS
from .yamlread import MarkedDict, MarkedList, layer_fields, position

COMMON_KEYS = ("name", "expect", "repeat", "from")


class BlockReader:
    """The `blocks:` part of the spec reader (a mixin of spec.builder.SpecReader)."""

    required_by_block: dict[str, list]  # block name → its parameters without a default

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
        if _expanded_size(layers, {}, self.blocks) > LAYERS.value:
            raise LAYERS.error(**position(container, key, self.file))

    def required_params(self, block: str, params) -> list:
        """The parameters of a block that have no default (null), computed once per block."""
        if block not in self.required_by_block:
            self.required_by_block[block] = [key for key, value in params.items()
                                              if value is None]
        return self.required_by_block[block]

    def block_call(self, block, options, name, env, stack, fields) -> Sequential:
        path, where = fields["path"], fields["where"]
        if block in stack:
            chain = " → ".join((*stack, block))
            raise SpecError(f"block '{block}' calls itself ({chain}); blocks cannot recurse",
                            **where)
        if len(stack) >= BLOCK_DEPTH.value:
            raise BLOCK_DEPTH.error(**where)
        definition = self.blocks[block]
        params = definition.get("params") or MarkedDict()
        given: dict = {}
        for key in options:
            if key in COMMON_KEYS:
                continue
            if key not in params:
                known = ", ".join(map(str, params)) or "none"
                raise self.fail_key(f"unknown parameter '{key}' for block '{block}'"
                                    f"{suggest(str(key), list(map(str, params)))} (parameters: "
                                    f"{known})", options, key, **layer_fields(where))
            given[key] = self.value(options, key, env, where, lambda v: v)
        # The call's values over the definition's defaults, without copying the defaults:
        # a block with 100,000 parameters called 1,000 times must not copy them 1,000 times.
        inner = ChainMap(given, params)
        missing = [key for key in self.required_params(block, params) if inner[key] is None]
        if missing:
            raise SpecError(f"block '{block}' needs a value for parameter "
                            f"'{missing[0]}'", **where)
        try:
            children = self.entries(definition["layers"], inner, (*stack, block), path + ".")
        except CnnCalcError as error:
            raise error.inside(block, path, where["line"]) from None
        return Sequential(name, children, kind=block, **fields)


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
            inner += [options.get(key) for key in ("layers", "body", "shortcut")]  # aux, gate
            branches = options.get("branches")
            inner += branches if isinstance(branches, list) else []
        count = 1 + sum(_expanded_size(part, memo, blocks) for part in inner
                        if isinstance(part, list))
        repeat = options.get("repeat") if isinstance(options, dict) else None
        if isinstance(repeat, int) and not isinstance(repeat, bool) and repeat > 1:
            count *= repeat
        total = min(total + count, LAYERS.value + 1)
    memo[id(items)] = total
    return total
