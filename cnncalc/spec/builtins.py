"""The built-in architectures: YAML files kept in the repository's top-level architectures/.

pyproject.toml installs that folder as package data beside the code (cnncalc/architectures/
in site-packages). Run from a source checkout (an editable install, or the tests run from the
repository root, which import the checkout's cnncalc) the folder is the repository's own.
"""

from __future__ import annotations

import re
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path


def _folder() -> Traversable:
    installed = resources.files("cnncalc") / "architectures"
    if installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[2] / "architectures"


def builtin_names() -> list[str]:
    """Every built-in's name, sorted ('alexnet', 'resnet50', …)."""
    return sorted(entry.name[:-5] for entry in _folder().iterdir() if entry.name.endswith(".yaml"))


def builtin_text(name: str) -> str | None:
    """The YAML of the built-in called `name` (with or without .yaml, any case: `AlexNet`),
    or None."""
    stem = name[:-5] if name.lower().endswith(".yaml") else name
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", stem):
        return None
    entry = _folder() / f"{stem.lower()}.yaml"  # every built-in's file name is lower case
    try:
        return entry.read_text(encoding="utf-8") if entry.is_file() else None
    except OSError:  # a name too long for the file system is simply not a built-in
        return None
