"""Composite entries: residual sums, concatenations (SPEC §2), merges of named tensors, gates,
channel splits and auxiliary heads (SPEC §7)."""

from __future__ import annotations

from ..engine.model import Aux, Concat, Gate, Merge, Residual, Split
from ..engine.options import check_int
from ..errors import SpecError, show
from .yamlread import MarkedList, layer_fields


class CompositeReader:
    """The composite entries of the spec reader (a mixin of SpecReader)."""

    def residual(self, options, name, env, stack, fields) -> Residual:
        path, where = fields["path"], fields["where"]
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
        activation = (self.activation(options, env, where, path + ".")
                      if "activation" in options else None)
        return Residual(name, body, shortcut, activation, **fields)

    def concat(self, options, name, env, stack, fields) -> Concat:
        path, where = fields["path"], fields["where"]
        self.allow(options, ("branches", "crop"), where)
        branches = self.required(options, "branches", where)
        if not isinstance(branches, MarkedList) or not branches or not all(
                isinstance(branch, MarkedList) for branch in branches):
            raise self.fail("'branches' must be a list of layer lists, e.g. [[], [conv…]]",
                            options, "branches", **layer_fields(where))
        built = [self.entries(branch, env, stack, f"{path}.branch{i}.")
                 for i, branch in enumerate(branches, 1)]
        crop = "none"
        if "crop" in options:
            crop = self.value(options, "crop", env, where, _crop)
        return Concat(name, built, crop, **fields)

    def merge(self, kind, options, name, env, fields) -> Merge:
        where = fields["where"]
        self.allow(options, ("crop",) if kind == "concat" else (), where)
        if "from" not in options:
            raise SpecError(f"'{kind}' needs 'from:' with the tensors to {kind}, e.g. "
                            f"'- {kind}: {{from: [previous, stem]}}'", **where)
        names = self.substitute(options["from"], env)
        sources = self.resolve_all(names, {**where, **layer_fields(where)})
        crop = self.value(options, "crop", env, where, _crop) if "crop" in options else "none"
        return Merge(name, kind, sources, crop, **fields)

    def gate(self, options, name, env, stack, fields) -> Gate:
        path, where = fields["path"], fields["where"]
        self.allow(options, ("body",), where)
        body = self.entries(self.required(options, "body", where), env, stack, path + ".")
        if not body:
            raise SpecError("a gate's 'body' must have at least one layer (the gate values)",
                            **where)
        return Gate(name, body, **fields)

    def split(self, options, name, env, stack, fields) -> Split:
        path, where = fields["path"], fields["where"]
        self.allow(options, ("branches", "sizes"), where)
        branches = self.required(options, "branches", where)
        if not isinstance(branches, MarkedList) or len(branches) < 2 or not all(
                isinstance(branch, MarkedList) for branch in branches):
            raise self.fail("'branches' of a split must be two or more layer lists, e.g. "
                            "[[], [conv…]] ([] keeps a part as it is)", options, "branches",
                            **layer_fields(where))
        sizes = None
        if "sizes" in options:
            sizes = self.value(options, "sizes", env, where, _sizes)
            if len(sizes) != len(branches):
                raise self.fail(f"split has {len(branches)} branches but {len(sizes)} sizes "
                                f"{show(sizes)}; give one size per branch", options, "sizes",
                                **layer_fields(where))
        built = [self.entries(branch, env, stack, f"{path}.branch{i}.")
                 for i, branch in enumerate(branches, 1)]
        return Split(name, built, sizes, **fields)

    def aux(self, options, name, env, stack, fields) -> Aux:
        path, where = fields["path"], fields["where"]
        self.allow(options, ("layers",), where)
        layers = self.entries(self.required(options, "layers", where), env, stack, path + ".")
        if not layers:
            raise SpecError("an aux head needs at least one layer", **where)
        return Aux(name, layers, **fields)


def _sizes(value) -> list[int]:
    if not isinstance(value, list) or not value:
        raise SpecError(f"sizes must be a list of channel counts like [58, 58], got {show(value)}")
    return [check_int(size, "split size", 1) for size in value]


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
