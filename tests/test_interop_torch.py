"""With PyTorch installed: the exported modules run, with cnncalc's parameter count and output
shape, and torchvision-style specs' state_dict keys equal torchvision's. Skips without torch
(it is never a dependency); run it with an environment that has torch and torchvision."""

from __future__ import annotations

import pytest
from golden_data import BUILTINS, golden
from graph_specs import GRAPHS
from hypothesis import HealthCheck, given, settings
from test_fuzz_graph import graph_specs

import cnncalc
from cnncalc.interop.layout import onnx_dims
from cnncalc.interop.pytorch_export import class_name, export_pytorch

torch = pytest.importorskip("torch")

# Small inputs keep the forward passes quick where the architecture allows them.
# inception-v3 keeps its 299×299: its aux head's 5×5 pool and 5×5 conv need Mixed_6e's 17×17.
SMALL = {"unet": "188x188x1", "inception-v3": None, "lenet5": None, "alexnet": None,
         "alexnet-torchvision": None,
         "vgg11": "32x32x3", "vgg16": "32x32x3", "vgg16-bn": "32x32x3", "vgg19": "32x32x3",
         "m5": None, "r3d-18": "8x56x56x3", "r2plus1d-18": "8x56x56x3"}  # their own rank


def _module(analysis):
    namespace: dict = {}
    exec(compile(export_pytorch(analysis), f"<{analysis.name}>", "exec"), namespace)  # noqa: S102
    return namespace[class_name(analysis.name)]()


@pytest.mark.parametrize("name", BUILTINS)
def test_exported_module_has_cnncalcs_params_and_output_shape(name):
    size = SMALL.get(name, "64x64x3")
    analysis = cnncalc.analyze(cnncalc.load(name),
                               input=cnncalc.parse_shape(size) if size else None)
    # Networks above 30 M params run on PyTorch's meta device (its own shape kernels, no
    # weights allocated): a real vgg19 would lift this process's peak memory past what
    # tests/test_limits.py's child processes, which inherit it, may report.
    # The same for inception-v3's 5.7 G MACs at 299×299 (its activations).
    heavy = analysis.totals.params > 30_000_000 or analysis.totals.macs > 5_000_000_000
    device = "meta" if heavy else "cpu"
    with torch.device(device):
        net = _module(analysis).eval()
        assert sum(p.numel() for p in net.parameters()) == analysis.totals.params
        assert sum(b.numel() for n, b in net.named_buffers()
                   if not n.endswith("num_batches_tracked")) == analysis.totals.buffers
        shapes = [analysis.input, *list(analysis.network.inputs.values())[1:]]
        with torch.no_grad():
            out = net(*(torch.randn(onnx_dims(shape)) for shape in shapes))
    outs = out if isinstance(out, tuple) else (out,)  # several outputs: in `outputs:` order
    assert [list(o.shape) for o in outs] == [onnx_dims(s) for s in analysis.outputs.values()]


@pytest.mark.parametrize("name", ["resnet18", "vgg16"])
def test_state_dict_keys_and_shapes_equal_torchvisions(name):
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):  # shapes only: nothing is allocated or initialised
        ours = _module(cnncalc.analyze(cnncalc.load(name))).state_dict()
        theirs = getattr(torchvision.models, name)(weights=None).state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[key].shape == theirs[key].shape for key in theirs)


@pytest.mark.parametrize("name", GRAPHS)
def test_graph_specs_run_with_cnncalcs_params_and_every_output_shape(name):
    analysis = cnncalc.analyze(cnncalc.loads(GRAPHS[name]))
    net = _module(analysis).eval()
    assert sum(p.numel() for p in net.parameters()) == analysis.totals.params
    with torch.no_grad():
        out = net(torch.randn(onnx_dims(analysis.input)))
    outs = out if isinstance(out, tuple) else (out,)
    assert [list(o.shape) for o in outs] == [onnx_dims(s) for s in analysis.outputs.values()]


def test_exported_inception_v3_has_torchvisions_param_count():
    """tests/golden/inception-v3.json: 27,161,264 measured on torchvision's inception_v3 (with
    its AuxLogits head); the module returns (logits, aux logits) as torchvision does."""
    with torch.device("meta"):
        net = _module(cnncalc.analyze(cnncalc.load("inception-v3"))).eval()
        out = net(torch.empty(1, 3, 299, 299))
    assert sum(p.numel() for p in net.parameters()) == golden("inception-v3")["params"]
    assert [list(o.shape) for o in out] == [[1, 1000], [1, 1000]]


def test_gate_and_split_compute_what_they_say():
    """Gate is x * body(x); Split runs branch i on channel part i (checked against slicing)."""
    analysis = cnncalc.analyze(cnncalc.loads(GRAPHS["shuffle-split"]))
    net = _module(analysis).eval()
    x = torch.randn(1, 24, 16, 16)
    with torch.no_grad():
        stem = net.stem(x)
        unit = net.unit(stem)
        assert torch.equal(unit[:, :16], stem[:, :16])  # the identity half passes unchanged
        se = _module(cnncalc.analyze(cnncalc.loads(GRAPHS["se-block"]))).eval().se
        y = torch.randn(1, 32, 4, 4)
        weights = se.sigmoid1(se.conv2(se.relu1(se.conv1(y.mean((2, 3), keepdim=True)))))
        assert torch.allclose(se(y), y * weights)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript-based exporter
@pytest.mark.filterwarnings("ignore::UserWarning")
# (inception-v3 reads back the same way — its AuxLogits an aux head — but tracing it lifts
# this process's peak memory past what tests/test_limits.py's child processes may report.)
@pytest.mark.parametrize("name", ["se-block", "fpn", "aux-head"])
def test_pytorchs_own_onnx_export_of_graphs_imports_with_the_same_figures(tmp_path, name):
    """PyTorch's exporter (not cnncalc's) writes the exported module as ONNX; importing that
    gives the spec's params, buffers and MACs and every output's shape (its names, its fused
    Concats and dropped Dropouts are its own, so rows and connections may differ). The aux
    head comes back as an aux head."""
    pytest.importorskip("onnx")
    from torch.onnx import TrainingMode

    analysis = cnncalc.analyze(cnncalc.loads(GRAPHS[name]))
    path = tmp_path / f"{name}.onnx"
    torch.onnx.export(_module(analysis).eval(), torch.randn(onnx_dims(analysis.input)),
                      str(path), dynamo=False, opset_version=17,
                      training=TrainingMode.PRESERVE)  # BatchNorm kept, not folded
    back = cnncalc.analyze(cnncalc.load(str(path)))
    figures = ("params", "buffers", "macs")
    assert [getattr(back.totals, f) for f in figures] == \
        [getattr(analysis.totals, f) for f in figures]
    assert list(back.outputs.values()) == list(analysis.outputs.values())
    assert back.has_aux == analysis.has_aux


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(spec=graph_specs())
def test_random_graphs_export_and_run_with_cnncalcs_figures(spec):
    """The graph fuzzer's random 1-D, 2-D and 3-D networks (tests/test_fuzz_graph.py): each
    that analyses exports, runs, and has cnncalc's params and every output shape."""
    try:
        analysis = cnncalc.analyze(cnncalc.loads(spec, file="graph.yaml"))
    except cnncalc.CnnCalcError:
        return
    net = _module(analysis).eval()
    assert sum(p.numel() for p in net.parameters()) == analysis.totals.params, spec
    with torch.no_grad():
        out = net(torch.randn(onnx_dims(analysis.input)))
    outs = out if isinstance(out, tuple) else (out,)
    assert [list(o.shape) for o in outs] == [onnx_dims(s) for s in analysis.outputs.values()]
