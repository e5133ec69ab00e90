"""The probe referee (`--verify numpy`, SPEC §11): every shape checked on real arrays, cheaply.

Two probes travel through the network instead of one full tensor:
- the spatial probe, a one-channel array of the full spatial size, goes through every
  window, pad, stride, dilation, ceil mode, transposed insertion, adaptive bin, resize and
  crop — the kernels of reference/kernels/ on one channel;
- the channel probe, a 1×1 array with the full channel count, goes through weights of shape
  K × C/G (1×1 kernels: the spatial part is the other probe's), groups and concatenation.
A row's shape is the spatial probe's sizes with the channel probe's channels, and each half
is compared on its own, so a mismatch says which arithmetic disagreed. Like the full pass,
nothing here calls the engine's formulas: the arrays decide.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine.model import Aux, Concat, Gate, Merge, Residual, Sequential, Split
from . import ops, ranks
from .aim import aimed
from .probe_graph import DTYPE, ProbeGraph, Probes
from .runners import keras_transpose, padding

ProbeRunner = Callable[[object, Probes], Probes]
PROBE_RUNNERS: dict[str, ProbeRunner] = {}


def probes(*types: str) -> Callable[[ProbeRunner], ProbeRunner]:
    """Register how these layer types move the two probes."""
    def register(function: ProbeRunner) -> ProbeRunner:
        for name in types:
            PROBE_RUNNERS[name] = function
        return function
    return register


def _spatial(layer, p: Probes, function: Callable[[np.ndarray], np.ndarray]) -> Probes:
    """A layer that changes only the spatial sizes (pools, resampling, padding, cropping)."""
    if p.spatial is None:
        raise ValueError(f"{layer.type} needs a map, the probes carry a vector")
    return Probes(function(p.spatial), p.channel)


@probes("conv")
def _conv(layer, p: Probes) -> Probes:
    channels = p.channel.shape[0]
    groups = channels if layer.depthwise else layer.groups
    filters = layer.filters if layer.filters is not None else channels
    if p.spatial is None:
        raise ValueError("conv needs a map, the probes carry a vector")
    ones = np.ones((1, 1, *layer.kernel), dtype=DTYPE)
    spatial = ops.conv2d(p.spatial, ones, stride=layer.stride, padding=padding(layer, p.spatial),
                         dilation=layer.dilation)
    weight = np.zeros((filters, channels // groups, 1, 1), dtype=DTYPE)
    return Probes(spatial, ops.conv2d(p.channel, weight, groups=groups))


@probes("convtranspose")
def _convtranspose(layer, p: Probes) -> Probes:
    if p.spatial is None:
        raise ValueError("convtranspose needs a map, the probes carry a vector")
    ones = np.ones((1, 1, *layer.kernel), dtype=DTYPE)
    keras = isinstance(layer.padding, str)
    spatial = ops.conv_transpose2d(p.spatial, ones, stride=layer.stride,
                                   padding=(0, 0) if keras else layer.padding,
                                   output_padding=layer.output_padding, dilation=layer.dilation)
    if keras:
        spatial = keras_transpose(layer, spatial, p.spatial.shape[1:])
    channels = p.channel.shape[0]
    weight = np.zeros((channels, layer.filters // layer.groups, 1, 1), dtype=DTYPE)
    return Probes(spatial, ops.conv_transpose2d(p.channel, weight, groups=layer.groups))


@probes("maxpool")
def _maxpool(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.max_pool2d(s, layer.kernel, layer.stride,
                                                       padding(layer, s), layer.ceil_mode,
                                                       layer.dilation))


@probes("lppool")
def _lppool(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.lp_pool2d(s, layer.p, layer.kernel, layer.stride,
                                                      layer.ceil_mode))


@probes("avgpool")
def _avgpool(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.avg_pool2d(s, layer.kernel, layer.stride,
                                                       padding(layer, s), layer.ceil_mode))


@probes("globalavgpool")
def _global_avg(layer, p: Probes) -> Probes:
    return _spatial(layer, p, ops.global_avg_pool)


@probes("globalmaxpool")
def _global_max(layer, p: Probes) -> Probes:
    return _spatial(layer, p, ops.global_max_pool)


@probes("adaptiveavgpool")
def _adaptive_avg(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.adaptive_avg_pool2d(s, layer.output))


@probes("adaptivemaxpool")
def _adaptive_max(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.adaptive_max_pool2d(s, layer.output))


@probes("upsample")
def _upsample(layer, p: Probes) -> Probes:
    if layer.size is not None:
        return _spatial(layer, p, lambda s: ops.upsample(s, layer.size, "nearest"))
    return _spatial(layer, p, lambda s: ops.upsample_scale(s, layer.scale, "nearest"))


@probes("zeropad")
def _zeropad(layer, p: Probes) -> Probes:
    return _spatial(layer, p, lambda s: ops.zeropad(s, layer.padding))


@probes("crop")
def _crop(layer, p: Probes) -> Probes:
    if layer.size is not None:
        return _spatial(layer, p, lambda s: ops.center_crop(s, layer.size))
    return _spatial(layer, p, lambda s: ops.crop(s, layer.crop))


@probes("flatten")
def _flatten(layer, p: Probes) -> Probes:
    if p.spatial is None:
        return p
    # Every position of every channel: the two probes' outer product, flattened (C, H, W).
    full = p.channel.reshape(-1, *([1] * (p.spatial.ndim - 1))) * p.spatial[:1]
    return Probes(None, ops.flatten(full))


@probes("dense")
def _dense(layer, p: Probes) -> Probes:
    vector = p.channel if p.spatial is None else _flatten(layer, p).channel
    # A rank-one weight matrix (every entry 1) applied without being built: x·1 per unit.
    return Probes(None, np.full(layer.units, vector.sum(dtype=np.float64), dtype=DTYPE))


@probes("lrn")
def _lrn(layer, p: Probes) -> Probes:
    if p.spatial is None:
        raise ValueError("lrn needs a map, the probes carry a vector")
    return Probes(p.spatial, ops.local_response_norm(p.channel, layer.size))


@probes("batchnorm", "dropout", "relu", "relu6", "leakyrelu", "elu", "gelu", "tanh", "sigmoid",
        "softmax", "identity")
def _elementwise(layer, p: Probes) -> Probes:
    return p  # same shape by definition: elementwise on every value


class Probe(ProbeGraph):
    """Walks the layer tree with the two probes; `shapes` maps each row path to what they
    say: (spatial sizes, channels)."""

    def __init__(self, before: Callable[[str], None] | None = None,
                 after: Callable[[str], None] | None = None,
                 referenced: set[str] | frozenset[str] = frozenset()) -> None:
        self.before = before or (lambda path: None)
        self.after = after or (lambda path: None)
        self.shapes: dict[str, tuple[tuple[int, ...], int]] = {}
        self.referenced = referenced  # node paths read by name
        self.tensors: dict[str, Probes] = {}

    def run(self, nodes, input_shape: tuple[int, ...],
            inputs: dict[str, tuple[int, ...]] | None = None) -> Probes:
        inputs = inputs or {"input": input_shape}
        for name, shape in inputs.items():
            if len(shape) > 1:  # sizes then channels
                self.tensors[name] = Probes(np.zeros((1, *shape[:-1]), dtype=DTYPE),
                                            np.zeros((shape[-1], 1, 1), dtype=DTYPE))
            else:
                self.tensors[name] = Probes(None, np.zeros(shape, dtype=DTYPE))
        return self.sequence(nodes, self.tensors[next(iter(inputs))])

    def sequence(self, nodes, p: Probes) -> Probes:
        for node in nodes:
            p = self.node(node, p)
        return p

    def node(self, node, p: Probes) -> Probes:
        if node.source is not None:
            p = self.tensors[node.source]
        if isinstance(node, Sequential):
            out = self.sequence(node.children, p)
        elif isinstance(node, Aux):
            head = self.sequence(node.layers, p)
            if node.path in self.referenced:
                self.tensors[node.path] = head
            return p
        elif isinstance(node, (Residual, Concat, Merge, Gate, Split)):
            out = getattr(self, node.type)(node, p)
        else:
            out = self.leaf(node, node.path, p)
        if node.path in self.referenced:
            self.tensors[node.path] = out
        return out

    def record(self, path: str, p: Probes) -> Probes:
        self.shapes[path] = p.shape()
        self.after(path)
        return p

    def leaf(self, layer, path: str, p: Probes) -> Probes:
        self.before(path)
        if layer.target is not None and p.spatial is not None:  # `to:`: sized by another map
            target = self.tensors[layer.target].spatial
            if target is None:
                raise ValueError(f"'to:' names a vector, {path} needs a map")
            layer = aimed(layer, p.spatial.shape[1:], target.shape[1:])
        runner = PROBE_RUNNERS.get(layer.type)
        if runner is None:
            raise ValueError(f"the probe referee has no kernel for '{layer.type}' layers")
        return self.record(path, ranks.probe(runner, layer, p))  # 1-D, 3-D: on 2-D views

    def residual(self, node: Residual, p: Probes) -> Probes:
        body = self.sequence(node.body, p)
        shortcut = node.shortcut
        if shortcut == "auto":
            shortcut = "identity" if body.shape() == p.shape() else "projection"
        if isinstance(shortcut, list):
            short = self.sequence(shortcut, p)
        elif shortcut == "projection":
            short = self.projection(node.path, p, body)
        else:
            short = p
        self.before(f"{node.path}.add")
        total = Probes(None if body.spatial is None else ops.add(body.spatial, short.spatial),
                       ops.add(body.channel, short.channel))
        out = self.record(f"{node.path}.add", total)
        if node.activation is not None:
            out = self.leaf(node.activation, node.activation.path, out)
        return out

    def projection(self, path: str, p: Probes, body: Probes) -> Probes:
        """1×1 conv without bias, its stride read off the probes, then batchnorm."""
        if p.spatial is None or body.spatial is None:
            raise ValueError("a projection shortcut needs maps")
        stride = tuple(-(-size // want)
                       for size, want in zip(p.spatial.shape[1:], body.spatial.shape[1:],
                                             strict=True))
        self.before(f"{path}.shortcut.conv")
        one = np.ones((1, 1, 1, 1), dtype=DTYPE)
        weight = np.zeros((body.channel.shape[0], p.channel.shape[0], 1, 1), dtype=DTYPE)
        spatial = (ops.conv2d(p.spatial, one, stride=stride) if len(stride) == 2
                   else ranks.strided(p.spatial, stride))  # 1-D, 3-D: what 1×…×1 reads
        conv = Probes(spatial, ops.conv2d(p.channel, weight))
        self.record(f"{path}.shortcut.conv", conv)
        self.before(f"{path}.shortcut.bn")
        return self.record(f"{path}.shortcut.bn", conv)

    def concat(self, node: Concat, p: Probes) -> Probes:
        outputs = [self.sequence(branch, p) for branch in node.branches]
        self.before(f"{node.path}.concat")
        return self.record(f"{node.path}.concat", self.joined(outputs, node.crop))


# The probe runners of SPEC §7's types live next door; importing registers them.
from . import probe_layers  # noqa: E402, F401
