"""`cnncalc check`: load, analyse and judge several specs without stopping at the first."""

from __future__ import annotations

from dataclasses import dataclass

from ..engine.analysis import Analysis, Check, Row, analyze
from ..errors import CnnCalcError
from .builder import load


@dataclass
class FileCheck:
    """The verdict on one spec: a load error, failed expectations, layers that do not fit."""

    source: str
    analysis: Analysis | None = None
    error: str | None = None
    strict: bool = False

    @property
    def failed(self) -> list[Check]:
        return self.analysis.failed_checks if self.analysis else []

    @property
    def misfits(self) -> list[Row]:
        return self.analysis.misfits if self.analysis else []

    @property
    def ok(self) -> bool:
        """Load errors and ✗ expectations fail; does-not-fit only with strict (as summary)."""
        return self.error is None and not self.failed and not (self.strict and self.misfits)


def check_file(source: str, strict: bool = False, loader=load) -> FileCheck:
    """`loader` lets the caller accept more than YAML (cnncalc.load reads .onnx too)."""
    try:
        return FileCheck(source, analyze(loader(source)), strict=strict)
    except CnnCalcError as error:
        return FileCheck(source, error=str(error), strict=strict)
    except (OSError, ValueError) as error:  # a path too long, a folder that cannot be read
        # (load() checks existence with Path.is_file, which raises for these)
        reason = getattr(error, "strerror", None) or "not a usable path"
        return FileCheck(source, error=f"no such file or built-in architecture ({reason})",
                         strict=strict)


def check_files(sources: list[str], strict: bool = False, loader=load) -> list[FileCheck]:
    return [check_file(source, strict, loader) for source in sources]
