"""ONNX export of every built-in: the full checker, names, value_info, onnxruntime, referee."""

from __future__ import annotations

import pytest
from golden_data import BUILTINS

import cnncalc

onnx = pytest.importorskip("onnx")

from cnncalc.interop.layout import onnx_dims  # noqa: E402
from cnncalc.interop.onnx_export import ExportError, export_onnx  # noqa: E402
from cnncalc.interop.referee import verify_onnx  # noqa: E402


def _analysis(name: str, **kwargs):
    return cnncalc.analyze(cnncalc.load(name), **kwargs)


def _dims(value) -> list[int]:
    return [dim.dim_value for dim in value.type.tensor_type.shape.dim]


@pytest.mark.parametrize("name", BUILTINS)
def test_every_builtin_passes_the_full_checker_with_its_shapes_in_value_info(name):
    analysis = _analysis(name)
    model = export_onnx(analysis, weights="none")
    onnx.checker.check_model(model, full_check=True)
    assert model.opset_import[0].version >= 17
    node_names = {node.name for node in model.graph.node}
    assert {row.path for row in analysis.rows} <= node_names  # node names = spec paths
    shapes = {value.name: _dims(value)
              for value in [*model.graph.value_info, *model.graph.output]}
    for row in analysis.rows:  # every tensor, as the formulas give it
        assert shapes[row.path] == onnx_dims(row.output), row.path
    assert _dims(model.graph.output[0]) == onnx_dims(analysis.output)
    assert [value.name for value in model.graph.output] == list(analysis.output_tensors.values())
    # --weights none: every learnable tensor is a graph input; only tiny constants remain
    weight_inputs = {value.name for value in model.graph.input[1:]}
    assert sum(row.params + row.buffers for row in analysis.rows) == sum(
        _size(_dims(value)) for value in model.graph.input[1:])
    assert all(_size(tensor.dims) <= 8 for tensor in model.graph.initializer)
    assert not weight_inputs & {tensor.name for tensor in model.graph.initializer}


def _size(dims) -> int:
    total = 1
    for dim in dims:
        total *= dim
    return total


@pytest.mark.parametrize("name", BUILTINS)
def test_onnx_referee_agrees_on_every_row_of_every_builtin(name):
    analysis = _analysis(name)
    result = verify_onnx(analysis)
    assert result.ok and result.checked == len(analysis.rows)
    assert all(row.verified is True for row in result.analysis.rows)


def test_onnx_referee_reports_a_row_whose_formula_shape_is_wrong():
    analysis = _analysis("alexnet")
    row = next(row for row in analysis.rows if row.type == "maxpool")
    height, width, channels = row.output
    row.output = (height + 1, width, channels)  # what a formula bug would produce
    result = verify_onnx(analysis)
    assert [bad.path for bad in result.mismatches] == [row.path]
    marked = result.mismatches[0]
    assert marked.verified is False and "ONNX shape inference gives" in marked.verify_note


def test_a_referee_disagreement_makes_summary_exit_3():
    """The CLI's exit code reads the rows the referee marked (SPEC §11: shown like a
    reference mismatch, exit 3)."""
    from cnncalc.cli.base import EXIT_MISMATCH
    from cnncalc.cli.network import summary_exit_code

    analysis = _analysis("lenet5")
    assert summary_exit_code(verify_onnx(analysis).analysis, strict=False) == 0
    row = analysis.rows[0]
    row.output = (row.output[0] - 1, *row.output[1:])
    assert summary_exit_code(verify_onnx(analysis).analysis, strict=False) == EXIT_MISMATCH == 3


# Small inputs keep onnxruntime quick; resnet50 and vgg16 run at full size with random weights.
RUN_INPUTS = {"resnet50": None, "vgg16": None, "unet": "188x188x1", "alexnet": None,
              "alexnet-torchvision": None, "lenet5": None, "googlenet": "64x64x3",
              "squeezenet1_0": "64x64x3", "inception-v3": None, "vgg11": None,
              "vgg16-bn": None, "vgg19": None,
              # 1-D and 3-D: their own rank's input (a smaller clip keeps the run short)
              "m5": None, "r3d-18": "8x56x56x3", "r2plus1d-18": "8x56x56x3"}


def _run(analysis, weights: str):
    import numpy as np
    import onnxruntime

    model = export_onnx(analysis, weights=weights)
    options = onnxruntime.SessionOptions()  # no graph rewriting: run the nodes as exported
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = onnxruntime.InferenceSession(model.SerializeToString(), options,
                                           providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    image = model.graph.input[0]
    # a random image; weight inputs (--weights none) get small constants, cheap to make
    feeds = {value.name: np.full(_dims(value), 0.01, dtype=np.float32)
             for value in model.graph.input[1:]}
    feeds[image.name] = rng.standard_normal(_dims(image), dtype=np.float32)
    outputs = session.run(None, feeds)
    assert [list(out.shape) for out in outputs] == [
        onnx_dims(shape) for shape in analysis.outputs.values()]  # an aux head's too
    return outputs[0]


HEAVY_RUN = """
import json, sys
import numpy as np
import onnx, onnxruntime
import cnncalc
from cnncalc.interop.onnx_export import export_onnx
analysis = cnncalc.analyze(cnncalc.load(sys.argv[1]))
model = export_onnx(analysis, weights="random")
# weights in a side file: onnxruntime maps it instead of parsing a 553 MB protobuf
path = sys.argv[2]
onnx.save_model(model, path, save_as_external_data=True, location="weights.bin")
options = onnxruntime.SessionOptions()
options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
session = onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])
image = np.random.default_rng(0).standard_normal((1, 3, 224, 224), dtype=np.float32)
(out,) = session.run(None, {"input": image})
print(json.dumps({"shape": list(out.shape), "finite": bool(np.isfinite(out).all())}))
"""


@pytest.mark.parametrize("name", ["resnet50", "vgg16"])
def test_heavy_builtins_run_in_onnxruntime_with_random_weights(name, tmp_path):
    """In a child process: vgg16's 553 MB model would otherwise raise this process's peak
    memory, which the memory-limit tests' child processes inherit as their starting peak."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("onnxruntime")
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here.parent), str(here)])}
    done = subprocess.run([sys.executable, "-c", HEAVY_RUN, name, str(tmp_path / "m.onnx")],
                          capture_output=True,
                          text=True, timeout=120, check=True, env=env, cwd=here.parent)
    result = json.loads(done.stdout)
    assert result["shape"] == onnx_dims(_analysis(name).output)
    assert result["finite"]


@pytest.mark.parametrize("name", [n for n in BUILTINS if n not in ("resnet50", "vgg16")
                                  and not n.startswith(("vgg", "resnet1"))] + ["resnet101"])
def test_builtins_run_in_onnxruntime_with_the_stated_output_shape(name):
    pytest.importorskip("onnxruntime")
    size = RUN_INPUTS.get(name, "64x64x3")
    analysis = _analysis(name, input=cnncalc.parse_shape(size) if size else None)
    out = _run(analysis, "none")
    assert list(out.shape) == onnx_dims(analysis.output)


def test_unequal_adaptive_bins_are_refused_naming_the_layer():
    analysis = cnncalc.analyze(cnncalc.loads(
        "input: 10x10x3\nlayers:\n  - adaptiveavgpool: {name: squeeze, output: 3}\n"))
    with pytest.raises(ExportError, match="squeeze.*unequal|unequal.*") as error:
        export_onnx(analysis)
    assert error.value.layer_name == "squeeze"


def test_gelu_needs_opset_20_and_gets_it_by_default():
    analysis = cnncalc.analyze(cnncalc.loads("input: 8\nlayers: [{dense: {units: 4}}, gelu]\n"))
    assert export_onnx(analysis).opset_import[0].version == 20
    with pytest.raises(ExportError, match="gelu needs ONNX Gelu"):
        export_onnx(analysis, opset=17)


def test_random_weights_beyond_one_onnx_file_are_refused_before_allocating():
    spec = "input: 100000x100000x3\nlayers:\n  - dense: {units: 10}\n"
    analysis = cnncalc.analyze(cnncalc.loads(spec))  # 3·10^10 · 10 weights: 1.2 TB
    with pytest.raises(ExportError, match="more than the 2 GiB.*--weights none"):
        export_onnx(analysis)
    assert export_onnx(analysis, weights="none").graph.input[1].name == "dense1.weight"
