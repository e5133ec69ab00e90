"""`to: NAME` in the referees: an upsample or zeropad sized by another array (SPEC §7).

The referee reads the target array's own spatial size and works out the layer from it — a
resize to that size, or the difference padded ⌊d/2⌋ before and the rest after (the U-Net
F.pad idiom) — without the engine's `toward`.
"""

from __future__ import annotations

import copy


def aimed(layer, sizes: tuple[int, ...], target: tuple[int, ...]):
    """A copy of `layer` whose size or padding reaches the spatial sizes `target`."""
    concrete = copy.copy(layer)
    concrete.target = None
    if layer.type == "upsample":
        concrete.size, concrete.scale = tuple(target), None
        return concrete
    padding: list[int] = []
    for size, want in zip(sizes, target, strict=True):
        if want < size:
            raise ValueError(f"zeropad: {sizes} is larger than the target {target}")
        padding += [(want - size) // 2, (want - size + 1) // 2]
    concrete.padding = tuple(padding)
    return concrete
