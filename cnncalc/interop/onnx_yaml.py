"""The spec text an import writes: plain flow YAML by hand (spec/ is the only yaml importer).

Entries are dicts: a layer {type, name, original, options, from?}, a merge {type: add |
multiply | concat, name, from: [...]}, or a composite (residual, concat, gate, split, aux)
with its parts; `original` is the ONNX node name, written as a comment when it differs.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ..engine.shapes import Shape, shape_str

Entry = dict[str, Any]


def to_yaml(name: str, shape: Shape, entries: list[Entry], source: str, producer: str,
            outputs: list[str] | None = None, inputs: dict[str, Shape] | None = None) -> str:
    lines = [f"# Imported by cnncalc from {source}"
             + (f" (exported by {producer})" if producer else ""), f"name: {_name(name)}"]
    if inputs:
        lines.append("inputs: {" + ", ".join(f"{_name(key)}: {shape_str(value)}"
                                             for key, value in inputs.items()) + "}")
    else:
        lines.append(f"input: {shape_str(shape)}")
    if outputs:
        lines.append(f"outputs: [{', '.join(_name(output) for output in outputs)}]")
    lines.append("layers:")
    _write_entries(entries, lines, "  ")
    return "\n".join(lines) + "\n"


def _write_entries(entries: list[Entry], lines: list[str], indent: str) -> None:
    for entry in entries:
        kind, inner = entry["type"], indent + "    "
        composite = kind in ("residual", "gate", "split", "aux") or "branches" in entry
        if composite:
            lines.append(f"{indent}- {kind}:{_comment(entry)}")
            if entry["name"]:
                lines.append(f"{inner}name: {_name(entry['name'])}")
            if "from" in entry:
                lines.append(f"{inner}from: {_value(entry['from'])}")
        if kind == "residual":
            lines.append(f"{inner}body:")
            _write_entries(entry["body"], lines, inner + "  ")
            if entry["shortcut"] == "identity":
                lines.append(f"{inner}shortcut: identity")
            else:
                lines.append(f"{inner}shortcut:")
                _write_entries(entry["shortcut"], lines, inner + "  ")
        elif kind in ("gate", "aux"):
            lines.append(f"{inner}{'body' if kind == 'gate' else 'layers'}:")
            _write_entries(entry["body"], lines, inner + "  ")
        elif composite:
            if kind == "concat":
                lines.append(f"{inner}crop: {entry['crop']}")
            else:
                lines.append(f"{inner}sizes: {_value(entry['sizes'])}")
            lines.append(f"{inner}branches:")
            for branch in entry["branches"]:
                if not branch:
                    lines.append(f"{inner}  - []")
                    continue
                lines.append(f"{inner}  -")
                _write_entries(branch, lines, inner + "    ")
        else:
            options = {key: value for key, value in entry.get("options", {}).items()
                       if DEFAULTS.get(key, ()) != value}
            if "from" in entry:
                options = {"from": entry["from"], **options}
            if entry["name"]:
                options = {"name": entry["name"], **options}
            body = ", ".join(f"{key}: {_name(value) if key == 'name' else _value(value)}"
                             for key, value in options.items())
            lines.append(f"{indent}- {kind}: {{{body}}}{_comment(entry)}")


# Options left out when they hold the layer's default, to keep the spec readable (stride and
# padding stay: ONNX's defaults are not cnncalc's for pools).
DEFAULTS = {"dilation": [1, 1], "groups": 1, "ceil_mode": False, "output_padding": [0, 0]}
YAML_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}


def _name(name: str) -> str:
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) and name.lower() not in YAML_WORDS:
        return name
    return json.dumps(name)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(item) for item in value) + "]"
    if isinstance(value, str):
        return _name(value)
    if isinstance(value, float):
        return repr(value)
    return str(int(value))


def _comment(entry: Entry) -> str:
    original = entry.get("original") or ""
    if original and original != entry.get("name"):
        return "  # " + original.replace("\n", " ")
    return ""
