"""Run a layer tree on real NumPy arrays and record the shape every layer really produced.

The independent referee: it reads the layers' options but never their output-size formulas
(engine/shapes.py, engine/fit.py); each shape is whatever array the kernels return
(reference/kernels/, run by the type's runner in runners.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..engine.model import PREVIOUS, Aux, Concat, Gate, Merge, Residual, Sequential, Split
from . import ops, ranks, weights
from .aim import aimed
from .runners import OWNED_RESULT, RUNNERS
from .spill import OnDisk, in_memory
from .tiles import Tiling, channel_parts

Shape = tuple[int, ...]


@dataclass(frozen=True)
class ShortcutConv:
    """torchvision's projection shortcut as the conv runner reads a layer: 1×1, no bias,
    its stride read off the arrays."""

    filters: int
    stride: tuple[int, int]
    type: str = "conv"
    kernel: tuple[int, int] = (1, 1)
    padding: tuple[int, int, int, int] = (0, 0, 0, 0)
    dilation: tuple[int, int] = (1, 1)
    groups: int = 1
    depthwise: bool = False
    bias: bool = False
    target: None = None


@dataclass(frozen=True)
class ShortcutNorm:
    """The batchnorm after it, with weights.py's identity parameters."""

    type: str = "batchnorm"
    target: None = None

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
    concat's other branches) still needs it, so the next layer may overwrite it. With a
    `tiling`, large maps live on disk and the layers touching them run in strips.
    """

    def __init__(self, seed: int = 0, workspace_bytes: int = ops.DEFAULT_WORKSPACE,
                 before: Callable[[str], None] | None = None,
                 after: Callable[[str], None] | None = None,
                 referenced: set[str] | frozenset[str] = frozenset(),
                 tiling: Tiling | None = None) -> None:
        self.rng = weights.make_rng(seed)
        self.workspace = workspace_bytes
        self.chunk = max(1 << 20, workspace_bytes // 2)
        self.before = before or (lambda path: None)
        self.after = after or (lambda path: None)
        self.shapes: dict[str, Shape] = {}
        self.referenced = referenced  # node paths read by name: their arrays are kept
        self.tensors: dict[str, np.ndarray] = {}
        self.tiling = tiling

    def run(self, nodes, input_shape: Shape, inputs: dict[str, Shape] | None = None
            ) -> np.ndarray:
        """Run from the first input; `inputs` names every input (graphs with `inputs:`)."""
        inputs = inputs or {"input": input_shape}
        for name, shape in inputs.items():
            self.tensors[name] = self.random_array(shape)
        first = self.tensors[next(iter(inputs))]
        return self.sequence(nodes, first, owned=len(inputs) == 1 and
                             next(iter(inputs)) not in self.referenced)[0]

    def random_array(self, shape: Shape) -> np.ndarray:
        if len(shape) > 1:  # the spec's sizes-then-channels order → channels first
            sizes, channels = shape[:-1], shape[-1]
            if self.tiling is not None and len(sizes) == 2:
                on_disk = self.tiling.input_map(self.rng, (channels, *sizes))
                if on_disk is not None:
                    return on_disk
            return weights.random_input(self.rng, (channels, *sizes))
        return weights.random_input(self.rng, shape)

    def sequence(self, nodes, x: np.ndarray, owned: bool = False) -> tuple[np.ndarray, bool]:
        for node in nodes:
            x, owned = self.node(node, x, owned)
        return x, owned

    def node(self, node, x: np.ndarray, owned: bool) -> tuple[np.ndarray, bool]:
        if node.source is not None:
            x, owned = self.tensors[node.source], False
        if isinstance(node, Sequential):
            out, owned = self.sequence(node.children, x, owned)
        elif isinstance(node, Aux):
            head = self.sequence(node.layers, x)[0]  # x goes on: the head must not own it
            if node.path in self.referenced:
                self.tensors[node.path] = head
            return x, owned
        elif isinstance(node, (Residual, Concat, Merge, Gate, Split)):
            out, owned = getattr(self, node.type)(node, x), True
        else:
            out, owned = self.leaf(node, node.path, x, owned), node.type in OWNED_RESULT
        if node.path in self.referenced:  # read again later: nothing may overwrite it
            self.tensors[node.path] = out
            owned = False
        return out, owned

    def record(self, path: str, y: np.ndarray) -> np.ndarray:
        self.shapes[path] = hwc(y)
        self.after(path)
        return y

    def leaf(self, layer, path: str, x: np.ndarray, owned: bool = False) -> np.ndarray:
        self.before(path)
        if layer.target is not None:  # `to:` — sized by another array
            layer = aimed(layer, x.shape[1:], self.tensors[layer.target].shape[1:])
        if self.tiling is not None and self.tiling.takes(path, layer, x):
            return self.record(path, self.tiling.run(self, layer, path, x))
        return self.record(path, self.apply(layer, in_memory(x), owned))

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
        out = self.record(f"{node.path}.add", self.added(f"{node.path}.add", [body, short],
                                                         body_owned))
        if node.activation is not None:
            out = self.leaf(node.activation, node.activation.path, out, owned=True)
        return out

    def projection(self, path: str, x: np.ndarray, body: np.ndarray) -> np.ndarray:
        """1×1 conv without bias whose stride is read off the arrays, then batchnorm."""
        stride = tuple(-(-size // want) for size, want in zip(x.shape[1:], body.shape[1:],
                                                               strict=True))
        if x.ndim != 3:  # 1-D and 3-D maps
            self.before(f"{path}.shortcut.conv")
            y = self.record(f"{path}.shortcut.conv",
                            ranks.projection(self, x, body.shape[0], stride))
        else:
            y = self.leaf(ShortcutConv(body.shape[0], stride), f"{path}.shortcut.conv", x)
        return self.leaf(ShortcutNorm(), f"{path}.shortcut.bn", y, owned=True)

    def added(self, path: str, arrays: list, first_owned: bool = False):
        """The sum of equal-shaped arrays, in the first one's memory when the pass owns it."""
        if self.tiling is not None and self.tiling.joins(path, arrays):
            return self.tiling.merge(path, arrays, _sum)
        return _sum(arrays, arrays[0] if first_owned else None)

    def multiplied(self, path: str, arrays: list):
        if self.tiling is not None and self.tiling.joins(path, arrays):
            return self.tiling.merge(path, arrays, ops.multiply)
        return ops.multiply(arrays)

    def concat(self, node: Concat, x: np.ndarray) -> np.ndarray:
        outputs = [self.sequence(branch, x)[0] for branch in node.branches]
        self.before(f"{node.path}.concat")
        return self.record(f"{node.path}.concat",
                           self.joined(f"{node.path}.concat", outputs, node.crop))

    def merge(self, node: Merge, x: np.ndarray) -> np.ndarray:
        arrays = [x if source == PREVIOUS else self.tensors[source] for source in node.sources]
        self.before(node.path)
        if node.kind == "add":
            return self.record(node.path, self.added(node.path, arrays))
        if node.kind == "multiply":
            return self.record(node.path, self.multiplied(node.path, arrays))
        return self.record(node.path, self.joined(node.path, arrays, node.crop))

    def joined(self, path: str, arrays: list[np.ndarray], crop: str) -> np.ndarray:
        if self.tiling is not None and self.tiling.joins(path, arrays):
            return self.tiling.concat(path, arrays, crop)
        arrays = [in_memory(a) for a in arrays]
        if arrays[0].ndim == 1:
            return np.concatenate(arrays)
        if crop == "center":
            smallest = tuple(min(sizes) for sizes in zip(*(a.shape[1:] for a in arrays),
                                                          strict=True))
            arrays = [ops.center_crop(a, smallest) for a in arrays]
        return ops.concat_channels(arrays)

    def gate(self, node: Gate, x: np.ndarray) -> np.ndarray:
        values = self.sequence(node.body, x)[0]
        self.before(f"{node.path}.multiply")
        return self.record(f"{node.path}.multiply",
                           self.multiplied(f"{node.path}.multiply", [x, values]))

    def split(self, node: Split, x: np.ndarray) -> np.ndarray:
        if isinstance(x, OnDisk):
            parts = channel_parts(x, len(node.branches), node.sizes)
        else:
            parts = ops.split_channels(x, len(node.branches), node.sizes)
        for index, part in enumerate(parts, 1):  # every part's row, then the branches
            self.before(f"{node.path}.part{index}")
            self.record(f"{node.path}.part{index}", part)
        outputs = [self.sequence(branch, part)[0]
                   for part, branch in zip(parts, node.branches, strict=True)]
        self.before(f"{node.path}.concat")
        return self.record(f"{node.path}.concat",
                           self.joined(f"{node.path}.concat", outputs, "none"))


def _sum(arrays: list[np.ndarray], into: np.ndarray | None = None) -> np.ndarray:
    total = arrays[0].copy() if into is None else into
    for array in arrays[1:]:
        ops.add(total, array, out=total)
    return total
