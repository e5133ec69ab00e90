"""Depth as the course counts it: the layers that carry weights, conv and dense, "AlexNet has
8 layers (5 conv + 3 dense)". Shortcut projections are not counted, as ResNet-50's 50 does
not count its four downsampling 1×1 convs (SPEC §12)."""

from __future__ import annotations

WEIGHT_TYPES = ("conv", "convtranspose", "dense")


def weight_layer_counts(rows) -> dict[str, int]:
    """{type: count} of the weight layers among executed rows, in WEIGHT_TYPES order."""
    counts = dict.fromkeys(WEIGHT_TYPES, 0)
    for row in rows:
        if row.type in counts and ".shortcut" not in f".{row.path}":
            counts[row.type] += 1
    return {kind: count for kind, count in counts.items() if count}


def depth_text(rows) -> str:
    """'8 weight layers (5 conv + 3 dense)'."""
    counts = weight_layer_counts(rows)
    total = sum(counts.values())
    parts = " + ".join(f"{count} {kind}" for kind, count in counts.items())
    return f"{total} weight layer{'s' if total != 1 else ''}" + (f" ({parts})" if parts else "")
