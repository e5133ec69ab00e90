"""ONNX import: graphs built here with onnx.helper, the real torchvision exports in
tests/data/, and the round trip export → import of every built-in."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden_data import BUILTINS, golden
from graph_specs import GRAPHS
from hypothesis import HealthCheck, given, settings
from test_fuzz_graph import graph_specs

import cnncalc

onnx = pytest.importorskip("onnx")
np = pytest.importorskip("numpy")

from onnx import TensorProto, helper, numpy_helper  # noqa: E402

from cnncalc.interop.onnx_export import export_onnx  # noqa: E402
from cnncalc.interop.onnx_import import import_onnx  # noqa: E402

DATA = Path(__file__).resolve().parent / "data"


def _save(tmp_path, nodes, inputs, output_dims, initializers=(), name="net"):
    graph = helper.make_graph(
        nodes, name, inputs,
        [helper.make_tensor_value_info(nodes[-1].output[0], TensorProto.FLOAT, output_dims)],
        initializer=list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    path = tmp_path / f"{name}.onnx"
    onnx.save(model, str(path))
    return path


def _image(name="x", dims=(1, 3, 8, 8)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def _init(name, dims, value=0.0):
    return numpy_helper.from_array(np.full(dims, value, dtype=np.float32), name)


def _weight_input(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def _analyze(path, **kwargs):
    return cnncalc.analyze(cnncalc.load(str(path), **kwargs))


@pytest.mark.parametrize("weights_as", ["initializers", "inputs"])
def test_conv_options_come_from_initializers_or_weight_inputs(tmp_path, weights_as):
    conv = helper.make_node("Conv", ["x", "w", "b"], ["y"], name="/stem/Conv", group=1,
                            kernel_shape=[3, 3], strides=[2, 2], pads=[1, 0, 1, 0],
                            dilations=[1, 1])
    relu = helper.make_node("Relu", ["y"], ["z"], name="/stem/Relu")
    weights = [("w", (10, 3, 3, 3)), ("b", (10,))]
    if weights_as == "initializers":
        path = _save(tmp_path, [conv, relu], [_image()], [1, 10, 4, 3],
                     [_init(n, d) for n, d in weights])
    else:
        path = _save(tmp_path, [conv, relu], [_image(), *(_weight_input(n, d) for n, d in weights)],
                     [1, 10, 4, 3])
    analysis = _analyze(path)
    first = analysis.rows[0]
    # course formula: (8 + 1 + 1 − 3)/2 + 1 = 4 rows, (8 − 3)/2 + 1 = 3 columns
    assert (first.type, first.output, first.params) == ("conv", (4, 3, 10), 10 * 27 + 10)
    assert [row.name for row in analysis.rows] == ["stem_Conv", "stem_Relu"]


def _bn_inputs(prefix, channels):
    return [_init(f"{prefix}.{part}", (channels,), 1.0)
            for part in ("scale", "bias", "mean", "var")]


def test_fused_and_unfused_batchnorm_are_read_as_stored(tmp_path):
    unfused = [helper.make_node("Conv", ["x", "w"], ["c"], name="conv", kernel_shape=[3, 3],
                                pads=[1, 1, 1, 1]),
               helper.make_node("BatchNormalization",
                                ["c", "bn.scale", "bn.bias", "bn.mean", "bn.var"], ["y"],
                                name="bn")]
    fused = [helper.make_node("Conv", ["x", "w", "b"], ["y"], name="conv", kernel_shape=[3, 3],
                              pads=[1, 1, 1, 1])]
    a = _analyze(_save(tmp_path, unfused, [_image()], [1, 4, 8, 8],
                       [_init("w", (4, 3, 3, 3)), *_bn_inputs("bn", 4)], name="unfused"))
    b = _analyze(_save(tmp_path, fused, [_image()], [1, 4, 8, 8],
                       [_init("w", (4, 3, 3, 3)), _init("b", (4,))], name="fused"))
    # PyTorch: Conv2d(3, 4, 3, bias=False) 108 + BatchNorm2d(4) 8 params, 8 buffers
    assert (a.totals.params, a.totals.buffers, [r.type for r in a.rows]) == (
        116, 8, ["conv", "batchnorm"])
    # folded: the conv gains a bias (108 + 4), no batchnorm remains
    assert (b.totals.params, b.totals.buffers, [r.type for r in b.rows]) == (112, 0, ["conv"])


def test_residual_and_concat_become_composites(tmp_path):
    nodes = [
        helper.make_node("Conv", ["x", "w1"], ["a"], name="body_conv", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["a"], ["r"], name="body_relu"),
        helper.make_node("Add", ["r", "x"], ["s"], name="block_add"),
        helper.make_node("Conv", ["s", "w2"], ["p"], name="branch_conv", kernel_shape=[1, 1]),
        helper.make_node("MaxPool", ["s"], ["q"], name="branch_pool", kernel_shape=[3, 3],
                         strides=[1, 1], pads=[1, 1, 1, 1]),
        helper.make_node("Concat", ["p", "q", "s"], ["y"], name="cat", axis=1),
    ]
    path = _save(tmp_path, nodes, [_image()], [1, 5 + 3 + 3, 8, 8],
                 [_init("w1", (3, 3, 3, 3)), _init("w2", (5, 3, 1, 1))])
    text = import_onnx(path)
    assert "- residual:" in text and "shortcut: identity" in text and "- concat:" in text
    analysis = _analyze(path)
    assert [row.type for row in analysis.rows] == ["conv", "relu", "add", "conv", "maxpool",
                                                    "concat"]
    assert analysis.output == (8, 8, 11)  # 5 + 3 + 3 channels
    assert analysis.totals.params == 81 + 15  # 3·3·3·3 and 1·1·3·5, no biases


def test_resize_pad_dropout_matmul_are_mapped(tmp_path):
    nodes = [
        helper.make_node("Resize", ["x", "", "scales"], ["up"], name="up", mode="nearest"),
        helper.make_node("Pad", ["up", "pads"], ["padded"], name="pad", mode="constant"),
        helper.make_node("Dropout", ["padded", "ratio"], ["d"], name="drop"),
        helper.make_node("Flatten", ["d"], ["f"], name="flat", axis=1),
        helper.make_node("MatMul", ["f", "w"], ["m"], name="fc"),
        helper.make_node("Add", ["m", "bias"], ["y"], name="fc_bias"),
    ]
    inits = [numpy_helper.from_array(np.array([1, 1, 2, 2], dtype=np.float32), "scales"),
             numpy_helper.from_array(np.array([0, 0, 1, 2, 0, 0, 1, 2], dtype=np.int64), "pads"),
             numpy_helper.from_array(np.array(0.25, dtype=np.float32), "ratio"),
             _init("w", (3 * 18 * 20, 7)), _init("bias", (7,))]
    analysis = _analyze(_save(tmp_path, nodes, [_image()], [1, 7], inits))
    rows = [(row.type, row.output) for row in analysis.rows]
    assert rows == [("upsample", (16, 16, 3)), ("zeropad", (18, 20, 3)),
                    ("dropout", (18, 20, 3)), ("flatten", (1080,)), ("dense", (7,))]
    assert analysis.rows[2].layer.rate == 0.25
    assert analysis.totals.params == 1080 * 7 + 7


def test_an_se_gate_mul_becomes_a_gate(tmp_path):
    nodes = [
        helper.make_node("GlobalAveragePool", ["x"], ["g"], name="se_pool"),
        helper.make_node("Conv", ["g", "w"], ["c"], name="se_conv", kernel_shape=[1, 1]),
        helper.make_node("Sigmoid", ["c"], ["s"], name="se_sigmoid"),
        helper.make_node("Mul", ["x", "s"], ["y"], name="se_scale"),
    ]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8], [_init("w", (3, 3, 1, 1))])
    assert "- gate:" in import_onnx(path)
    analysis = _analyze(path)
    assert [(row.type, row.output) for row in analysis.rows] == [
        ("globalavgpool", (1, 1, 3)), ("conv", (1, 1, 3)), ("sigmoid", (1, 1, 3)),
        ("multiply", (8, 8, 3))]
    assert analysis.rows[-1].reads == ("input", analysis.rows[2].path)
    assert analysis.totals.params == 9  # 1·1·3·3, no bias


def test_a_mul_by_a_constant_is_refused_naming_the_operator_and_node(tmp_path):
    nodes = [helper.make_node("Mul", ["x", "k"], ["y"], name="scale")]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8], [_init("k", (1,), 2.0)])
    with pytest.raises(cnncalc.SpecError, match="'Mul' \\(node 'scale'\\): an operand that is "
                                                "a constant"):
        import_onnx(path)


def test_branches_meeting_anywhere_are_written_with_from(tmp_path):
    """x → a → b, then Add(b, x) after another layer on b: no residual nests it."""
    nodes = [
        helper.make_node("Relu", ["x"], ["a"], name="a"),
        helper.make_node("Conv", ["a", "w"], ["b"], name="b", kernel_shape=[1, 1]),
        helper.make_node("Sigmoid", ["b"], ["c"], name="c"),
        helper.make_node("Add", ["c", "a"], ["d"], name="d"),
        helper.make_node("Sum", ["d", "b", "a"], ["y"], name="total"),
    ]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8], [_init("w", (3, 3, 1, 1))])
    text = import_onnx(path)
    assert "- add: {name: d, from: [c, a]}" in text
    assert "- add: {name: total, from: [d, b, a]}" in text
    analysis = _analyze(path)
    assert [row.reads for row in analysis.rows] == [
        ("input",), ("a",), ("b",), ("c", "a"), ("d", "b", "a")]
    assert analysis.rows[-1].connections == 3 * 8 * 8 * 3  # neurons × 3 inputs (SPEC §7)


def test_a_channel_split_becomes_a_split(tmp_path):
    """ONNX Split (opset 13+: sizes as an input) into 2 + 4 channels, one part convolved."""
    nodes = [
        helper.make_node("Split", ["x", "sizes"], ["p1", "p2"], name="cut", axis=1),
        helper.make_node("Conv", ["p2", "w"], ["q"], name="conv", kernel_shape=[1, 1]),
        helper.make_node("Concat", ["p1", "q"], ["y"], name="join", axis=1),
    ]
    inits = [numpy_helper.from_array(np.array([2, 4], dtype=np.int64), "sizes"),
             _init("w", (5, 4, 1, 1))]
    path = _save(tmp_path, nodes, [_image(dims=(1, 6, 8, 8))], [1, 7, 8, 8], inits)
    assert "sizes: [2, 4]" in import_onnx(path)
    analysis = _analyze(path)
    assert [(row.type, row.output) for row in analysis.rows] == [
        ("split", (8, 8, 2)), ("split", (8, 8, 4)), ("conv", (8, 8, 5)), ("concat", (8, 8, 7))]
    assert analysis.totals.params == 20


def test_a_channel_slice_that_is_no_split_is_a_slice(tmp_path):
    nodes = [helper.make_node("Slice", ["x", "s", "e", "axes"], ["y"], name="first_two")]
    inits = [numpy_helper.from_array(np.array([v], dtype=np.int64), n)
             for n, v in (("s", 0), ("e", 2), ("axes", 1))]
    path = _save(tmp_path, nodes, [_image()], [1, 2, 8, 8], inits)
    analysis = _analyze(path)
    assert [(row.type, row.output) for row in analysis.rows] == [("slice", (8, 8, 2))]


def test_sigmoid_times_its_input_is_silu(tmp_path):
    nodes = [helper.make_node("Sigmoid", ["x"], ["s"], name="sig"),
             helper.make_node("Mul", ["x", "s"], ["y"], name="act")]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8])
    assert [row.type for row in _analyze(path).rows] == ["silu"]


def test_an_unknown_operator_is_refused_by_name(tmp_path):
    nodes = [helper.make_node("Erf", ["x"], ["y"], name="/act/Erf")]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8])
    with pytest.raises(cnncalc.SpecError, match="unsupported ONNX operator 'Erf' "
                                                "\\(node '/act/Erf'\\)"):
        import_onnx(path)


def test_section7_single_node_operators_import(tmp_path):
    """HardSwish was refused before SPEC §7; now it, DepthToSpace (CRD) and a dilated
    MaxPool read as cnncalc layers (shapes from ONNX's own inference)."""
    nodes = [helper.make_node("HardSwish", ["x"], ["a"], name="act"),
             helper.make_node("DepthToSpace", ["a"], ["b"], name="d2s", blocksize=2,
                              mode="CRD"),
             helper.make_node("MaxPool", ["b"], ["y"], name="pool", kernel_shape=[2, 2],
                              dilations=[2, 2])]
    path = _save(tmp_path, nodes, [_image(dims=(1, 4, 8, 8))], [1, 1, 14, 14])
    analysis = cnncalc.analyze(cnncalc.load(str(path)))
    assert [(row.type, row.output) for row in analysis.rows] == [
        ("hardswish", (8, 8, 4)), ("pixelshuffle", (16, 16, 1)),
        ("maxpool", (14, 14, 1))]  # ONNX strides default to 1: (16 − 2·(2 − 1) − 1)/1 + 1


def test_a_symbolic_input_needs_input(tmp_path):
    nodes = [helper.make_node("Relu", ["x"], ["y"], name="relu")]
    path = _save(tmp_path, nodes, [_image(dims=("N", 3, "H", "W"))], ["N", 3, "H", "W"])
    with pytest.raises(cnncalc.SpecError, match="symbolic size.*--input"):
        import_onnx(path)
    analysis = _analyze(path, input=(5, 6, 3))
    assert analysis.output == (5, 6, 3)


# -- real models, exported from PyTorch (tests/data/README.md) ----------------------------
def test_torchvision_resnet18_with_batchnorm_has_the_golden_figures():
    analysis = _analyze(DATA / "resnet18_bn.onnx")
    reference = golden("resnet18")
    assert (analysis.totals.params, analysis.totals.buffers, analysis.totals.macs) == (
        reference["params"], reference["buffers"], reference["macs"])
    assert analysis.output == (1000,)


@pytest.mark.parametrize("file, name", [("resnet18_fused", "resnet18"),
                                        ("mobilenet_v2", "mobilenet-v2"),
                                        ("squeezenet1_0", "squeezenet1_0"),
                                        ("vgg11", "vgg11")])
def test_torchvision_exports_with_folded_batchnorm(file, name):
    """PyTorch's exporter folds each BatchNorm into its conv: γ and β (2C params) and the
    running statistics (2C buffers) go, the conv gains C biases, so params drop by C =
    buffers / 2 per BatchNorm; MACs do not change."""
    analysis = _analyze(DATA / f"{file}.onnx")
    reference = golden(name)
    assert analysis.totals.params == reference["params"] - reference["buffers"] // 2
    assert analysis.totals.buffers == 0
    assert analysis.totals.macs == reference["macs"]
    assert analysis.output == (1000,)


def test_import_cli_writes_a_spec_that_reloads(tmp_path):
    from click.testing import CliRunner

    from cnncalc.cli import cli

    target = tmp_path / "squeezenet.yaml"
    outcome = CliRunner().invoke(cli, ["import", str(DATA / "squeezenet1_0.onnx"), "-o",
                                       str(target)])
    assert outcome.exit_code == 0, outcome.output
    from_yaml = cnncalc.analyze(cnncalc.load(str(target)))
    assert from_yaml.totals.params == golden("squeezenet1_0")["params"]  # no BN to fold
    assert "# /features/features.3/squeeze/Conv" in target.read_text()


# -- the round trip --------------------------------------------------------------------------
# convnext-tiny's layernorm on maps and layerscale, and shufflenet-v2's channelshuffle,
# export as node patterns that the importer reads back as one layer (onnx_patterns.py).
@pytest.mark.parametrize("name", BUILTINS)
def test_round_trip_keeps_every_figure_and_row_shape(tmp_path, name):
    original = cnncalc.analyze(cnncalc.load(name))
    path = tmp_path / f"{name}.onnx"
    onnx.save(export_onnx(original, weights="none"), str(path))
    back = cnncalc.analyze(cnncalc.load(str(path)))
    figures = ("params", "buffers", "weights", "biases", "macs", "connections")
    assert [getattr(back.totals, f) for f in figures] == \
        [getattr(original.totals, f) for f in figures]
    assert back.output == original.output
    assert [(r.input, r.output) for r in back.rows] == \
        [(r.input, r.output) for r in original.rows]


@pytest.mark.parametrize("name", GRAPHS)
def test_round_trip_of_graph_specs_keeps_figures_rows_and_outputs(tmp_path, name):
    original = cnncalc.analyze(cnncalc.loads(GRAPHS[name]))
    path = tmp_path / f"{name}.onnx"
    onnx.save(export_onnx(original, weights="none"), str(path))
    back = cnncalc.analyze(cnncalc.load(str(path)))
    figures = ("params", "buffers", "weights", "biases", "macs", "connections",
               "params_without_aux", "macs_without_aux")
    assert [getattr(back, f, None) or getattr(back.totals, f) for f in figures] == \
        [getattr(original, f, None) or getattr(original.totals, f) for f in figures]
    assert [(r.type, r.input, r.output, r.aux) for r in back.rows] == \
        [(r.type, r.input, r.output, r.aux) for r in original.rows]
    assert list(back.outputs.values()) == list(original.outputs.values())


def test_imported_graph_specs_read_as_written(tmp_path):
    """The FPN's second output is listed in outputs: and its branches read by from:; the aux
    head's classifier is an aux entry; the gate and the splits stay composites."""
    texts = {}
    for name in ("fpn", "aux-head", "shuffle-split", "se-block"):
        path = tmp_path / f"{name}.onnx"
        onnx.save(export_onnx(cnncalc.analyze(cnncalc.loads(GRAPHS[name])), weights="none"),
                  str(path))
        texts[name] = import_onnx(path)
    assert "outputs: [p3, p4]" in texts["fpn"]
    assert "- upsample: {name: up4, from: lat4," in texts["fpn"]
    assert "- add: {name: merge3, from: [lat3, up4]}" in texts["fpn"]
    assert "- aux:\n      name: side\n      layers:\n" in texts["aux-head"]
    assert "outputs:" not in texts["aux-head"]
    assert texts["shuffle-split"].count("- split:") == 2
    assert "sizes: [8, 24]" in texts["shuffle-split"]
    assert "- concat: {name: both, from: [unit, uneven]}" in texts["shuffle-split"]
    assert "- gate:" in texts["se-block"]


def test_a_file_that_is_not_onnx_is_one_clear_error(tmp_path):
    from click.testing import CliRunner

    from cnncalc.cli import cli

    path = tmp_path / "broken.onnx"
    path.write_bytes(b"\x08\x07not a protobuf at all\xff\xff")
    outcome = CliRunner().invoke(cli, ["summary", str(path)])
    assert outcome.exit_code == 1
    assert "cannot read the ONNX model" in outcome.output and "Traceback" not in outcome.output


def test_explain_and_compare_take_onnx_files():
    from click.testing import CliRunner

    from cnncalc.cli import cli

    runner = CliRunner()
    outcome = runner.invoke(cli, ["explain", str(DATA / "vgg11.onnx"), "features_features_0_Conv"])
    assert outcome.exit_code == 0, outcome.output
    outcome = runner.invoke(cli, ["compare", str(DATA / "resnet18_bn.onnx"), "resnet18"])
    assert outcome.exit_code == 0 and "11,689,512" in outcome.output


def test_an_onnx_file_beyond_the_size_limit_is_refused_before_reading(tmp_path):
    """limits.ONNX_BYTES, checked with stat() before onnx.load: a sparse file over 512 MiB."""
    from cnncalc import limits
    from cnncalc.errors import LimitError

    path = tmp_path / "big.onnx"
    with open(path, "wb") as handle:
        handle.truncate(limits.ONNX_BYTES.value + 1)
    with pytest.raises(LimitError, match="models are limited to 536,870,912 bytes"):
        cnncalc.load(path)


def test_an_onnx_graph_beyond_the_node_limit_is_refused(tmp_path, monkeypatch):
    from dataclasses import replace

    from cnncalc import limits
    from cnncalc.errors import LimitError
    from cnncalc.interop import onnx_graph

    monkeypatch.setattr(onnx_graph, "ONNX_NODES", replace(limits.ONNX_NODES, value=3))
    path = tmp_path / "m.onnx"
    model = export_onnx(cnncalc.analyze(cnncalc.load("lenet5")), weights="none")
    path.write_bytes(model.SerializeToString())  # 12 nodes
    with pytest.raises(LimitError, match="the importer is limited to 3"):
        cnncalc.load(path)


def _row_shapes(row):
    """A row's type and shapes; a merge row's input is one of its several inputs (the
    composite's input for `concat` branches, the first source for `from: [...]`), so only
    its output counts here (its connections are in the totals)."""
    merge = row.type in ("add", "multiply", "concat")
    return row.type, None if merge else row.input, row.output


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=graph_specs())
def test_random_graphs_round_trip_through_onnx(tmp_path_factory, spec):
    """The graph fuzzer's random networks (tests/test_fuzz_graph.py): each that analyses comes
    back from its ONNX export with every figure, row type and shape and output. (A main-path
    layer whose result only an aux head reads comes back inside that head: the graph cannot
    tell them apart, so aux marks are compared per network, not per row.)"""
    try:
        original = cnncalc.analyze(cnncalc.loads(spec, file="graph.yaml"))
    except cnncalc.CnnCalcError:
        return  # the fuzzer's own test covers these
    path = tmp_path_factory.mktemp("fuzz") / "graph.onnx"
    onnx.save(export_onnx(original, weights="none"), str(path))
    back = cnncalc.analyze(cnncalc.load(str(path)))
    figures = ("params", "buffers", "macs", "connections")
    assert [getattr(back.totals, f) for f in figures] == \
        [getattr(original.totals, f) for f in figures], spec
    assert [_row_shapes(r) for r in back.rows] == [_row_shapes(r) for r in original.rows], spec
    assert list(back.outputs.values()) == list(original.outputs.values()), spec
    assert back.has_aux == original.has_aux, spec


def test_several_data_inputs_become_inputs(tmp_path):
    """An image and a mask: a conv on each, multiplied; weights as graph inputs stay weights."""
    nodes = [
        helper.make_node("Conv", ["x", "w"], ["a"], name="img_conv", kernel_shape=[1, 1]),
        helper.make_node("Conv", ["mask", "v"], ["b"], name="mask_conv", kernel_shape=[1, 1]),
        helper.make_node("Mul", ["a", "b"], ["y"], name="masked"),
    ]
    inputs = [_image(), _image("mask", (1, 1, 8, 8)), _weight_input("w", (4, 3, 1, 1)),
              _weight_input("v", (4, 1, 1, 1))]
    path = _save(tmp_path, nodes, inputs, [1, 4, 8, 8])
    text = import_onnx(path)
    assert "inputs: {x: 8x8x3, mask: 8x8x1}" in text
    assert "- multiply: {name: masked, from: [img_conv, mask_conv]}" in text
    analysis = _analyze(path)
    assert [row.reads for row in analysis.rows] == [("x",), ("mask",),
                                                     ("img_conv", "mask_conv")]
    assert analysis.totals.params == 12 + 4


# -- hostile files (issue 17): one clear error naming the node, never a crash ------------------
def _cli_error(path) -> str:
    from click.testing import CliRunner

    from cnncalc.cli import cli

    for command in (["import", str(path), "-o", str(path.with_suffix(".yaml"))],
                    ["summary", str(path), "--format", "json"]):
        outcome = CliRunner().invoke(cli, command)
        assert outcome.exit_code == 1, outcome.output
        assert not isinstance(outcome.exception, Exception) or isinstance(
            outcome.exception, SystemExit)
        assert "internal error" not in outcome.output and "Traceback" not in outcome.output
    return outcome.output


def _conv_net(tmp_path, **conv_attrs):
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv1", **conv_attrs)
    return _save(tmp_path, [conv], [_image()], [1, 4, 6, 6], [_init("w", (4, 3, 3, 3))])


def test_onnx_shape_inference_that_aborts_is_a_spec_error_not_a_dead_process():
    """A negative dimension into a Slice trips a C++ assertion (std::clamp) inside onnx's
    shape inference, which aborts the process it runs in; run in a forked child, it is an
    error naming the file."""
    from cnncalc.errors import SpecError
    from cnncalc.interop.onnx_checks import infer_isolated

    x = _image(dims=(1, 4, 8, 8))
    x.type.tensor_type.shape.dim[2].dim_value = -3
    cuts = [numpy_helper.from_array(np.array([v], dtype=np.int64), name)
            for name, v in (("starts", 1), ("ends", 5), ("axes", 2))]
    node = helper.make_node("Slice", ["x", "starts", "ends", "axes"], ["y"], name="cut")
    model = helper.make_model(helper.make_graph(
        [node], "g", [x], [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], cuts))
    with pytest.raises(SpecError, match=r"hostile\.onnx: ONNX's shape inference failed on "
                                        r"this model \(it stopped with signal 6"):
        infer_isolated(model, "hostile.onnx", data_prop=True)


def test_an_aborting_shape_inference_ends_the_cli_with_one_message(tmp_path, monkeypatch):
    import os

    monkeypatch.setattr(onnx.shape_inference, "infer_shapes", lambda *a, **k: os.abort())
    output = _cli_error(_conv_net(tmp_path, kernel_shape=[3, 3]))
    assert "ONNX's shape inference failed on this model" in output


def test_a_pool_without_kernel_shape_is_an_error_naming_the_node(tmp_path):
    pool = helper.make_node("MaxPool", ["x"], ["y"], name="pool1", strides=[2, 2])
    path = _save(tmp_path, [pool], [_image()], [1, 3, 4, 4])
    output = _cli_error(path)
    assert "'pool1'" in output and "kernel_shape" in output


@pytest.mark.parametrize("attribute", [
    helper.make_attribute("strides", 2),  # an INT where ONNX's Conv takes INTS
    onnx.AttributeProto(name="strides"),  # no value at all (type UNDEFINED)
])
def test_an_attribute_of_the_wrong_kind_is_an_error_naming_the_node(tmp_path, attribute):
    path = _conv_net(tmp_path, kernel_shape=[3, 3])
    model = onnx.load(str(path))
    model.graph.node[0].attribute.append(attribute)
    onnx.save(model, str(path))
    output = _cli_error(path)
    assert "'conv1'" in output and "'strides'" in output and "INTS" in output


def test_a_conv_without_its_weight_input_is_an_error_naming_the_node(tmp_path):
    path = _conv_net(tmp_path, kernel_shape=[3, 3])
    model = onnx.load(str(path))
    del model.graph.node[0].input[1:]
    onnx.save(model, str(path))
    assert "'conv1'" in _cli_error(path)


def test_a_cycle_is_an_error_naming_the_node(tmp_path):
    nodes = [helper.make_node("Add", ["x", "z"], ["y"], name="add1"),
             helper.make_node("Relu", ["y"], ["z"], name="relu1")]
    path = _save(tmp_path, nodes, [_image()], [1, 3, 8, 8])
    output = _cli_error(path)
    assert "'add1'" in output and "cycle" in output


def test_an_unreadable_constant_is_an_error_naming_it(tmp_path):
    ratio = numpy_helper.from_array(np.array(0.5, dtype=np.float32), "ratio")
    ratio.raw_data = b"\x00" * 6  # six bytes for one float32
    drop = helper.make_node("Dropout", ["x", "ratio"], ["y"], name="drop1")
    path = _save(tmp_path, [drop], [_image()], [1, 3, 8, 8], [ratio])
    assert "'ratio'" in _cli_error(path)


def test_a_name_that_is_not_utf8_is_an_error(tmp_path):
    path = _save(tmp_path, [helper.make_node("Relu", ["x"], ["y"], name="relu_AAAA")],
                 [_image()], [1, 3, 8, 8])
    data = path.read_bytes().replace(b"relu_AAAA", b"relu_\xff\xfe\xfd\xfc")
    path.write_bytes(data)
    assert "not valid UTF-8" in _cli_error(path)


# -- patterns that are one layer (torch.onnx's forms; cnncalc's own are in the round trip) ----
def test_torch_forms_of_layernorm2d_layerscale_and_channel_shuffle_import(tmp_path):
    """torchvision's LayerNorm2d (permute, layer_norm, permute), ConvNeXt's γ·x and
    channel_shuffle (view (N, G, C/G, H, W), transpose(1, 2), view back) as torch.onnx
    writes them. Parameters (PyTorch docs): Conv2d(3, 8, 3) 8·3·9 + 8 = 224, LayerNorm(8)
    weight and bias 2·8 = 16, γ 8; a shuffle has none."""
    def shape(name, dims):
        return numpy_helper.from_array(np.array(dims, dtype=np.int64), name)

    nodes = [
        helper.make_node("Conv", ["x", "w", "b"], ["c"], name="/c/Conv", kernel_shape=[3, 3]),
        helper.make_node("Transpose", ["c"], ["t1"], name="/Transpose", perm=[0, 2, 3, 1]),
        helper.make_node("LayerNormalization", ["t1", "ln.w", "ln.b"], ["n"],
                         name="/ln/LayerNormalization", axis=-1, epsilon=1e-5),
        helper.make_node("Transpose", ["n"], ["t2"], name="/Transpose_1", perm=[0, 3, 1, 2]),
        helper.make_node("Mul", ["gamma", "t2"], ["g"], name="/Mul"),
        helper.make_node("Reshape", ["g", "five"], ["r1"], name="/Reshape"),
        helper.make_node("Transpose", ["r1"], ["s"], name="/Transpose_2", perm=[0, 2, 1, 3, 4]),
        helper.make_node("Reshape", ["s", "four"], ["y"], name="/Reshape_1"),
    ]
    weights = [_init("w", (8, 3, 3, 3)), _init("b", (8,)), _init("ln.w", (8,), 1.0),
               _init("ln.b", (8,)), _init("gamma", (8, 1, 1), 1e-6),
               shape("five", [1, 2, 4, 6, 6]), shape("four", [1, -1, 6, 6])]
    path = _save(tmp_path, nodes, [_image()], [1, 8, 6, 6], weights)
    text = import_onnx(path)
    assert "- layernorm: {name: Transpose_1, affine: true}" in text
    assert "- layerscale: {name: Mul}" in text
    assert "- channelshuffle: {name: Reshape_1, groups: 2}" in text
    analysis = _analyze(path)
    assert analysis.totals.params == 224 + 16 + 8
    assert analysis.output == (6, 6, 8)


def test_a_transpose_that_is_no_pattern_is_still_refused_by_name(tmp_path):
    node = helper.make_node("Transpose", ["x"], ["y"], name="swap", perm=[0, 1, 3, 2])
    path = _save(tmp_path, [node], [_image()], [1, 3, 8, 8])
    with pytest.raises(Exception, match="unsupported ONNX operator 'Transpose' .*'swap'"):
        import_onnx(path)
