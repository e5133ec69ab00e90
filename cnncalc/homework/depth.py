"""Depth as the course counts it: the layers with weights, conv and dense, along the longest
path from input to output — "AlexNet has 8 layers (5 conv + 3 dense)", GoogLeNet 22,
ResNet-50 50 (its shortcut projections sit beside the body, off the longest path). An
auxiliary head is not counted (SPEC §12)."""

from __future__ import annotations

WEIGHT_TYPES = ("conv", "convtranspose", "dense")


def weight_layer_counts(rows) -> dict[str, int]:
    """{type: count} of the weight layers on the longest path through the rows, each row
    reading the rows (or inputs) it names; ties keep the first path found."""
    paths: dict[str, tuple[int, dict[str, int]]] = {}
    best: tuple[int, dict[str, int]] = (0, {})
    previous = None
    for row in rows:
        if getattr(row, "aux", False):
            continue
        reads = row.reads or ((previous,) if previous else ())
        before = max((paths[name] for name in reads if name in paths),
                     key=lambda item: item[0], default=(0, {}))
        count, kinds = before
        if row.type in WEIGHT_TYPES:
            count, kinds = count + 1, {**kinds, row.type: kinds.get(row.type, 0) + 1}
        paths[row.path] = (count, kinds)
        if count > best[0]:
            best = (count, kinds)
        previous = row.path
    return {kind: best[1][kind] for kind in WEIGHT_TYPES if best[1].get(kind)}


def depth_text(rows) -> str:
    """'8 weight layers (5 conv + 3 dense)'."""
    counts = weight_layer_counts(rows)
    total = sum(counts.values())
    parts = " + ".join(f"{count} {kind}" for kind, count in counts.items())
    return f"{total} weight layer{'s' if total != 1 else ''}" + (f" ({parts})" if parts else "")
