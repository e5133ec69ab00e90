"""Re-create the ONNX fixtures of tests/data/ (needs PyTorch + torchvision + onnx).

    python tests/data/make_onnx_fixtures.py

Each torchvision model (weights=None: nothing is downloaded) is exported with PyTorch's
TorchScript-based exporter at opset 17 on a 1×3×224×224 input, then its weights are turned
into graph inputs (same names and shapes, no data) so each file is a few kilobytes. SPEC §10
says graph inputs consumed only as weights are weights, so cnncalc reads them like
initializers.
"""

from __future__ import annotations

from pathlib import Path

import onnx
import torch
import torchvision

HERE = Path(__file__).resolve().parent
MODELS = {
    # name: (constructor, training mode): eval folds BatchNorm into Conv, PRESERVE keeps it
    "resnet18_fused": (lambda: torchvision.models.resnet18(), torch.onnx.TrainingMode.EVAL),
    "resnet18_bn": (lambda: torchvision.models.resnet18(), torch.onnx.TrainingMode.PRESERVE),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), torch.onnx.TrainingMode.EVAL),
    "squeezenet1_0": (lambda: torchvision.models.squeezenet1_0(), torch.onnx.TrainingMode.EVAL),
    "vgg11": (lambda: torchvision.models.vgg11(), torch.onnx.TrainingMode.EVAL),
}


def strip_weights(model: onnx.ModelProto) -> onnx.ModelProto:
    """Initializers → graph inputs of the same name, type and shape (no data)."""
    graph = model.graph
    for tensor in list(graph.initializer):
        graph.input.append(onnx.helper.make_tensor_value_info(tensor.name, tensor.data_type,
                                                              list(tensor.dims)))
    del graph.initializer[:]
    return model


def main() -> None:
    torch.manual_seed(0)
    for name, (make, mode) in MODELS.items():
        model = make().eval()
        path = HERE / f"{name}.onnx"
        torch.onnx.export(model, (torch.randn(1, 3, 224, 224),), str(path), dynamo=False,
                          opset_version=17, training=mode, input_names=["image"],
                          output_names=["logits"], do_constant_folding=True)
        stripped = strip_weights(onnx.load(str(path)))
        onnx.save(stripped, str(path))
        params = sum(p.numel() for p in model.parameters())
        print(f"{path.name}: {path.stat().st_size:,} bytes, torch params {params:,}")


if __name__ == "__main__":
    main()
