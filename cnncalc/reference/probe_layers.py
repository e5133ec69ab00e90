"""Probe runners of the layer types SPEC §7 added (see probe.py's docstring for the two
probes): activations and norms, channel rearrangements, pixel (un)shuffle. Registered into
PROBE_RUNNERS when probe.py imports this module."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from . import ops
from .probe import probes
from .probe_graph import DTYPE, Probes
from .runners import PRELU_INIT


@probes("silu", "hardswish", "hardsigmoid", "mish", "selu", "softplus", "droppath",
        "layernorm")
def _same_shape(layer, p: Probes) -> Probes:
    return p  # elementwise, or normalised over each position's own channels


@probes("logsoftmax")
def _logsoftmax(layer, p: Probes) -> Probes:
    return Probes(p.spatial, ops.log_softmax(p.channel))


@probes("prelu")
def _prelu(layer, p: Probes) -> Probes:
    count = p.channel.shape[0] if layer.channels == "all" else 1
    return Probes(p.spatial, ops.prelu(p.channel, np.full(count, PRELU_INIT, dtype=DTYPE)))


def _spatial(layer, p: Probes) -> np.ndarray:
    """The spatial probe, which a layer on maps needs (a vector's probes carry none)."""
    if p.spatial is None:
        raise ValueError(f"{layer.type} needs a map, the probes carry a vector")
    return p.spatial


def _map_channels(layer, p: Probes, function: Callable[[np.ndarray], np.ndarray]) -> Probes:
    """A layer that works on the channels of a map (the spatial probe passes unchanged)."""
    return Probes(_spatial(layer, p), function(p.channel))


@probes("groupnorm")
def _groupnorm(layer, p: Probes) -> Probes:
    if p.spatial is None:  # a vector: its features are the channels
        return Probes(None, ops.group_norm(p.channel.reshape(-1, 1), layer.groups).ravel())
    return Probes(p.spatial, ops.group_norm(p.channel, layer.groups))


@probes("instancenorm")
def _instancenorm(layer, p: Probes) -> Probes:
    return _map_channels(layer, p, ops.instance_norm)


@probes("layerscale")
def _layerscale(layer, p: Probes) -> Probes:
    return Probes(p.spatial, ops.layer_scale(p.channel, np.full(p.channel.shape[0], layer.init,
                                                                 dtype=DTYPE)))


@probes("channelshuffle")
def _channelshuffle(layer, p: Probes) -> Probes:
    return _map_channels(layer, p, lambda c: ops.channel_shuffle(c, layer.groups))


@probes("slice")
def _slice(layer, p: Probes) -> Probes:
    return _map_channels(layer, p, lambda c: ops.slice_channels(c, *layer.channels))


def _as_map(channel: np.ndarray, rank: int) -> np.ndarray:
    """The channel probe as a (C, 1, …, 1) map of the spatial probe's rank."""
    return channel.reshape(channel.shape[0], *([1] * rank))


def _one_position(array: np.ndarray, like: np.ndarray) -> np.ndarray:
    """One position of a (C, …) result, shaped as the channel probe was."""
    return array[(slice(None),) + (0,) * (array.ndim - 1)].reshape(-1, *like.shape[1:])


@probes("pixelshuffle")
def _pixelshuffle(layer, p: Probes) -> Probes:
    """Both probes through the kernel: the spatial one given the rⁿ channels a block needs,
    the channel one keeping one position of its r×r result."""
    rank = _spatial(layer, p).ndim - 1
    spatial = ops.pixel_shuffle(np.repeat(p.spatial, layer.factor ** rank, axis=0),
                                layer.factor)
    channel = ops.pixel_shuffle(_as_map(p.channel, rank), layer.factor)
    return Probes(spatial, _one_position(channel, p.channel))


@probes("pixelunshuffle")
def _pixelunshuffle(layer, p: Probes) -> Probes:
    """The spatial probe keeps one of the rⁿ channels it makes; the channel probe is grown
    to one r×r block first."""
    rank = _spatial(layer, p).ndim - 1
    spatial = ops.pixel_unshuffle(p.spatial, layer.factor)[:1]
    block = np.broadcast_to(_as_map(p.channel, rank),
                            (p.channel.shape[0], *([layer.factor] * rank)))
    channel = ops.pixel_unshuffle(np.ascontiguousarray(block), layer.factor)
    return Probes(spatial, _one_position(channel, p.channel))
