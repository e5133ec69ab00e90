"""Diagrams (draw), the HTML report, and every format carrying the whole result (SPEC §13)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import struct
import subprocess
import xml.etree.ElementTree as ElementTree
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner
from golden_data import BUILTINS, golden
from graph_specs import FPN
from hypothesis import HealthCheck, given, settings
from test_fuzz_graph import graph_specs

import cnncalc
from cnncalc.cli import cli
from cnncalc.engine.shapes import shape_str
from cnncalc.render.diagram import default_style, diagram, to_svg, to_tikz
from cnncalc.render.diagram.canvas import Path as Line
from cnncalc.render.diagram.canvas import Text
from cnncalc.render.png import svg_to_png

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"


@cache
def analysis(name: str):
    return cnncalc.analyze(cnncalc.load(name))


def svg_texts(svg: str) -> set[str]:
    root = ElementTree.fromstring(svg.encode("utf-8"))
    return {element.text or "" for element in root.iter(f"{SVG}text")}


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])  # the IHDR chunk's width and height


@pytest.mark.parametrize("style", ["blocks", "graph"])
@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_draws_with_every_shape(name, style):
    result = analysis(name)
    texts = svg_texts(to_svg(diagram(result, style)))
    wanted = {shape_str(row.output, times="×") for row in result.rows}
    wanted.add(shape_str(result.input, times="×"))
    assert not wanted - texts, f"shapes missing from the {style} picture of {name}"


@pytest.mark.parametrize("name, style", [("lenet5", "blocks"), ("alexnet", "blocks"),
                                         ("unet", "graph"), ("lenet5", "graph")])
def test_png_renders_at_a_sensible_size(name, style):
    canvas = diagram(analysis(name), style)
    width, height = png_size(svg_to_png(to_svg(canvas), zoom=1.0))
    assert abs(width - round(canvas.width)) <= 1 and abs(height - round(canvas.height)) <= 1
    assert 150 <= max(width, height) <= 20_000 and min(width, height) >= 100


def test_png_of_a_huge_drawing_is_scaled_down(monkeypatch):
    from cnncalc.render import png

    monkeypatch.setattr(png, "MAX_PIXELS", 1_000_000)  # the real cap, 40 M, is slow to show
    canvas = diagram(analysis("unet"), "graph")  # about 1100 × 1030 px
    width, height = png_size(svg_to_png(to_svg(canvas), (canvas.width, canvas.height),
                                        zoom=8.0))
    assert width * height <= 1_000_000 * 1.01 and width < canvas.width


def test_default_style_follows_the_topology():
    assert default_style(analysis("alexnet")) == "blocks"
    assert default_style(analysis("vgg16")) == "blocks"
    assert default_style(analysis("resnet18")) == "graph"
    assert default_style(analysis("unet")) == "graph"


def _centre(canvas, label: str) -> tuple[float, float]:
    """Where the box showing `label` (its shape line) is drawn."""
    [text] = [item for item in canvas.items if isinstance(item, Text) and item.text == label]
    return text.x, text.y


def test_unet_is_drawn_as_a_u_with_four_skip_arrows():
    canvas = diagram(analysis("unet"), "graph")
    skips = sorted(canvas.of(Line, "skip"), key=lambda line: line.points[0][1])
    assert len(skips) == 4
    for line in skips:
        (x0, y0), (x1, y1) = line.points[0], line.points[-1]
        assert y0 == y1 and x1 > x0  # horizontal, left (encoder) to right (decoder)
    lefts = [line.points[0][0] for line in skips]
    rights = [line.points[-1][0] for line in skips]
    assert lefts == sorted(lefts) and rights == sorted(rights, reverse=True)  # a U narrows
    input_x, input_y = _centre(canvas, "572×572×1")
    output_x, output_y = _centre(canvas, "388×388×2")
    bottom_x, bottom_y = _centre(canvas, "28×28×1024")  # the bottleneck
    assert input_x < lefts[0] and output_x > rights[0]  # input top-left, output top-right
    assert input_y < skips[0].points[0][1] and output_y < skips[0].points[0][1]
    assert bottom_y > skips[-1].points[0][1] and lefts[-1] < bottom_x < rights[-1]


def test_residual_graph_has_one_merge_and_skip_per_identity_block():
    canvas = diagram(analysis("resnet18"), "graph")
    adds = [item for item in canvas.items if isinstance(item, Text) and item.text == "+"]
    identity = sum(1 for row in analysis("resnet18").rows if row.type == "add") - 3
    assert len(adds) == 8 and len(canvas.of(Line, "skip")) == identity


def test_depth_collapses_groups_into_boxes():
    from cnncalc.render.diagram.canvas import Rect

    full = diagram(analysis("resnet50"), "graph")
    shallow = diagram(analysis("resnet50"), "graph", depth=1)
    assert len(shallow.of(Rect, "node")) < len(full.of(Rect, "node")) / 3
    texts = {item.text for item in shallow.items if isinstance(item, Text)}
    assert {"layer1", "bottleneck1 (bottleneck)"} <= texts  # the frame names the stage


def test_tikz_is_a_standalone_document():
    text = to_tikz(diagram(analysis("lenet5")))
    assert text.startswith(r"\documentclass[tikz") and text.rstrip().endswith(r"\end{document}")
    assert text.isascii() and text.count("{") == text.count("}") and "_" not in text.replace(
        r"\_", "")
    assert r"28$\times$28$\times$6" in text
    assert "fill={rgb,255:red,246; green,189; blue,96}" in text  # a conv box, xcolor syntax


def test_draw_command_writes_each_format(tmp_path):
    runner = CliRunner()
    for name in ("net.svg", "net.png", "net.tex"):
        result = runner.invoke(cli, ["draw", "lenet5", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    ElementTree.parse(tmp_path / "net.svg")
    assert png_size((tmp_path / "net.png").read_bytes())[0] > 100
    assert r"\begin{tikzpicture}" in (tmp_path / "net.tex").read_text(encoding="utf-8")
    bad = runner.invoke(cli, ["draw", "lenet5", "-o", str(tmp_path / "net.gif")])
    assert bad.exit_code == 2 and "cannot tell the format" in bad.output


@pytest.mark.parametrize("name", ["alexnet", "unet"])
def test_readme_pictures_match_a_fresh_draw(name):
    committed = (ROOT / "docs" / f"{name}.svg").read_text(encoding="utf-8")
    assert committed == to_svg(diagram(analysis(name)))


# -- the HTML report -------------------------------------------------------------------------
def alexnet_224():
    return cnncalc.analyze(cnncalc.load("alexnet"), input=(224, 224, 3))


def test_html_report_is_self_contained():
    from cnncalc.render.html import to_html

    page = to_html(alexnet_224())
    assert "<svg" in page and 'class="layers"' in page
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", page)  # no network access
    assert page.count("<tr>") >= len(alexnet_224().rows)


CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium (.ci/run installs it)")
def test_html_report_in_a_headless_browser(tmp_path):
    report = tmp_path / "report.html"
    result = CliRunner().invoke(cli, ["summary", "alexnet", "--input", "224x224x3", "--format",
                                      "html", "-o", str(report), "--no-verify"])
    assert result.exit_code == 1, result.output  # fc6's params differ at 224 (6×6 → 5×5): ✗
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", report.as_uri()], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    assert '<table class="layers" id="layers">' in dom and "<svg" in dom
    assert dom.count("<tr>") >= len(alexnet_224().rows)
    for row in alexnet_224().rows:
        assert f"<td>{html.escape(row.path)}</td>" in dom
    warnings = alexnet_224().warnings
    # four layers that do not fit at 224, and the shape checks --input set aside (SPEC §12)
    assert len(warnings) == 5 and "expect check(s) skipped" in warnings[-1]
    for warning in warnings:
        assert html.escape(warning, quote=False) in dom, warning


# -- every format complete ------------------------------------------------------------------
def test_markdown_carries_the_warning_and_every_total():
    result = CliRunner().invoke(cli, ["summary", "alexnet", "--input", "224x224x3",
                                      "--format", "markdown", "--no-verify"])
    text = result.output
    totals = alexnet_224().totals
    assert text.count("- ⚠ ") == 4 and "- ⚠ conv1: does not fit" in text
    for value in (totals.params, totals.weights, totals.biases, totals.macs, totals.flops,
                  totals.connections, totals.neurons, totals.activation_bytes,
                  totals.param_bytes):
        assert f"{value:,}" in text, value


def test_csv_total_row_sums_the_layers():
    result = CliRunner().invoke(cli, ["summary", "resnet18", "--format", "csv", "--no-verify"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    layers, total = rows[:-1], rows[-1]
    assert total["type"] == "total" and len(layers) == len(analysis("resnet18").rows)
    for key in ("params", "macs", "buffers", "neurons"):
        assert int(total[key]) == sum(int(row[key]) for row in layers)
    assert int(total["params"]) == golden("resnet18")["params"]
    assert total["notes"].count("warning:") == 0  # 1×1/2 projections: ℹ since SPEC §7


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_keras_counts_buffers_as_params(fmt):
    runner = CliRunner()
    out = runner.invoke(cli, ["summary", "resnet18", "--format", fmt, "--keras",
                              "--no-verify"]).output
    record = golden("resnet18")
    keras_total = record["params"] + record["buffers"]  # Keras: trainable + non-trainable
    if fmt == "json":
        assert json.loads(out)["totals"]["params"] == keras_total
    else:
        assert int(list(csv.DictReader(io.StringIO(out)))[-1]["params"]) == keras_total


def test_compare_json_parses_with_both_totals():
    out = CliRunner().invoke(cli, ["compare", "vgg16", "resnet50", "--format", "json"]).output
    document = json.loads(out)
    params = next(row for row in document["totals"] if row["figure"] == "params")
    assert (params["a"], params["b"]) == (golden("vgg16")["params"], golden("resnet50")["params"])
    markdown = CliRunner().invoke(cli, ["compare", "vgg16", "resnet50", "--format",
                                        "markdown"]).output
    assert markdown.startswith("| | vgg16 (A) | resnet50 (B) | B/A |")


def test_check_json_and_markdown():
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "lenet5", "resnet18", "--format", "json"])
    document = json.loads(result.output)
    assert result.exit_code == 0 and document["ok"] is True
    assert [spec["source"] for spec in document["specs"]] == ["lenet5", "resnet18"]
    assert len(document["specs"][1]["warnings"]) == 0  # projections: ℹ since SPEC §7
    markdown = runner.invoke(cli, ["check", "lenet5", "--format", "markdown"]).output
    assert "| lenet5 | ✓ OK |" in markdown


def test_chromium_is_found_the_way_the_test_expects():
    # keeps the skip honest: when a chromium is on PATH it is the system one the test uses
    found = shutil.which("chromium")
    assert found is None or Path(found).resolve() == CHROMIUM.resolve() or CHROMIUM.exists()


def test_blocks_frame_each_stage_around_its_maps():
    from cnncalc.render.diagram.canvas import Rect

    canvas = diagram(analysis("vgg16"), "blocks")
    frames = canvas.of(Rect, "group")
    names = [item.text for item in canvas.items if isinstance(item, Text) and item.bold]
    assert names[:2] == ["features", "classifier"] and len(frames) == 2
    features, classifier = frames
    assert features.x + features.width < classifier.x  # side by side, not overlapping
    inside = [rect for rect in canvas.of(Rect, "node")
              if features.x < rect.x < features.x + features.width]
    assert len(inside) == 18  # 13 convs + 5 pools (each relu shares its conv's slab)


def test_branches_that_never_merge_are_drawn_as_separate_outputs():
    """A fork whose branches never meet and that is not a side fork (no spec makes one yet:
    aux heads and output markers are side forks): each branch is drawn to its own end."""
    from cnncalc.render.diagram.flow import layout_chain
    from cnncalc.render.diagram.graph import GraphStyle
    from cnncalc.render.diagram.tree import Box, Fork

    main = [Box("fc", "dense 1000", (1000,)), Box("softmax", "softmax", (1000,))]
    aux = [Box("aux", "dense 10", (10,))]
    chain = [Box("input", "input", (8, 8, 3), kind="input"),
             Fork("heads", None, [main, aux])]
    canvas = layout_chain(GraphStyle(), chain, "two heads")
    texts = [item for item in canvas.items if isinstance(item, Text)]
    assert not any(item.text in ("+", "concat") for item in texts)  # no merge node
    main_x = next(item.x for item in texts if item.text == "dense 1000")
    aux_x = next(item.x for item in texts if item.text == "dense 10")
    aux_y = next(item.y for item in texts if item.text == "dense 10")
    input_y = next(item.y for item in texts if item.text == "input")
    assert aux_x > main_x and aux_y > input_y  # side by side, below the input
    # the stem out of the input, one arrow into each head, fc → softmax; nothing after them
    assert len(canvas.of(Line)) == 4


@pytest.mark.skipif(not CHROMIUM.exists(), reason="no system Chromium (.ci/run installs it)")
def test_html_report_sorts_by_a_column_in_the_browser(tmp_path):
    from cnncalc.render.html import to_html

    result = alexnet_224()
    page = to_html(result, svg="<svg></svg>")
    clicks = '<script>var th = document.querySelectorAll("table.layers th")[4];' \
             "th.click(); th.click();</script>"  # params, twice: largest first
    report = tmp_path / "sorted.html"
    report.write_text(page.replace("</body>", clicks + "</body>"), encoding="utf-8")
    dom = subprocess.run([str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
                          "--dump-dom", report.as_uri()], capture_output=True, text=True,
                         timeout=60, check=True).stdout
    body = dom.split("<tbody>", 1)[1]
    first = re.search(r"<tr><td[^>]*>\d+</td><td>([^<]+)</td>", body).group(1)
    assert first == max(result.rows, key=lambda row: row.params).path  # fc6


# -- graphs drawn from what each row reads (SPEC §7) ------------------------------------------
SE_LIKE = """
name: se-like
input: 32x32x16
layers:
  - conv: {name: stem, filters: 64, kernel: 3, padding: 1, activation: relu}
  - gate:
      name: se
      body: [gap, {conv: {filters: 4, kernel: 1}}, relu, {conv: {filters: 64, kernel: 1}}, sigmoid]
  - add: {from: [previous, stem]}
  - split: {branches: [[], [{conv: {filters: 32, kernel: 1}}]]}
  - aux:
      name: head2
      layers: [gap, flatten, {dense: {units: 10}}]
  - conv: {name: c4, filters: 32, kernel: 3, stride: 2, padding: 1}
  - conv: {name: lat, from: stem, filters: 32, kernel: 1, stride: 2}
  - add: {name: p4, from: [c4, lat]}
  - conv: {name: unused1, from: stem, filters: 8, kernel: 1}
  - conv: {name: gmask, from: p4, filters: 1, kernel: 1}
  - multiply: {from: [p4, gmask]}
"""


SHUFFLE_UNIT = """
name: shuffle-unit
input: 28x28x116
layers:
  - split:
      name: unit
      sizes: [48, 68]
      branches:
        - []
        - - conv: {filters: 58, kernel: 1, bias: false}
          - conv: {kernel: 3, padding: 1, depthwise: true, bias: false}
          - conv: {filters: 58, kernel: 1, bias: false}
  - relu  # (ShuffleNetV2 has a channelshuffle here)
"""


def spec_analysis(text: str):
    return cnncalc.analyze(cnncalc.loads(text))


def nodes(canvas) -> list[tuple[str, tuple[float, float, float, float]]]:
    """Every drawn node as (its texts joined by ' | ', its box x0, y0, x1, y1): a box's
    label and shape, a merge node's symbol and the shape written beside it."""
    from cnncalc.render.diagram.canvas import Circle, Rect

    texts = canvas.of(Text)
    found = []
    for item in canvas.items:
        if isinstance(item, Rect) and item.role in ("node", "merge", "output"):
            box = (item.x, item.y, item.x + item.width, item.y + item.height)
        elif isinstance(item, Circle):
            box = (item.x - item.r, item.y - item.r, item.x + item.r, item.y + item.r)
        else:
            continue
        inside = [text.text for text in texts
                  if box[0] <= text.x <= box[2] and box[1] <= text.y <= box[3]]
        if isinstance(item, Rect) and item.role == "merge" or isinstance(item, Circle):
            # the shape is written just right of a graph-style merge node
            inside += [text.text for text in texts if text.anchor == "start"
                       and 0 < text.x - box[2] < 12 and abs(text.y - (box[1] + box[3]) / 2) < 8]
        found.append((" | ".join(inside), box))
    return found


def nodes_near(canvas, point, slack: float = 3.0) -> list[str]:
    x, y = point
    return [name for name, (x0, y0, x1, y1) in nodes(canvas)
            if x0 - slack <= x <= x1 + slack and y0 - slack <= y <= y1 + slack]


def node_near(canvas, point, slack: float = 3.0) -> str:
    hits = nodes_near(canvas, point, slack)
    assert len(hits) == 1, (point, hits)
    return hits[0]


def links_drawn(canvas) -> set[tuple[str, str]]:
    """(source node, target node) of every arrow drawn for a read no chain shows."""
    return {(node_near(canvas, line.points[0]), node_near(canvas, line.points[-1]))
            for line in canvas.of(Line, "from")}


def check_svg(result, style: str = "graph"):
    """The SVG parses and shows every row's output shape; its texts and output markers."""
    svg = to_svg(diagram(result, style))
    root = ElementTree.fromstring(svg.encode("utf-8"))
    texts = {element.text or "" for element in root.iter(f"{SVG}text")}
    wanted = {shape_str(row.output, times="×") for row in result.rows}
    assert not wanted - texts, f"shapes missing from the {style} picture"
    markers = [element for element in root.iter(f"{SVG}rect")
               if element.get("class") == "output"]
    return texts, markers


def test_se_like_graph_shows_gate_merges_aux_and_from_skips():
    result = spec_analysis(SE_LIKE)
    canvas = diagram(result, "graph")
    for style in ("graph", "blocks"):
        texts, markers = check_svg(result, style)
        assert {"⊙", "+", "concat", "output", "output head2"} <= texts
        assert len(markers) == 2  # the main output and the aux head's
    symbols = [item.text for item in canvas.of(Text) if item.text in ("⊙", "+")]
    assert sorted(symbols) == ["+", "+", "⊙", "⊙"]  # se's product, two adds, the mask
    stem = "conv 3×3 p1, 64 · relu | 32×32×64"
    p4 = "+ | 16×16×32"
    # one arrow per read of a tensor other than the one just above (hand-listed from the spec)
    assert links_drawn(canvas) == {
        (stem, "+ | 32×32×64"),  # add: {from: [previous, stem]}
        (stem, "conv 1×1/2, 32 | 16×16×32"),  # lat, from: stem
        ("conv 3×3/2 p1, 32 | 16×16×32", p4),  # p4 = c4 + lat
        (stem, "conv 1×1, 8 | 32×32×8"),  # unused1, from: stem
        (p4, "conv 1×1, 1 | 16×16×1"),  # gmask, from: p4 (past unused1)
        (p4, "⊙ | 16×16×32"),  # multiply: {from: [p4, gmask]}
    }
    assert len(canvas.of(Line, "from")) == 6
    # the multiply of the gate is a node of its own, not fused into the box before it
    assert not any("multiply" in item.text or "sigmoid · " in item.text
                   for item in canvas.of(Text))
    centre = {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in nodes(canvas)}
    main_x = centre[stem][0]
    assert centre["⊙ | 32×32×64"][0] == pytest.approx(main_x)  # se's ⊙ on the main line
    assert centre["output"][0] == pytest.approx(main_x)
    for name in ("globalavgpool | 1×1×64", "conv 1×1, 4 · relu | 1×1×4"):  # se's body
        assert centre[name][0] > main_x + 50  # beside the main line
    head = ["flatten | 64", "dense 10 | 10", "output head2"]
    assert all(centre[name][0] > main_x + 50 for name in head)
    assert centre["output head2"][1] > centre["dense 10 | 10"][1]  # the head ends in it


def test_fpn_draws_an_output_marker_per_output():
    result = spec_analysis(FPN)
    canvas = diagram(result, "graph")
    texts, markers = check_svg(result)
    assert len(markers) == 3 and {"output p3", "output p4", "output p5"} <= texts
    centre = {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in nodes(canvas)}
    main_x = centre["input | 64×64×3"][0]
    assert centre["output p3"][0] == pytest.approx(main_x)  # the last one ends the line …
    assert centre["output p4"][0] > main_x and centre["output p5"][0] > main_x  # … the others
    assert centre["conv 1×1, 16 | 8×8×16"][1] < centre["output p5"][1] < centre[
        "upsample ×2 nearest | 16×16×16"][1]  # beside the line, right after p5
    assert links_drawn(canvas) == {
        ("conv 3×3/2 p1, 64 | 16×16×64", "conv 1×1, 16 | 16×16×16"),  # lat4 from: c4
        ("upsample ×2 nearest | 16×16×16", "+ | 16×16×16"),  # p4: [previous, upsample1]
        ("conv 3×3/2 p1, 32 | 32×32×32", "conv 1×1, 16 | 32×32×16"),  # lat3 from: c3
        ("upsample → 32 nearest | 32×32×16", "+ | 32×32×16"),  # p3: [previous, upsample2]
    }
    _, blocks_markers = check_svg(result, "blocks")
    assert len(blocks_markers) == 3


def test_split_unit_is_parallel_branches_from_one_input():
    result = spec_analysis(SHUFFLE_UNIT)
    canvas = diagram(result, "graph")
    texts, markers = check_svg(result)
    assert not markers  # one output: the end of the line says it
    # both parts written at their branch: channels 0–48 and 48–116 (sizes [48, 68])
    assert {"split 0:48", "28×28×48", "split 48:116", "28×28×68", "concat"} <= texts
    [skip] = canvas.of(Line, "skip")  # the [] branch: a line straight to the concat
    centre = {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in nodes(canvas)}
    first = centre["conv 1×1, 58 | 28×28×58"]
    concat = centre["concat | 28×28×106"]  # 48 kept + 58 from the conv branch
    entry = next(line for line in canvas.of(Line, "flow")
                 if nodes_near(canvas, line.points[-1]) == ["conv 1×1, 58 | 28×28×58"])
    assert entry.points[0] == skip.points[0]  # both branches leave the same point
    assert node_near(canvas, skip.points[0], slack=20) == "input | 28×28×116"
    lane_x = skip.points[1][0]
    assert lane_x < concat[0] < first[0]  # side by side, the identity on the left
    assert node_near(canvas, skip.points[-1]) == "concat | 28×28×106"


def test_inception_v3_aux_head_beside_the_main_line():
    result = analysis("inception-v3")
    canvas = diagram(result, "graph")
    texts, markers = check_svg(result)
    assert len(markers) == 2 and {"output", "output AuxLogits"} <= texts
    centre = {name: ((x0 + x1) / 2, (y0 + y1) / 2) for name, (x0, y0, x1, y1) in nodes(canvas)}
    main_x = centre["input | 299×299×3"][0]
    aux = [row for row in result.rows if row.aux]
    only_aux = ({shape_str(row.output, times="×") for row in aux}
                - {shape_str(row.output, times="×") for row in result.rows if not row.aux})
    aux_boxes = [name for name in centre if name.split(" | ")[-1] in only_aux]
    assert len(aux_boxes) >= 3  # 5×5×768 pooled, 5×5×128, 1×1×768, 768 flattened
    for name in aux_boxes + ["output AuxLogits"]:
        assert centre[name][0] > main_x + 100  # clear of the main column
    fc = next(name for name in centre if name.startswith("dense 1000") and
              abs(centre[name][0] - main_x) < 1)  # the main classifier stays on the line
    assert centre["output"][0] == pytest.approx(main_x) and centre["output"][1] > centre[fc][1]
    # the head starts below Mixed_6e's concat, before the main line goes on
    mixed_6e = next(row for row in result.rows if row.path == "Mixed_6e.concat8.concat")
    assert aux[0].reads == (mixed_6e.path,)


def test_graph_pictures_in_tikz_and_html():
    from cnncalc.render.html import to_html

    result = spec_analysis(SE_LIKE)
    tex = to_tikz(diagram(result, "graph"))
    assert r"$\odot$" in tex and tex.isascii() and "output head2" in tex
    marker = next(line for line in tex.splitlines() if "output head2" in line)
    assert "text={rgb,255:red,255; green,255; blue,255}" in marker  # white on the dark pill
    page = to_html(result)
    assert "<svg" in page and "output head2" in page and "⊙" in page


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=graph_specs())
def test_random_graphs_draw_every_shape_and_output(spec):
    """Random networks joined by from:, merges, gates, splits and aux heads (the fuzzer of
    test_fuzz_graph.py): every one that analyses draws in both styles with every row's
    shape, an output marker per output when there are several, and every link attached."""
    try:
        result = cnncalc.analyze(cnncalc.loads(spec, file="graph.yaml"))
    except cnncalc.CnnCalcError:
        return
    for style in ("graph", "blocks"):
        _, markers = check_svg(result, style)
        assert len(markers) == (len(result.outputs) if len(result.outputs) > 1 else 0), spec
        canvas = diagram(result, style)
        for line in canvas.of(Line, "from"):
            assert line.points[0] != line.points[-1] and len(line.points) >= 4, spec


def test_a_branch_reading_a_named_tensor_gets_its_arrow_from_it():
    result = spec_analysis("""
input: 16x16x8
layers:
  - conv: {name: a, filters: 8, kernel: 3, padding: 1}
  - conv: {name: b, filters: 8, kernel: 5, padding: 2}
  - concat:
      branches:
        - [{conv: {from: a, filters: 4, kernel: 1}}]
        - [{conv: {filters: 6, kernel: 1}}]
""")
    canvas = diagram(result, "graph")
    # the first branch reads a (two boxes up), the second what comes down the line (b)
    assert links_drawn(canvas) == {("conv 3×3 p1, 8 | 16×16×8", "conv 1×1, 4 | 16×16×4")}
    into = [nodes_near(canvas, line.points[-1]) for line in canvas.of(Line, "flow")]
    assert ["conv 1×1, 6 | 16×16×6"] in into and ["conv 1×1, 4 | 16×16×4"] not in into
