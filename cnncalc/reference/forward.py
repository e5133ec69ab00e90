"""Run a layer tree on real NumPy arrays and record the shape every layer really produced.

The independent referee: it reads the layers' options but never their output-size formulas
(shapes.py, fit.py); each shape is whatever array the kernels in ops.py return.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.model import Concat, Residual, Sequential
from . import ops, weights

Shape = tuple[int, ...]

ACTIVATIONS: dict[str, Callable] = {
    "relu": ops.relu, "relu6": ops.relu6, "elu": ops.elu, "gelu": ops.gelu, "tanh": ops.tanh,
    "sigmoid": ops.sigmoid, "softmax": ops.softmax, "identity": ops.identity,
    "dropout": ops.dropout,
}


def identity_batchnorm(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Inference batchnorm with the (almost) identity parameters of weights.py."""
    return ops.batchnorm(x, *weights.batchnorm_identity(x.shape[0]), out=out)


# Layers that overwrite an input the pass owns (``out=x``) instead of allocating a new
# array: on ResNet-50 that took its 53 batchnorms from 28 to 18 ms.
IN_PLACE: dict[str, Callable] = {
    "relu": ops.relu, "relu6": ops.relu6, "batchnorm": identity_batchnorm,
}
# Layers that always hand back an array no one else holds: a new one, or (IN_PLACE) their
# own input overwritten when it was already the pass's alone.
OWNED_RESULT = {"conv", "convtranspose", "dense", *IN_PLACE}


class Stop(Exception):
    """Raised by the `before` hook to end the pass before a layer that cannot fit."""


def hwc(array: np.ndarray) -> Shape:
    """The spec's H×W×C order of a CHW array (a vector stays as it is)."""
    if array.ndim == 3:
        return (array.shape[1], array.shape[2], array.shape[0])
    return tuple(array.shape)


def tf_same(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding split: the definition of the option, not a shape check."""
    wanted = -(-size // stride)
    total = max((wanted - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return total // 2, total - total // 2


class Forward:
    """Executes nodes in order; `shapes` maps each row path to the array shape it produced.

    ``owned`` flags follow each array: True when nothing else (a residual's shortcut, a
    concat's other branches) still needs it, so the next layer may overwrite it.
    """

    def __init__(self, seed: int = 0, workspace_bytes: int = ops.DEFAULT_WORKSPACE,
                 before: Callable[[str], None] | None = None,
                 after: Callable[[str], None] | None = None) -> None:
        self.rng = weights.make_rng(seed)
        self.workspace = workspace_bytes
        self.chunk = max(1 << 20, workspace_bytes // 2)
        self.before = before or (lambda path: None)
        self.after = after or (lambda path: None)
        self.shapes: dict[str, Shape] = {}

    def run(self, nodes, input_shape: Shape) -> np.ndarray:
        if len(input_shape) == 3:
            height, width, channels = input_shape
            x = weights.random_input(self.rng, (channels, height, width))
        else:
            x = weights.random_input(self.rng, input_shape)
        return self.sequence(nodes, x, owned=True)[0]

    def sequence(self, nodes, x: np.ndarray, owned: bool = False) -> tuple[np.ndarray, bool]:
        for node in nodes:
            x, owned = self.node(node, x, owned)
        return x, owned

    def node(self, node, x: np.ndarray, owned: bool) -> tuple[np.ndarray, bool]:
        if isinstance(node, Sequential):
            return self.sequence(node.children, x, owned)
        if isinstance(node, Residual):
            return self.residual(node, x), True
        if isinstance(node, Concat):
            return self.concat(node, x), True
        return self.leaf(node, node.path, x, owned), node.type in OWNED_RESULT

    def record(self, path: str, y: np.ndarray) -> np.ndarray:
        self.shapes[path] = hwc(y)
        self.after(path)
        return y

    def leaf(self, layer, path: str, x: np.ndarray, owned: bool = False) -> np.ndarray:
        self.before(path)
        return self.record(path, self.apply(layer, x, owned))

    def apply(self, layer, x: np.ndarray, owned: bool = False) -> np.ndarray:
        kind = layer.type
        if kind in IN_PLACE:
            return IN_PLACE[kind](x, out=x if owned else None)
        if kind in ACTIVATIONS:
            return ACTIVATIONS[kind](x)
        if kind == "leakyrelu":
            return ops.leaky_relu(x, layer.slope)
        return getattr(self, f"_{kind}")(layer, x)

    def _padding(self, layer, x: np.ndarray) -> tuple[int, int, int, int]:
        if layer.padding != "same":
            return layer.padding
        dilation = getattr(layer, "dilation", (1, 1))
        top, bottom = tf_same(x.shape[1], layer.kernel[0], layer.stride[0], dilation[0])
        left, right = tf_same(x.shape[2], layer.kernel[1], layer.stride[1], dilation[1])
        return (top, bottom, left, right)

    def _conv(self, layer, x: np.ndarray) -> np.ndarray:
        channels = x.shape[0]
        groups = channels if layer.depthwise else layer.groups
        filters = layer.filters if layer.filters is not None else channels
        return weights.conv2d_random(
            x, filters, layer.kernel, self.rng, stride=layer.stride,
            padding=self._padding(layer, x), dilation=layer.dilation, groups=groups,
            bias=layer.bias, chunk_bytes=self.chunk, workspace_bytes=self.workspace)

    def _convtranspose(self, layer, x: np.ndarray) -> np.ndarray:
        return weights.conv_transpose2d_random(
            x, layer.filters, layer.kernel, self.rng, stride=layer.stride,
            padding=layer.padding, output_padding=layer.output_padding,
            dilation=layer.dilation, groups=layer.groups, bias=layer.bias,
            chunk_bytes=self.chunk, workspace_bytes=self.workspace)

    def _maxpool(self, layer, x: np.ndarray) -> np.ndarray:
        return ops.max_pool2d(x, layer.kernel, layer.stride, self._padding(layer, x),
                              layer.ceil_mode)

    def _avgpool(self, layer, x: np.ndarray) -> np.ndarray:
        return ops.avg_pool2d(x, layer.kernel, layer.stride, self._padding(layer, x),
                              layer.ceil_mode)

    def _globalavgpool(self, layer, x):
        return ops.global_avg_pool(x)

    def _globalmaxpool(self, layer, x):
        return ops.global_max_pool(x)

    def _adaptiveavgpool(self, layer, x):
        return ops.adaptive_avg_pool2d(x, layer.output)

    def _adaptivemaxpool(self, layer, x):
        return ops.adaptive_max_pool2d(x, layer.output)

    def _flatten(self, layer, x):
        return ops.flatten(x)

    def _dense(self, layer, x):
        return weights.dense_random(x, layer.units, layer.bias, self.rng, self.chunk)

    def _lrn(self, layer, x):
        return ops.local_response_norm(x, layer.size)

    def _upsample(self, layer, x):
        if layer.size is not None:
            return ops.upsample(x, layer.size, layer.mode)
        return ops.upsample_scale(x, layer.scale, layer.mode)

    def _zeropad(self, layer, x):
        return ops.zeropad(x, layer.padding)

    def _crop(self, layer, x):
        if layer.size is not None:
            return ops.center_crop(x, layer.size)
        return ops.crop(x, layer.crop)

    def residual(self, node: Residual, x: np.ndarray) -> np.ndarray:
        body, body_owned = self.sequence(node.body, x)  # x is shared with the shortcut
        shortcut = node.shortcut
        if shortcut == "auto":
            shortcut = "identity" if body.shape == x.shape else "projection"
        if isinstance(shortcut, list):
            short = self.sequence(shortcut, x)[0]
        elif shortcut == "projection":
            short = self.projection(node.path, x, body)
        else:
            short = x
        self.before(f"{node.path}.add")
        total = ops.add(body, short, out=body if body_owned else None)
        out = self.record(f"{node.path}.add", total)
        if node.activation is not None:
            out = self.leaf(node.activation, node.activation.path, out, owned=True)
        return out

    def projection(self, path: str, x: np.ndarray, body: np.ndarray) -> np.ndarray:
        """1×1 conv without bias whose stride is read off the arrays, then batchnorm."""
        stride = (-(-x.shape[1] // body.shape[1]), -(-x.shape[2] // body.shape[2]))
        self.before(f"{path}.shortcut.conv")
        y = weights.conv2d_random(x, body.shape[0], (1, 1), self.rng, stride=stride,
                                  bias=False, chunk_bytes=self.chunk,
                                  workspace_bytes=self.workspace)
        self.record(f"{path}.shortcut.conv", y)
        self.before(f"{path}.shortcut.bn")
        return self.record(f"{path}.shortcut.bn", identity_batchnorm(y, out=y))

    def concat(self, node: Concat, x: np.ndarray) -> np.ndarray:
        outputs = [self.sequence(branch, x)[0] for branch in node.branches]
        self.before(f"{node.path}.concat")
        if outputs[0].ndim == 1:
            return self.record(f"{node.path}.concat", np.concatenate(outputs))
        if node.crop == "center":
            height = min(out.shape[1] for out in outputs)
            width = min(out.shape[2] for out in outputs)
            outputs = [ops.center_crop(out, (height, width)) for out in outputs]
        return self.record(f"{node.path}.concat", ops.concat_channels(outputs))
