"""`--format json` is written layer by layer (render/formats.json_chunks) and reads exactly as
one json.dumps of the whole document."""

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
    assert text == json.dumps(to_dict(analysis, keras), indent=2, ensure_ascii=False)
    assert json.loads(text)["layers"][0]["path"] == analysis.rows[0].path
