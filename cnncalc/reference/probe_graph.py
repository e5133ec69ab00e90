"""The probes' data and their graph entries: merges of named tensors, gates, splits (SPEC §7).

A mixin of probe.Probe, which walks the tree; here the two probes of each input are combined
by NumPy itself — a sum, a broadcasting product, a concatenation, a channel split — so the
shapes that come out are the arrays' own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.model import PREVIOUS, Gate, Merge, Split
from . import ops

DTYPE = np.float32


@dataclass
class Probes:
    """The two probes of a map (spatial (1, H, W), channel (C, 1, 1)), or a vector."""

    spatial: np.ndarray | None  # None once the network has flattened to a vector
    channel: np.ndarray  # (C, 1, 1) for a map, (N,) for a vector

    def shape(self) -> tuple[tuple[int, ...], int]:
        """(spatial sizes, channels); a vector is ((), its length)."""
        if self.spatial is None:
            return (), self.channel.shape[0]
        return tuple(self.spatial.shape[1:]), self.channel.shape[0]


class ProbeGraph:
    """Graph entries of the probe walk (needs `sequence`, `record`, `before`, `tensors`)."""

    def merge(self, node: Merge, p: Probes) -> Probes:
        probes = [p if source == PREVIOUS else self.tensors[source] for source in node.sources]
        self.before(node.path)
        if node.kind == "concat":
            return self.record(node.path, self.joined(probes, node.crop))
        combine = ops.multiply if node.kind == "multiply" else _sum
        spatial = None if probes[0].spatial is None else combine([q.spatial for q in probes])
        return self.record(node.path, Probes(spatial, combine([q.channel for q in probes])))

    def joined(self, probes: list[Probes], crop: str) -> Probes:
        if any(q.spatial is None for q in probes):
            return Probes(None, np.concatenate([q.channel for q in probes]))
        maps = [q.spatial for q in probes]
        if crop == "center":
            smallest = tuple(min(sizes) for sizes in zip(*(m.shape[1:] for m in maps),
                                                          strict=True))
            maps = [ops.center_crop(m, smallest) for m in maps]
        spatial = ops.concat_channels(maps)[:1]  # refuses maps of different sizes
        return Probes(spatial, ops.concat_channels([q.channel for q in probes]))

    def gate(self, node: Gate, p: Probes) -> Probes:
        values = self.sequence(node.body, p)
        self.before(f"{node.path}.multiply")
        if p.spatial is None or values.spatial is None:
            raise ValueError("a gate multiplies maps")
        product = Probes(ops.multiply([p.spatial, values.spatial]),
                         ops.multiply([p.channel, values.channel]))
        return self.record(f"{node.path}.multiply", product)

    def split(self, node: Split, p: Probes) -> Probes:
        if p.spatial is None:
            raise ValueError("split needs a map, the probes carry a vector")
        pieces = []
        for index, part in enumerate(ops.split_channels(p.channel, len(node.branches),
                                                        node.sizes), 1):
            self.before(f"{node.path}.part{index}")  # every part's row, then the branches
            pieces.append(self.record(f"{node.path}.part{index}", Probes(p.spatial, part)))
        outputs = [self.sequence(branch, piece)
                   for piece, branch in zip(pieces, node.branches, strict=True)]
        self.before(f"{node.path}.concat")
        return self.record(f"{node.path}.concat", self.joined(outputs, "none"))


def _sum(arrays: list[np.ndarray]) -> np.ndarray:
    total = arrays[0]
    for array in arrays[1:]:
        total = ops.add(total, array)
    return total
