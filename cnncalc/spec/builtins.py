"""The built-in architectures: YAML files kept in the repository's top-level architectures/.

pyproject.toml installs that folder as the package data `cnncalc.architectures`, so the
same lookup serves a source checkout (editable install) and a plain `pip install .`.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.abc import Traversable


def _folder() -> Traversable:
    return resources.files("cnncalc.architectures")


def builtin_names() -> list[str]:
    """Every built-in's name, sorted ('alexnet', 'resnet50', …)."""
    return sorted(entry.name[:-5] for entry in _folder().iterdir() if entry.name.endswith(".yaml"))


def builtin_text(name: str) -> str | None:
    """The YAML of the built-in called `name` (with or without .yaml), or None."""
    stem = name[:-5] if name.endswith(".yaml") else name
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem):
        return None
    entry = _folder() / f"{stem}.yaml"
    return entry.read_text(encoding="utf-8") if entry.is_file() else None
