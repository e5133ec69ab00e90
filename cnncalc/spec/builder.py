"""YAML spec → layer tree (SPEC §1–2): the reader that puts the spec's parts together.

The only part of the program that knows the spec language; everything after it sees
normalised layers. The reader is split by concern: entries (entries.py), composites
(composites.py), blocks and their parameters (blocks.py), expectations (expectations.py).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from ..engine.model import Network
from ..engine.options import check_int
from ..engine.shapes import parse_shape
from ..errors import CnnCalcError, SpecError, show, suggest
from .blocks import BlockReader
from .builtins import builtin_names, builtin_text
from .composites import CompositeReader
from .entries import EntryReader
from .expectations import ExpectationReader
from .files import is_file, read_spec_file
from .graph import GraphReader
from .yamlread import MarkedDict, MarkedList, position, read_yaml

TOP_KEYS = ("name", "description", "input", "inputs", "outputs", "batch", "layers", "expect",
            "blocks")


def load(source: str | Path) -> Network:
    """A spec from a path, a built-in name ('alexnet' or 'alexnet.yaml') or YAML text."""
    if isinstance(source, Path) or "\n" not in str(source):
        path = Path(source)
        if is_file(path):
            text = read_spec_file(path)
            return loads(text, file=str(path), default_name=path.stem)
        text = builtin_text(str(source))
        if text is not None:
            stem = Path(str(source)).name.removesuffix(".yaml")
            return loads(text, file=f"{stem}.yaml", default_name=stem)
        if path.suffix in (".yaml", ".yml") or ":" not in str(source):
            raise SpecError(f"no such file or built-in architecture: '{source}'"
                            f"{suggest(Path(str(source)).stem, builtin_names())} "
                            "(`cnncalc list` shows the built-ins)")
    return loads(str(source))


def loads(text: str, file: str = "<spec>", default_name: str = "network") -> Network:
    """A spec from YAML text."""
    document = read_yaml(text, file)
    if not isinstance(document, MarkedDict):
        kind = "a list" if isinstance(document, list) else f"the value {show(document)}"
        raise SpecError(f"the top level must be a mapping with 'input:' and 'layers:', found "
                        f"{kind}", file=file, line=1)
    return SpecReader(file, document).network(default_name)


class SpecReader(EntryReader, CompositeReader, BlockReader, ExpectationReader, GraphReader):
    """Reads one spec document into a Network, keeping the file for every message."""

    def __init__(self, file: str, document: MarkedDict) -> None:
        self.file = file
        self.document = document
        self.counters: Counter[str] = Counter()
        self.nodes = 0
        self.depth = 0
        self.blocks: dict[str, MarkedDict] = {}
        self.required_by_block: dict[str, list] = {}

    def fail(self, message: str, container, key, **layer) -> SpecError:
        return SpecError(message, **position(container, key, self.file, **layer))

    def fail_key(self, message: str, container, key, **layer) -> SpecError:
        """An error about a key itself (unknown, misnamed): point at the key, not its value."""
        where = position(container, key, self.file, **layer)
        key_marks = getattr(container, "key_marks", {})
        if key in key_marks:
            where["line"], where["column"] = key_marks[key]
        return SpecError(message, **where)

    def network(self, default_name: str) -> Network:
        doc = self.document
        for key in doc:
            if key not in TOP_KEYS:
                raise self.fail_key(f"unknown top-level key '{key}'{suggest(str(key), TOP_KEYS)} "
                                    f"(allowed: {', '.join(TOP_KEYS)})", doc, key)
        if "input" in doc and "inputs" in doc:
            raise self.fail_key("give 'input:' or 'inputs:', not both", doc, "inputs")
        for required in ("input", "layers"):
            if required not in doc and not (required == "input" and "inputs" in doc):
                raise SpecError(f"the spec has no '{required}:'; add e.g. "
                                + ("'input: 32x32x3'" if required == "input" else
                                   "'layers: [...]'"), file=self.file, line=doc.mark[0])
        inputs = self.inputs(doc)
        shape = next(iter(inputs.values()))
        self.start_graph(list(inputs))
        batch = self.located(lambda: check_int(doc.get("batch", 1), "batch", 1), doc, "batch")
        self.blocks = self.block_definitions(doc.get("blocks"))
        layers = doc["layers"]
        if not isinstance(layers, MarkedList) or not layers:
            raise self.fail("'layers' must be a non-empty list of layer entries", doc, "layers")
        self.check_expansion(layers, doc, "layers")
        tree = self.entries(layers, {}, (), "")
        outputs = self.outputs(doc["outputs"], doc, "outputs") if "outputs" in doc else {}
        name = self.text(doc, "name", default_name)
        description = self.text(doc, "description", "")
        expect = self.expectations(doc.get("expect"), doc, "expect", {}, {})
        return Network(name=str(name), input=shape, layers=tree, batch=batch,
                       description=str(description or ""), expect=expect, file=self.file,
                       inputs=inputs, outputs=outputs,
                       referenced=self.referenced | set(outputs.values()))

    def inputs(self, doc) -> dict:
        """name → shape; a lone `input:` is called 'input'."""
        if "input" in doc:
            return {"input": self.located(lambda: parse_shape(doc["input"]), doc, "input")}
        given = doc["inputs"]
        if not isinstance(given, MarkedDict) or not given:
            raise self.fail("'inputs' must map names to shapes, e.g. {image: 224x224x3, "
                            "mask: 224x224x1}", doc, "inputs")
        shapes = {}
        for key in given:
            if not isinstance(key, str) or key in ("input", "previous"):
                raise self.fail_key(f"input name {show(key)} is reserved or not a name",
                                    given, key)
            shapes[key] = self.located(lambda k=key: parse_shape(given[k]), given, key)
        return shapes

    def text(self, doc, key: str, default: str) -> str:
        value = doc.get(key, default)
        if isinstance(value, (list, dict)):
            raise self.fail(f"'{key}' must be text, got {show(value)}", doc, key)
        return default if value is None else value

    def located(self, action, container, key, **layer):
        try:
            return action()
        except CnnCalcError as error:
            raise error.locate(**position(container, key, self.file, **layer)) from None
