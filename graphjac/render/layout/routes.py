"""Edges drawn among nodes and labels already placed: one smooth curve each, as straight as the
nodes and labels in its way allow.

The edges from one time step into the next (:mod:`.steps`) are left out of Graphviz's layout
and drawn here: each is one cubic Bézier from the side of its tail node to the side of its head
node, its two inner control points lifted off the straight line (a bow, or an S round what is
in its way) by the least that clears every node and label (every :data:`STEP` points either
side, out to :data:`REACH` or a third of its length). A backward edge runs :data:`APART` or
more beside its forward edge. Graphviz then draws the curve as given (``pos``), its
arrowhead and label too (``lp``, beside the curve's middle).

>>> lifts, points = route((0, 0, 20, 10), (200, 0, 20, 10), [(100, 0, 40, 40)])
>>> lifts, points[1:3]   # its middle 32 points up: clear of the box between (20 high, 3 to spare)
((32.0, 32.0), ((66.67, 42.67), (133.33, 42.67)))
"""

from __future__ import annotations

import math

import numpy as np

STEP = 16.0      # points between the lifts tried
REACH = 320.0    # the furthest a control point is lifted off the straight line
APART = 11.0     # points between a backward edge's middle and its forward edge's
ARROW = 10.0     # the length of Graphviz's arrowhead
CLEAR = 3.0      # points a curve keeps from a node's or a label's box
NEAR = 2.0       # points from a node's box within which a curve runs along it rather than leaving it
HUGGING = 12.0   # points of a route that may run so along a node it joins (the layout check allows 16)
_T = np.linspace(0.04, 0.96, 24)


def route(tail, head, boxes, beside=None, own=()) -> tuple:
    """(lifts, the four control points) of the curve from ``tail`` to ``head`` (each ``(x, y, w, h)``,
    centred) that clears ``boxes`` (the same): its two inner control points each lifted off the
    straight line along its left normal (so that it bows, or bends like an S round what is in
    its way) by the least that clears them, out to :data:`REACH` or a third of its length; the
    least crowded when none does; none running along the side of ``tail``, ``head`` or the boxes
    ``own`` (its nodes, when ``tail`` and ``head`` are points on them). ``beside``: the lifts of its
    forward edge, for a backward edge: :data:`APART` from them, on the side that clears."""
    (x0, y0), (x1, y1) = tail[:2], head[:2]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    normal = np.array([y0 - y1, x1 - x0]) / length
    reach = max(REACH, length / 3)
    step = reach / int(REACH / STEP)     # as many lifts tried however long the edge
    table = _table(boxes)
    near = 4 / 3 * reach + APART         # no curve tried reaches further from the straight line
    table = table[(table[:, 2] > min(x0, x1) - near) & (table[:, 0] < max(x0, x1) + near)
                  & (table[:, 3] > min(y0, y1) - near) & (table[:, 1] < max(y0, y1) + near)]
    if beside is None:
        lifts = step * np.arange(-int(REACH / STEP), int(REACH / STEP) + 1)
        a, b = (grid.ravel() for grid in np.meshgrid(lifts, lifts))
        order = np.lexsort((-(a + b), np.abs(a - b), np.abs(a + b)))   # the least lifted, the least S-shaped
    else:
        offsets = APART * np.arange(1, int(reach / APART) + 1)
        offsets = np.concatenate([offsets, -offsets])
        a, b = beside[0] + offsets, beside[1] + offsets
        order = np.argsort(np.abs(offsets), kind="stable")
    a, b = a[order], b[order]
    points = _curves(tail, head, a[:, None] * normal * 4 / 3, b[:, None] * normal * 4 / 3)
    k = _fewest(points, table, (tail, head, *own))
    return (float(a[k]), float(b[k])), tuple((round(float(x), 2), round(float(y), 2)) for x, y in points[k])


def _hugging(points, boxes) -> np.ndarray:
    """(n,): whether each curve of ``points`` runs along the side of one of ``boxes`` (its nodes)."""
    return np.any([_along_own(points, box) > HUGGING for box in boxes], axis=0) if boxes else \
        np.zeros(len(points), dtype=bool)


def _along_own(points, box, count=49) -> np.ndarray:
    """(n,): how much of each curve of ``points`` ((n, 4, 2)) runs within :data:`NEAR` of ``box``
    (x, y, w, h: the node it starts or ends at), in points (0 for a point's box), measured at
    ``count`` points of each (:func:`along`)."""
    x, y, w, h = box
    if not w or not h or not len(points):
        return np.zeros(len(points))
    curves = _bezier(points, np.linspace(0.0, 1.0, count))
    return along(curves.reshape(-1, 2), (x - w / 2, y - h / 2, x + w / 2, y + h / 2),
                 np.repeat(np.arange(len(points)), count), len(points))


def along(points, rects, owner=None, count=1) -> np.ndarray:
    """How much of each curve runs within :data:`NEAR` of its box (or inside it), in points: an
    edge leaving its node runs a few points near it; one that runs along its border or curls back
    through it, many more (micrograd's compact figure). ``points`` (n, 2) and ``rects`` (n, 4: the
    box (x0, y0, x1, y1) of each point's curve) hold ``count`` curves one after another, ``owner``
    (n,) saying whose each point is (None: one curve)."""
    owner = np.zeros(len(points), dtype=int) if owner is None else owner
    rects = np.broadcast_to(np.asarray(rects, dtype=float), (len(points), 4))
    near = (points[:, 0] > rects[:, 0] - NEAR) & (points[:, 0] < rects[:, 2] + NEAR) \
        & (points[:, 1] > rects[:, 1] - NEAR) & (points[:, 1] < rects[:, 3] + NEAR)
    steps = np.hypot(*np.diff(points, axis=0).T)
    counted = near[1:] & near[:-1] & (owner[1:] == owner[:-1])
    return np.bincount(owner[1:][counted], weights=steps[counted], minlength=count)


WAYPOINTS = (0.5, 0.35, 0.65, 0.2, 0.8)   # where along the straight line a detour's turning point is tried


def detour(tail, head, boxes, own=()) -> tuple:
    """The control points of the curve from ``tail`` to ``head`` (points ``(x, y)``) round
    ``boxes`` (centre x, y, width, height): :func:`route`'s one cubic if it clears them all, else
    two cubics joined smoothly at the nearest turning point off the straight line (along it at
    :data:`WAYPOINTS`, :data:`STEP` points at a time either side, out to :data:`REACH` or a third
    of its length) that clears them, as Graphviz draws a long edge round a crowd; the one cubic,
    the least crowded, when none does. Neither runs along the side of a box of ``own`` (the
    nodes the edge joins).

    >>> len(detour((0, 0), (600, 0), [(120, 0, 40, 300)]))   # a wall near the tail: one cubic clears it
    4
    >>> detour((0, 0), (600, 0), [(120, 0, 40, 500)])[3]   # a taller wall: two, turning 272 points up
    (120.0, 272.0)
    """
    (x0, y0), (x1, y1) = tail, head
    _, single = route((x0, y0, 0.0, 0.0), (x1, y1, 0.0, 0.0), boxes, own=own)
    table = _table(boxes)
    if not _crossed(np.array([single], float), table)[0]:
        return single
    p0, p3 = np.array(tail, float), np.array(head, float)
    chord = p3 - p0
    length = float(np.hypot(*chord)) or 1.0
    normal = np.array([-chord[1], chord[0]]) / length
    offsets = STEP * np.arange(1, int(max(REACH, length / 3) / STEP) + 1)
    offsets = np.stack([offsets, -offsets], axis=1).ravel()              # nearest first, either side
    spots = np.array([(t, o) for o in offsets for t in WAYPOINTS])
    turns = p0 + spots[:, :1] * chord + spots[:, 1:] * normal              # (n, 2)
    along = chord / length * min(length / 6, 60.0)                         # the tangent at the turn
    first = np.stack([np.broadcast_to(p0, turns.shape), p0 + (turns - p0) / 3, turns - along, turns], axis=1)
    second = np.stack([turns, turns + along, p3 + (turns - p3) / 3, np.broadcast_to(p3, turns.shape)], axis=1)
    looks_clear = np.flatnonzero(_hits(first, table) + _hits(second, table) == 0)
    looks_clear = looks_clear[~(_hugging(first[looks_clear], own) | _hugging(second[looks_clear], own))]
    clear = looks_clear[~(_crossed(first[looks_clear], table) | _crossed(second[looks_clear], table))]
    if not len(clear):
        return single
    k = int(clear[0])
    points = [first[k][0], first[k][1], first[k][2], first[k][3], second[k][1], second[k][2], second[k][3]]
    return tuple((round(float(x), 2), round(float(y), 2)) for x, y in points)


def _table(boxes) -> np.ndarray:
    """(n, 4): the (x0, y0, x1, y1) of ``boxes`` (centre x, y, width, height), :data:`CLEAR` wider."""
    return np.array([(x - w / 2 - CLEAR, y - h / 2 - CLEAR, x + w / 2 + CLEAR, y + h / 2 + CLEAR)
                     for x, y, w, h in boxes], dtype=float).reshape(-1, 4)


def _bezier(points, t) -> np.ndarray:
    """(n, len(t), 2): the points at ``t`` of each cubic of ``points`` ((n, 4, 2))."""
    t = np.asarray(t, float)[None, :, None]
    return ((1 - t) ** 3 * points[:, None, 0] + 3 * t * (1 - t) ** 2 * points[:, None, 1]
            + 3 * t * t * (1 - t) * points[:, None, 2] + t ** 3 * points[:, None, 3])


def _curves(tail, head, lift1, lift2) -> np.ndarray:
    """(n, 4, 2): the control points of the curves from the side of ``tail`` to the side of
    ``head``, their inner points lifted by ``lift1`` and ``lift2`` ((n, 2) each)."""
    p0, p3 = np.array(tail[:2], float), np.array(head[:2], float)
    c1 = p0 + (p3 - p0) / 3 + lift1
    c2 = p0 + 2 * (p3 - p0) / 3 + lift2
    return np.stack([_side(tail, c1), c1, c2, _side(head, c2)], axis=1)


def _side(box, toward) -> np.ndarray:
    """(n, 2): where the lines from the centre of ``box`` to each of ``toward`` leave the box."""
    x, y, w, h = box
    d = toward - [x, y]
    with np.errstate(divide="ignore", invalid="ignore"):   # a point (no width) for a box: 0/0
        scale = np.minimum(np.where(d[:, 0] != 0, w / 2 / np.abs(d[:, 0]), np.inf),
                           np.where(d[:, 1] != 0, h / 2 / np.abs(d[:, 1]), np.inf))
    scale = np.where(np.isfinite(scale), scale, 0.0)
    return np.array([x, y]) + d * scale[:, None]


def _fewest(points, table, own=()) -> int:
    """The index of the first curve of ``points`` ((n, 4, 2)) that runs through none of the boxes
    in ``table`` (their :data:`CLEAR` margins included, else not) nor along the side of one of
    ``own`` (x, y, w, h: its nodes), else of the first that runs through the fewest."""
    hits = _hits(points, table)
    looks_clear = np.flatnonzero(hits == 0)
    looks_clear = looks_clear[~_hugging(points[looks_clear], own)]
    for boxes in (table, table + [CLEAR, CLEAR, -CLEAR, -CLEAR]):
        for start in range(0, len(looks_clear), CHECKED):   # checked piece by piece, in order
            chunk = looks_clear[start:start + CHECKED]
            crossed = _crossed(points[chunk], boxes)
            if not crossed.all():
                return int(chunk[np.argmin(crossed)])
    return int(np.argmin(np.where(hits == 0, 1, hits)))


CHECKED = 64   # curves checked piece by piece at a time


def _hits(points, table) -> np.ndarray:
    """(n,): how many of the boxes in ``table`` each curve of ``points`` ((n, 4, 2)) has a point of
    :data:`_T` in (a quick look: a long curve's points are further apart than a node is high)."""
    if not len(table):
        return np.zeros(len(points), dtype=int)
    curve = _bezier(points, _T)                                                              # (n, samples, 2)
    xs, ys = curve[:, :, None, 0], curve[:, :, None, 1]
    inside = (xs > table[:, 0]) & (xs < table[:, 2]) & (ys > table[:, 1]) & (ys < table[:, 3])   # (n, samples, boxes)
    return inside.any(axis=1).sum(axis=1)


def _crossed(points, table) -> np.ndarray:
    """(n,): whether each curve of ``points`` ((n, 4, 2)) crosses a box of ``table``, the curve
    taken as the straight pieces between its ends and :data:`_T`'s points, each tested whole."""
    if not len(table):
        return np.zeros(len(points), dtype=bool)
    curve = _bezier(points, np.concatenate([[0.0], _T, [1.0]]))
    start, step = curve[:, :-1, None, :], np.diff(curve, axis=1)[:, :, None, :]            # (n, pieces, 1, 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        low = (table[None, None, :, :2] - start) / step                                     # (n, pieces, boxes, 2)
        high = (table[None, None, :, 2:] - start) / step
    enter = np.minimum(low, high).max(axis=3)
    leave = np.maximum(low, high).min(axis=3)
    return ((enter < leave) & (leave > 0) & (enter < 1)).any(axis=(1, 2))   # NaN (a piece along a side): no


def spline(points, back: bool) -> str:
    """Graphviz's ``pos`` of a curve: the arrowhead at its head (``e,``), or at its tail for a
    backward edge drawn ``dir=back`` (``s,``), the curve shortened by the arrowhead there."""
    curve, tip = short_of_arrow(points, back)
    text = " ".join(f"{x:.2f},{y:.2f}" for x, y in curve)
    return f"{'s' if back else 'e'},{tip[0]:.2f},{tip[1]:.2f} {text}"


def read_spline(pos: str) -> tuple:
    """(control points, the arrow's tip at the head or None, at the tail or None) of Graphviz's
    ``pos`` of an edge, as :func:`spline` writes it."""
    points, end, start = [], None, None
    for item in pos.split():
        if item.startswith("e,"):
            end = _xy(item[2:])
        elif item.startswith("s,"):
            start = _xy(item[2:])
        else:
            points.append(_xy(item))
    return points, end, start


def _xy(text) -> tuple:
    """An ``x,y`` of Graphviz's as two numbers (a layout holds hundreds of thousands: no generator)."""
    x, y = text.split(",")
    return float(x), float(y)


def short_of_arrow(points, back: bool) -> tuple:
    """(the curve's control points with its last one, or its first with ``back``, moved
    :data:`ARROW` towards the next, the arrow's tip: where that point was)."""
    p = [np.array(q, float) for q in points]
    at, inner = (0, 1) if back else (-1, -2)
    tip = (float(p[at][0]), float(p[at][1]))
    towards = p[inner] - p[at]
    p[at] = p[at] + towards / (np.linalg.norm(towards) or 1.0) * ARROW
    return tuple((float(x), float(y)) for x, y in p), tip


SPOTS = (0.5, 0.35, 0.65, 0.2, 0.8)   # where along its curve a label is tried, the middle first


def label_spot(points, size, avoid=()) -> tuple:
    """The centre of a label of ``size`` (w, h) beside the middle of the curve, on its bowed
    side; else the first spot along it (:data:`SPOTS`, either side) clear of every box of
    ``avoid`` (centre x, y, width, height: nodes, labels placed already); the middle if none is.

    >>> label_spot([(0, 0), (30, 30), (70, 30), (100, 0)], (20, 10))   # above the bow's middle
    (50.0, 29.5)
    >>> label_spot([(0, 0), (30, 30), (70, 30), (100, 0)], (20, 10), [(50, 29, 30, 12)])   # under it: clear
    (50.0, 15.5)
    """
    p = np.array(points[:4], float)
    lean = (p[1] + p[2]) / 2 - (p[0] + p[3]) / 2
    chord = p[3] - p[0]
    bowed = 1.0 if lean @ np.array([-chord[1], chord[0]]) >= 0 else -1.0
    spots = [_beside(p, t, side, size) for t in SPOTS for side in (bowed, -bowed)]
    return next((spot for spot in spots if not any(_overlap(spot, size, box) for box in avoid)), spots[0])


def traced(points, count=48) -> list:
    """Points along the spline ``points`` (``count`` a cubic: a detour's two, Graphviz's many) as
    boxes of a point each (centre x, y, 0, 0): a curve drawn already, for :func:`label_spot` to
    keep a label off."""
    cubics = np.array([points[k:k + 4] for k in range(0, len(points) - 3, 3)], float).reshape(-1, 4, 2)
    curve = _bezier(cubics, np.linspace(0.0, 1.0, count)).reshape(-1, 2)
    return [(float(x), float(y), 0.0, 0.0) for x, y in curve]


def _beside(p, t, side, size) -> tuple:
    """The centre of a label of ``size`` just beside the cubic ``p`` at ``t``, on ``side`` of it."""
    u = 1 - t
    at = u ** 3 * p[0] + 3 * u * u * t * p[1] + 3 * u * t * t * p[2] + t ** 3 * p[3]
    tangent = 3 * u * u * (p[1] - p[0]) + 6 * u * t * (p[2] - p[1]) + 3 * t * t * (p[3] - p[2])
    if not np.linalg.norm(tangent):
        tangent = p[3] - p[0]
    normal = np.array([-tangent[1], tangent[0]]) / (np.linalg.norm(tangent) or 1.0)
    w, h = size
    reach = w / 2 * abs(normal[0]) + h / 2 * abs(normal[1]) + 2
    x, y = at + side * normal * reach
    return round(float(x), 2), round(float(y), 2)


def _overlap(spot, size, box) -> bool:
    (x, y), (w, h), (bx, by, bw, bh) = spot, size, box
    return abs(x - bx) < (w + bw) / 2 + 1 and abs(y - by) < (h + bh) / 2 + 1
