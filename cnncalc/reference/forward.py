"""Run a layer tree on real NumPy arrays and record the shape every layer really produced.

The independent referee: it reads the layers' options but never their output-size formulas
(engine/shapes.py, engine/fit.py); each shape is whatever array the kernels return
(reference/kernels/, run by the type's runner in runners.py).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.model import Concat, Residual, Sequential
from . import ops, ranks, weights
from .runners import OWNED_RESULT, RUNNERS, identity_batchnorm

Shape = tuple[int, ...]

class MissingKernel(ValueError):
    """A layer type the referee cannot run: reported on that row, never an internal error."""


def hwc(array: np.ndarray) -> Shape:
    """The spec's sizes-then-channels order of a channels-first array (a vector stays)."""
    if array.ndim > 1:
        return (*array.shape[1:], array.shape[0])
    return tuple(array.shape)


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
        if len(input_shape) > 1:  # the spec's sizes-then-channels order → channels first
            x = weights.random_input(self.rng, (input_shape[-1], *input_shape[:-1]))
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
        runner = RUNNERS.get(layer.type)
        if runner is None:
            raise MissingKernel(f"the reference pass has no kernel for '{layer.type}' layers")
        return ranks.forward(runner, self, layer, x, owned)  # 1-D, 3-D: on 2-D views

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
        stride = tuple(-(-size // want) for size, want in zip(x.shape[1:], body.shape[1:],
                                                               strict=True))
        self.before(f"{path}.shortcut.conv")
        if x.ndim != 3:  # 1-D and 3-D maps
            y = ranks.projection(self, x, body.shape[0], stride)
        else:
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
