"""Safe YAML reading that keeps line/column marks and refuses anything that could misbehave.

Only plain YAML is accepted: no object tags, bounded nesting and size. Aliases are shared,
never copied, so an alias bomb costs nothing here (the layer budget in spec.py stops it).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from ..errors import SpecError
from ..limits import INTEGER_DIGITS, MAX_INT, SPEC_BYTES, YAML_NESTING, YAML_VALUES

# libyaml parses ~30× faster than pure Python: a large file must not take minutes.
LOADER = yaml.CSafeLoader if getattr(yaml, "__with_libyaml__", False) else yaml.SafeLoader
MAX_DEPTH = YAML_NESTING.value
MAX_BYTES = SPEC_BYTES.value
MAX_NODES = YAML_VALUES.value  # each costs ~1 KB and ~20 µs to read, so this bounds both
_CORE = "tag:yaml.org,2002:"
ALLOWED_TAGS = {_CORE + name for name in
                ("str", "int", "float", "bool", "null", "map", "seq", "timestamp", "merge")}


class MarkedDict(dict):
    """A mapping that remembers the (line, column) of itself and of each value."""

    mark: tuple[int, int] = (0, 0)
    marks: dict[Any, tuple[int, int]]
    key_marks: dict[Any, tuple[int, int]]  # where each key is written: 'unknown key' points here


class MarkedList(list):
    """A sequence that remembers the (line, column) of itself and of each item."""

    mark: tuple[int, int] = (0, 0)
    marks: list[tuple[int, int]]


def _position(mark) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1)


def read_yaml(text: str, file: str) -> Any:
    """Parse text into MarkedDict/MarkedList/scalars, or raise SpecError/LimitError."""
    # The limit counts bytes: a character takes up to 4. Encode only what may fit.
    size = len(text) if len(text) > MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise SPEC_BYTES.error(size, file=file)
    try:
        _check_depth(text, file)
        node = yaml.compose(text, Loader=LOADER)
    except yaml.MarkedYAMLError as error:
        raise _yaml_error(error, text, file) from None
    except yaml.reader.ReaderError as error:
        raise _reader_error(error, text, file) from None
    except yaml.YAMLError as error:
        raise SpecError(f"invalid YAML: {error}", file=file) from None
    if node is None:
        raise SpecError("the file is empty; a spec needs at least 'input:' and 'layers:'",
                        file=file, line=1)
    return _Converter(file).convert(node)


def _check_depth(text: str, file: str) -> None:
    """Walk parser events (iteratively) so deep nesting and huge documents fail before any
    recursion or allocation."""
    depth = nodes = 0
    for event in yaml.parse(text, Loader=LOADER):
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                line, column = _position(event.start_mark)
                raise YAML_VALUES.error(file=file, line=line, column=column)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _position(event.start_mark)
                raise YAML_NESTING.error(file=file, line=line, column=column)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1


def _reader_error(error: yaml.reader.ReaderError, text: str, file: str) -> SpecError:
    """A character YAML refuses (NUL, other control characters): point at its line and
    column rather than at libyaml's offset into the whole text."""
    character = chr(error.character) if isinstance(error.character, int) else ""
    offset = text.find(character) if character else -1
    if offset < 0:
        offset = min(max(error.position, 0), len(text))
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    name = f"U+{ord(character):04X}" if character else "a character"
    return SpecError(f"invalid YAML: control character {name} is not allowed in a spec; "
                     "remove it", file=file, line=line, column=column)


def _yaml_error(error: yaml.MarkedYAMLError, text: str, file: str) -> SpecError:
    mark = error.problem_mark or error.context_mark
    line, column = _position(mark) if mark else (None, None)
    problem = error.problem or "invalid YAML"
    if "nesting depth" in problem:  # PyYAML ≥ 6.0.4 stops deep nesting itself: our limit's words
        return YAML_NESTING.error(file=file, line=line, column=column)
    if error.context:
        problem = f"{error.context}, {problem}"
    hint = "; check the indentation and that every ':' is followed by a space"
    lines = text.splitlines()
    here = lines[mark.line] if mark and mark.line < len(lines) else ""
    if "\t" in here[:mark.column + 1 if mark else 0]:
        hint = "; YAML does not allow tabs for indentation, use spaces"
    elif "alias" in problem:
        alias = re.match(r"\*([^\s,\]}]*)", here[mark.column:]) if mark else None
        name = alias.group(1) if alias else "name"
        hint = f" '*{name}'; define the anchor first ('&{name}') or remove the '*'"
    elif "quoted scalar" in problem:
        hint = "; a quote is never closed: add the closing quote"
    elif "flow" in problem:
        hint = "; a '{' or '[' is not closed, or items lack a ',' between them"
        if error.context_mark is not None:
            hint += f" (the one opened at line {error.context_mark.line + 1})"
    return SpecError(f"invalid YAML: {problem}{hint}", file=file, line=line, column=column)


class _Converter:
    def __init__(self, file: str) -> None:
        self.file = file
        self.constructor = yaml.SafeLoader("")
        self.done: dict[int, Any] = {}  # aliases share one converted object

    def where(self, node) -> dict:
        line, column = _position(node.start_mark)
        return {"file": self.file, "line": line, "column": column}

    def fail(self, message: str, node) -> SpecError:
        return SpecError(message, **self.where(node))

    def convert(self, node) -> Any:
        if id(node) in self.done:
            return self.done[id(node)]
        if node.tag not in ALLOWED_TAGS:
            raise self.fail(f"tag '{node.tag}' is not allowed: cnncalc reads plain YAML only "
                            "(no tags); remove it", node)
        if isinstance(node, yaml.MappingNode):
            result = self._mapping(node)
        elif isinstance(node, yaml.SequenceNode):
            result = MarkedList()
            self.done[id(node)] = result
            result.mark = _position(node.start_mark)
            result.marks = []
            for item in node.value:
                result.append(self.convert(item))
                result.marks.append(_position(item.start_mark))
        else:
            result = self._scalar(node)
        self.done[id(node)] = result
        return result

    def _scalar(self, node) -> Any:
        digits = node.value.lstrip("+-").replace("_", "").lstrip("0")
        if node.tag == _CORE + "int" and len(digits) > INTEGER_DIGITS.value:
            # refuse before converting it: int() of a huge literal is quadratic
            raise INTEGER_DIGITS.error(f"{node.value[:20]}… ({len(digits):,} digits)",
                                       **self.where(node))
        if node.tag == _CORE + "int":
            self._refuse_yaml11_surprise(node)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, yaml.YAMLError) as error:
            raise self.fail(f"cannot read value {node.value[:40]!r}: {error}"[:300], node) from None
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
            raise self.fail(f"integer {node.value[:20]}… is beyond 2^63", node)
        return value

    def _refuse_yaml11_surprise(self, node) -> None:
        """YAML 1.1 reads `010` as octal 8 and `1:30` as 90 (base 60). Nobody writing a layer
        means that, so such an integer is refused rather than silently changed."""
        text = node.value.replace("_", "")
        if ":" in text:
            raise self.fail(f"'{node.value[:40]}' is read by YAML 1.1 as a base-60 number "
                            f"({self.constructor.construct_object(node)}); write the integer "
                            "itself, or quote it if it is text", node)
        if re.fullmatch(r"[-+]?0[0-7]+", text):
            raise self.fail(f"'{node.value[:40]}' is read by YAML 1.1 as octal "
                            f"{int(text, 8)}; write the integer without the leading zero "
                            f"({int(text, 10)}) or the value you mean", node)

    def _mapping(self, node) -> MarkedDict:
        result = MarkedDict()
        self.done[id(node)] = result
        result.mark = _position(node.start_mark)
        result.marks, result.key_marks = {}, {}
        explicit: set = set()  # keys written in this mapping: they win over merged ones
        for key_node, value_node in node.value:
            if key_node.tag == _CORE + "merge":
                self._merge(result, value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                raise self.fail("a mapping key must be a plain word", key_node)
            key = self._scalar(key_node)
            if not isinstance(key, (str, int, float, bool)) and key is not None:
                raise self.fail(f"unusable key {key_node.value!r}", key_node)
            if key in explicit:
                raise self.fail(f"duplicate key '{key}' in one mapping; keep only one", key_node)
            explicit.add(key)
            result[key] = self.convert(value_node)
            result.marks[key] = _position(value_node.start_mark)
            result.key_marks[key] = _position(key_node.start_mark)
        return result

    def _merge(self, result: MarkedDict, value_node) -> None:
        sources = value_node.value if isinstance(value_node, yaml.SequenceNode) else [value_node]
        for source in sources:
            merged = self.convert(source)
            if not isinstance(merged, MarkedDict):
                raise self.fail("'<<' must merge a mapping", source)
            for key, value in merged.items():
                if key not in result:
                    result[key] = value
                    result.marks[key] = merged.marks[key]
                    result.key_marks[key] = merged.key_marks[key]


def position(container, key, file: str, **layer) -> dict[str, Any]:
    """Location fields for a value inside a MarkedDict/MarkedList."""
    line = column = None
    marks = getattr(container, "marks", None)
    if isinstance(marks, dict) and key in marks:
        line, column = marks[key]
    elif isinstance(marks, list) and isinstance(key, int) and key < len(marks):
        line, column = marks[key]
    elif hasattr(container, "mark"):
        line, column = container.mark
    return {"file": file, "line": line, "column": column, **layer}


def layer_fields(where: dict) -> dict:
    """The layer-identifying part of a location (index, name, type), for nested messages."""
    return {key: where[key] for key in ("layer_index", "layer_name", "layer_type")
            if key in where}
