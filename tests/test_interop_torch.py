"""With PyTorch installed: the exported modules run, with cnncalc's parameter count and output
shape, and torchvision-style specs' state_dict keys equal torchvision's. Skips without torch
(it is never a dependency); run it with an environment that has torch and torchvision."""

from __future__ import annotations

import pytest
from golden_data import BUILTINS

import cnncalc
from cnncalc.interop.layout import onnx_dims
from cnncalc.interop.pytorch_export import class_name, export_pytorch

torch = pytest.importorskip("torch")

# Small inputs keep the forward passes quick where the architecture allows them.
SMALL = {"unet": "188x188x1", "lenet5": None, "alexnet": None, "alexnet-torchvision": None,
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
    device = "meta" if analysis.totals.params > 30_000_000 else "cpu"
    with torch.device(device):
        net = _module(analysis).eval()
        assert sum(p.numel() for p in net.parameters()) == analysis.totals.params
        assert sum(b.numel() for n, b in net.named_buffers()
                   if not n.endswith("num_batches_tracked")) == analysis.totals.buffers
        with torch.no_grad():
            out = net(torch.randn(onnx_dims(analysis.input)))
    assert list(out.shape) == onnx_dims(analysis.output)


@pytest.mark.parametrize("name", ["resnet18", "vgg16"])
def test_state_dict_keys_and_shapes_equal_torchvisions(name):
    torchvision = pytest.importorskip("torchvision")
    with torch.device("meta"):  # shapes only: nothing is allocated or initialised
        ours = _module(cnncalc.analyze(cnncalc.load(name))).state_dict()
        theirs = getattr(torchvision.models, name)(weights=None).state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[key].shape == theirs[key].shape for key in theirs)
