"""`--format json` is written layer by layer (render/json_document.json_chunks), one line per
layer, and parses to exactly the whole document."""

from __future__ import annotations

import json

import pytest

import cnncalc
from cnncalc.render.json_document import json_chunks, to_dict

GRAPH = """
input: 16x16x3
layers:
  - conv: {name: stem, filters: 4, kernel: 3, padding: 1}
  - aux: {name: side, layers: [gap, flatten, {dense: {units: 2}}]}
  - add: {from: [previous, stem]}
"""


@pytest.mark.parametrize("source", ["alexnet", "inception-v3", GRAPH])
@pytest.mark.parametrize("keras", [False, True])
def test_streamed_json_is_the_whole_document(source, keras):
    analysis = cnncalc.analyze(cnncalc.load(source) if "\n" not in source
                               else cnncalc.loads(source))
    text = "".join(json_chunks(analysis, keras))
    assert json.loads(text) == json.loads(json.dumps(to_dict(analysis, keras)))
    lines = text.splitlines()
    layer_lines = [line for line in lines if line.startswith('    {"path": ')]
    assert len(layer_lines) == len(analysis.rows)  # one line per layer
    assert lines[0] == "{" and lines[1].startswith('  "name": ')
