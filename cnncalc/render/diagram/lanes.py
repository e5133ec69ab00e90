"""Arrows for the reads no chain or fork shows (links.py): `from:` skips, merges of named
tensors. Each runs out of its source's side to a lane beside everything between its two
ends — on the side where side branches go — along the lane, and back in; lanes that would
overlap step outwards. Drawn after the layout, from where it put each item.
"""

from __future__ import annotations

from .canvas import Point
from .flow import FlowLayout, arrow
from .links import Link
from .tree import Fork, Item


def draw_links(flow: FlowLayout, links: list[Link]) -> None:
    """Each link as an elbow out to a lane beside everything between its two ends (on
    the side branches go, or the other side when a box beside the target is in the way),
    along it, and back in; lanes that overlap step outwards."""
    used: list[tuple[float, float, float]] = []  # lane v, u from, u to
    routes = []
    for link in links:
        into_fork = (isinstance(link.target, Fork) and link.tensor == link.target.input
                     and not link.target.joined)
        from_part = isinstance(link.source, Fork) and link.tensor in link.source.starts
        sign = flow.style.beside
        if blocked(flow, link.target, sign) and not blocked(flow, link.target, -sign):
            sign = -sign  # the target is in a left-hand branch: come in from the left
        source = ends(flow, link.source, True, sign, entry=from_part)  # a split's part
        target = ends(flow, link.target, False, sign, entry=into_fork)
        if source and target:
            routes.append((source, target, sign))
    routes.sort(key=lambda route: route[1][0][0] - route[0][-1][0])  # short ones inside
    for source, target, sign in routes:
        lo, hi = sorted((source[-1][0], target[0][0]))
        edge = 3 if sign > 0 else 2
        near = [span[edge] for span in flow.anchors.values() if span[1] >= lo and span[0] <= hi]
        lane = (max(near) if sign > 0 else min(near)) + sign * 14
        while any(abs(lane - other) < 8 and a <= hi and b >= lo for other, a, b in used):
            lane += sign * 9
        used.append((lane, lo, hi))
        points = [*source, (source[-1][0], lane), (target[0][0], lane), *target]
        arrow(flow.canvas, [flow.xy(*point) for point in points], role="from")


def blocked(flow: FlowLayout, item: Item, sign: float) -> bool:
    """Is another box level with `item` on that side of it (a branch beside it)?"""
    span = flow.anchors.get(id(item))
    if span is None or isinstance(item, Fork):
        return False
    middle, edge = (span[0] + span[1]) / 2, span[3] if sign > 0 else span[2]
    return any(other is not span and other[0] <= middle <= other[1]
               and (other[2] > edge if sign > 0 else other[3] < edge)
               for other in flow.anchors.values())


def ends(flow: FlowLayout, item: Item, leaving: bool, sign: float,
         entry: bool = False) -> list[Point]:
    """Where a link leaves or enters `item` (flow coordinates): a box's side, a fork's
    start, or a merge node's flank through a point just past it (clear of its shape)."""
    if entry or (isinstance(item, Fork) and id(item) not in flow.nodes):
        span = flow.entries.get(id(item))
        return [(span[0], span[2])] if span else []
    if id(item) in flow.nodes:
        u, v, half_u, half_v = flow.nodes[id(item)]
        step = 1 if leaving else -1
        flank = (u + step * 0.7 * half_u, v + sign * 0.7 * half_v)
        past = (u + step * (half_u + 6), v + sign * half_v)
        return [flank, past] if leaving else [past, flank]
    span = flow.anchors.get(id(item))
    if span is None:
        return []
    if not blocked(flow, item, sign):
        return [((span[0] + span[1]) / 2, span[3] if sign > 0 else span[2])]
    # boxes on both sides (a middle branch): round its end along the flow, off its centre
    # so that the chain's own arrow keeps the centre
    across = (span[2] + span[3]) / 2 + sign * (span[3] - span[2]) / 4
    if leaving:
        return [(span[1], across), (span[1] + 7, across)]
    return [(span[0] - 7, across), (span[0], across)]
