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
