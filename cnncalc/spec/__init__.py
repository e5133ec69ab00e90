"""YAML spec → engine model. The only package that imports yaml."""

from .builder import load, loads
from .builtins import builtin_names, builtin_text

__all__ = ["builtin_names", "builtin_text", "load", "loads"]
