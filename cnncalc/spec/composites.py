"""Composite entries: residual sums and channel concatenations (SPEC §2)."""

from __future__ import annotations

from ..engine.model import Concat, Residual
from ..errors import SpecError, show
from .yamlread import MarkedList, layer_fields


class CompositeReader:
    """The `residual:` and `concat:` entries of the spec reader (a mixin of SpecReader)."""

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
