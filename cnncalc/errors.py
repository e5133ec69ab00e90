"""Errors a user's input can cause. The CLI prints them as one line, never a traceback."""

from __future__ import annotations


class CnnCalcError(Exception):
    """Base of every user-facing error; carries where in the spec it happened."""

    exit_code = 1

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 column: int | None = None, layer_index: int | None = None,
                 layer_name: str | None = None, layer_type: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.layer_index = layer_index
        self.layer_name = layer_name
        self.layer_type = layer_type

    def locate(self, **where) -> CnnCalcError:
        """Fill in location fields that are still unknown (inner code knows less)."""
        for key, value in where.items():
            if value is not None and getattr(self, key) is None:
                setattr(self, key, value)
        return self

    def inside(self, block: str, path: str, line: int | None) -> CnnCalcError:
        """Name the block call the error happened in; nested calls add one note each."""
        self.calls = getattr(self, "calls", 0) + 1
        at = f" at line {line}" if line is not None else ""
        if self.calls <= 3:  # the innermost calls say enough; deep nesting would flood
            self.message += f" (in block '{block}' called as '{path}'{at})"
        elif self.calls == 4:
            self.message += " (…)"
        return self

    def prefix(self) -> str:
        parts = []
        if self.file:
            position = self.file
            if self.line is not None:
                position += f":{self.line}"
                if self.column is not None:
                    position += f":{self.column}"
            parts.append(position)
        if self.layer_name is not None or self.layer_index is not None:
            layer = "layer"
            if self.layer_index is not None:
                layer += f" {self.layer_index}"
            if self.layer_name is not None:
                layer += f" '{self.layer_name}'"
            if self.layer_type is not None:
                layer += f" ({self.layer_type})"
            parts.append(layer)
        return ": ".join(parts)

    def __str__(self) -> str:
        prefix = self.prefix()
        return f"{prefix}: {self.message}" if prefix else self.message


class SpecError(CnnCalcError):
    """The spec file is not valid: YAML, types, options or values."""


class ShapeError(CnnCalcError):
    """The layer arithmetic is impossible for the shapes involved."""


class LimitError(CnnCalcError):
    """The input exceeds a safety limit (size, nesting, expansion)."""


def show(value: object, limit: int = 60) -> str:
    """A user's value as YAML would write it, kept short: messages must stay small and fast
    even for an aliased structure that would expand to billions of items."""
    text = _show(value, 3)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _show(value: object, depth: int) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value) if abs(value) < 10**20 else "a huge integer"
    if isinstance(value, str):
        return repr(value[:60])
    if isinstance(value, list):
        if depth == 0:
            return "[…]"
        parts = [_show(item, depth - 1) for item in value[:4]]
        return "[" + ", ".join(parts + ["…"] * (len(value) > 4)) + "]"
    if isinstance(value, dict):
        if depth == 0:
            return "{…}"
        parts = [f"{key}: {_show(item, depth - 1)}" for key, item in list(value.items())[:4]]
        return "{" + ", ".join(parts + ["…"] * (len(value) > 4)) + "}"
    return str(value)[:60]

def suggest(name: str, known) -> str:
    """' (did you mean 'maxpool'?)' or '' — for unknown types, options and parameters."""
    import difflib  # only on the error path

    close = difflib.get_close_matches(name.lower(), list(known), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""
