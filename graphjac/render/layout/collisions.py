"""Where a laid-out figure's pieces run into each other, read from Graphviz's own geometry.

:func:`collisions` takes a figure's layout (node boxes, edge splines, label positions, from
``dot -Tjson0``) and the measured size of every label, and lists every place where an edge's
spline passes through a node that is not one of its ends, through a label box that is not its
own, where two label boxes overlap, and where a forward and a backward edge run on top of each
other. The figures' layout step uses it to choose among candidate layouts, and
:func:`relabelled` moves an edge label that something runs into to a free place beside its
own edge; the tests hold the gallery and random graphs to it.
"""

from __future__ import annotations

import math
from dataclasses import replace
from functools import lru_cache

import numpy as np

from graphjac.core.records import record
from graphjac.render.layout.routes import along, detour, label_spot, short_of_arrow

SAMPLES = 48        # points per Bézier segment
MARGIN = 1.0        # points of tolerance at every box edge (a node's: its text has room inside it)
INK = 0.5           # … at an edge label's or a group title's, for an edge through it: its box is its own ink
CLOSE = 4.5         # a forward and a backward edge nearer than this (points) …
HIDDEN = 0.3        # … for this share of their length lie on top of each other
HUGGING = 16.0      # points of an edge's length along or through its own node (within routes.NEAR of its box)


@record
class Collision:
    kind: str        # edge-node, edge-own-node, edge-label, label-label, label-node, label-border, hidden-edge
    what: str
    other: str


def boxes(layout, marks, figure) -> dict:
    """key -> (x0, y0, x1, y1) of every node, every placed edge label and every group's title,
    in Graphviz points."""
    out = {key: _rect(node) for key, node in layout.nodes.items()}
    for edge in layout.edges:
        label = marks.get(edge.id)
        if edge.label is not None and label is not None:
            x, y = edge.label
            out[edge.id] = (x - label.width / 2, y - label.height / 2, x + label.width / 2, y + label.height / 2)
    for key, group in layout.clusters.items():
        title = marks.get(key)
        if group.label is not None and title is not None:
            x, y = group.label
            out[key] = (x - title.width / 2, y - title.height / 2, x + title.width / 2, y + title.height / 2)
    return out


def _rect(node) -> tuple:
    """(x0, y0, x1, y1) of a node's box."""
    return node.x - node.width / 2, node.y - node.height / 2, node.x + node.width / 2, node.y + node.height / 2


def collisions(figure, layout, marks) -> list:
    """Every :class:`Collision` of the laid-out figure."""
    found = []
    rects = boxes(layout, marks, figure)
    labels = {e.id for e in layout.edges if e.id in rects}
    inked = labels | set(layout.clusters)   # an edge label's or a title's box is its own ink
    nodes = set(layout.nodes)
    curves = {edge.id: _curve(edge) for edge in layout.edges}
    keys = list(rects)
    table = np.array([rects[key] for key in keys], dtype=float).reshape(-1, 4)
    for edge in layout.edges:
        points = _drawn(edge)
        if not len(points):
            continue
        reach = (*(points.min(axis=0) - MARGIN), *(points.max(axis=0) + MARGIN))   # what it could come within INK of
        near = [k for k in np.flatnonzero(_overlapping(reach, table)) if keys[k] not in (edge.tail, edge.head, edge.id)]
        crossed = ~_clear_of(table[near], points, np.array([[INK if keys[k] in inked else MARGIN] for k in near])) \
            if near else []
        for k, hit in zip(near, crossed):
            if hit:
                found.append(Collision("edge-node" if keys[k] in nodes else "edge-label", edge.id, keys[k]))
    found += [Collision("edge-own-node", edge_id, end) for edge_id, end in _hugging(layout, rects)]
    ordered = sorted(keys)
    if ordered:
        boxes_ = np.array([rects[key] for key in ordered], dtype=float)
        is_label = np.array([key in labels for key in ordered])
        pairs = np.triu(_overlapping_pairs(boxes_), k=1) & (is_label[:, None] | is_label[None, :])
        for i, j in zip(*np.nonzero(pairs)):
            a, b = ordered[i], ordered[j]
            found.append(Collision("label-label" if a in labels and b in labels else "label-node", a, b))
    found += _across_borders(layout, rects, marks)
    found += _hidden_edges(figure, layout, curves)
    return found


def _hugging(layout, rects) -> list:
    """(edge id, node key) of each edge that runs along or curls back through a node it starts or
    ends at: more than :data:`HUGGING` points of its length within :data:`.routes.NEAR` of that node's
    box (:func:`.routes.along`; every edge at once)."""
    pairs = [(edge, end) for edge in layout.edges for end in dict.fromkeys((edge.tail, edge.head)) if end in rects]
    curves = [_drawn(edge) for edge, _ in pairs]
    if not pairs or not any(len(c) for c in curves):
        return []
    owner = np.repeat(np.arange(len(pairs)), [len(c) for c in curves])
    lengths = along(np.concatenate(curves), np.array([rects[end] for _, end in pairs], dtype=float)[owner], owner,
                     len(pairs))
    return [(edge.id, end) for (edge, end), length in zip(pairs, lengths) if length > HUGGING]


def _across_borders(layout, rects, marks):
    """Node boxes that a group's dashed border runs through (neither inside nor outside it), and
    labels and titles it runs through or touches (their boxes are their ink: within
    :data:`CLEAR` of the line, a letter sits on it)."""
    found = []
    inked = [key for key in rects if key not in layout.nodes]
    table = np.array([rects[key] for key in inked], dtype=float).reshape(-1, 4)
    for key, group in layout.clusters.items():
        border = (group.x0, group.y0, group.x1, group.y1)
        for other, rect in rects.items():
            if other != key and other in layout.nodes and _overlap(rect, border) and not _inside(rect, border):
                found.append(Collision("label-border", other, key))
        on_line = _on_borders(table, np.array([border], dtype=float))[:, 0]
        found += [Collision("label-border", other, key) for other, hit in zip(inked, on_line) if hit and other != key]
    return found + _overlapping_groups(layout)


def _overlapping_groups(layout) -> list:
    """Two group boxes that overlap, neither inside the other (a wrapped figure's "Model" and
    "Model (continued)" one column down, the first grown round a curve of its own)."""
    found = []
    clusters = sorted(layout.clusters.items())
    for k, (a, one) in enumerate(clusters):
        for b, other in clusters[k + 1:]:
            first, second = (one.x0, one.y0, one.x1, one.y1), (other.x0, other.y0, other.x1, other.y1)
            if _overlap(first, second) and not _inside(first, second) and not _inside(second, first):
                found.append(Collision("group-group", a, b))
    return found


CLEAR = 1.0   # points an edge label or a title keeps off a group's border, inside or outside it


def _on_borders(boxes, borders) -> np.ndarray:
    """(n, m): whether label box i of ``boxes`` comes within :data:`CLEAR` of the border of group
    box j of ``borders`` (it reaches that near from outside and is not that far inside)."""
    a, b = boxes[:, None, :], borders[None, :, :]
    near = (a[..., 0] < b[..., 2] + CLEAR) & (b[..., 0] - CLEAR < a[..., 2]) \
        & (a[..., 1] < b[..., 3] + CLEAR) & (b[..., 1] - CLEAR < a[..., 3])
    inside = (b[..., 0] + CLEAR <= a[..., 0]) & (a[..., 2] <= b[..., 2] - CLEAR) \
        & (b[..., 1] + CLEAR <= a[..., 1]) & (a[..., 3] <= b[..., 3] - CLEAR)
    return near & ~inside


def _inside(rect, box):
    return box[0] - MARGIN <= rect[0] and rect[2] <= box[2] + MARGIN and box[1] - MARGIN <= rect[1] \
        and rect[3] <= box[3] + MARGIN


_T = np.arange(1, SAMPLES) / SAMPLES
_BERNSTEIN = np.stack([(1 - _T) ** 3, 3 * _T * (1 - _T) ** 2, 3 * _T * _T * (1 - _T), _T ** 3], axis=1)


def _curve(edge) -> np.ndarray:
    """Points along the edge's Bézier segments, ``SAMPLES − 1`` a segment (an (n, 2) array, read
    only: the same edge's curve is sampled once, however often a render checks it)."""
    return _sampled(tuple(edge.points))


def _drawn(edge) -> np.ndarray:
    """:func:`_curve`, and points along the edge's arrowheads (a label on an arrowhead is in its way)."""
    return _sampled(tuple(edge.points), edge.start, edge.end)


ARROW_SAMPLES = 6   # points along an arrowhead, from the spline's end to its tip


@lru_cache(maxsize=8192)
def _sampled(points, start=None, end=None) -> np.ndarray:
    curve = _sampled_afresh(points)
    if len(curve) and start is not None:
        curve = np.concatenate([np.linspace(start, points[0], ARROW_SAMPLES, endpoint=False), curve])
    if len(curve) and end is not None:
        curve = np.concatenate([curve, np.linspace(points[-1], end, ARROW_SAMPLES + 1)[1:]])
    curve.flags.writeable = False
    return curve


def _sampled_afresh(points) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    segments = (len(points) - 1) // 3
    if segments < 1:
        return np.zeros((0, 2))
    controls = np.stack([points[3 * k:3 * k + 4] for k in range(segments)])   # (segments, 4, 2)
    return np.einsum("tc,scd->std", _BERNSTEIN, controls).reshape(-1, 2)


def _overlap(a, b):
    return a[0] + MARGIN < b[2] and b[0] + MARGIN < a[2] and a[1] + MARGIN < b[3] and b[1] + MARGIN < a[3]


def _overlapping(rect, table) -> np.ndarray:
    """Which rows of ``table`` (an (n, 4) array of boxes) ``rect`` overlaps, as :func:`_overlap` says."""
    return (rect[0] + MARGIN < table[:, 2]) & (table[:, 0] + MARGIN < rect[2]) \
        & (rect[1] + MARGIN < table[:, 3]) & (table[:, 1] + MARGIN < rect[3])


def _overlapping_pairs(table) -> np.ndarray:
    """(n, n): whether box i overlaps box j, as :func:`_overlap` says."""
    a, b = table[:, None, :], table[None, :, :]
    return (a[..., 0] + MARGIN < b[..., 2]) & (b[..., 0] + MARGIN < a[..., 2]) \
        & (a[..., 1] + MARGIN < b[..., 3]) & (b[..., 1] + MARGIN < a[..., 3])


def _clear_of(table, points, inset=MARGIN) -> np.ndarray:
    """For each box of ``table``: no point of ``points`` inside it, ``inset`` (a number, or one
    for each box as an (n, 1) array) within its sides (:func:`_clear`, for many)."""
    if not len(points):
        return np.ones(len(table), dtype=bool)
    xs, ys = points[None, :, 0], points[None, :, 1]
    inside = (xs > table[:, 0:1] + inset) & (xs < table[:, 2:3] - inset) \
        & (ys > table[:, 1:2] + inset) & (ys < table[:, 3:4] - inset)
    return ~inside.any(axis=1)


def _hidden_edges(figure, layout, curves):
    """A forward and a backward edge between the same two nodes that lie on top of each other
    (``curves``: edge id -> its :func:`_curve`)."""
    found = []
    pairs = {}
    for k, edge in enumerate(figure.edges):
        if edge.direction in ("forward", "backward") and f"e{k}" in curves:
            key = (edge.src, edge.dst) if edge.direction == "forward" else (edge.dst, edge.src)
            pairs.setdefault(key, {})[edge.direction] = f"e{k}"
    for both in pairs.values():
        if len(both) < 2:
            continue
        if _on_top(curves[both["forward"]], curves[both["backward"]]):
            found.append(Collision("hidden-edge", both["forward"], both["backward"]))
    return found


def _on_top(forward, backward) -> bool:
    """Whether more than :data:`HIDDEN` of the ``forward`` curve's length lies within
    :data:`CLOSE` of the ``backward`` one (both as :func:`_curve` gives them)."""
    if len(forward) < 2 or not len(backward):
        return False
    if np.any(forward.min(axis=0) > backward.max(axis=0) + CLOSE) \
            or np.any(backward.min(axis=0) > forward.max(axis=0) + CLOSE):
        return False                                       # apart: no point of one is near the other
    steps = np.hypot(*np.diff(forward, axis=0).T)          # along the forward edge's length …
    tails = forward[:-1]
    squared = (tails ** 2).sum(axis=1)[:, None] + (backward ** 2).sum(axis=1)[None, :] - 2 * tails @ backward.T
    length, near = steps.sum(), steps[squared.min(axis=1) < CLOSE ** 2].sum()   # … how much lies on the backward one
    return bool(length) and near / length > HIDDEN


GAP = 2.0   # points between a moved label and its own edge


def relabelled(figure, layout, marks):
    """``layout`` with every edge label that an edge, a node, another label or a group's border
    runs into moved along its own edge to the nearest place where nothing does (beside the edge,
    inside the drawing, or inside the page a ``fit`` figure is padded to), and every group title
    an edge or a label runs into slid along its group's top to the nearest free place; a label
    with no such place stays where Graphviz put it."""
    rects = boxes(layout, marks, figure)
    curves = {e.id: _curve(e) for e in layout.edges}
    labels = set(curves) & set(marks)     # edge labels: they move along their edges
    titles = set(layout.clusters) & set(rects)   # group titles: they slide along their group's top
    found = [c for c in collisions(figure, layout, marks)
             if c.kind not in ("edge-node", "edge-own-node", "hidden-edge", "group-group")]   # not a label's to mend
    culprits = {c.other if c.other in labels | titles and c.kind != "label-border" else c.what for c in found}
    if not culprits & (labels | titles):
        return layout
    drawn = {e.id: _drawn(e) for e in layout.edges}   # arrowheads too: no label is moved onto one
    everything = np.concatenate([c for c in drawn.values() if len(c)] or [np.zeros((0, 2))])
    moved = {}
    for key in sorted(culprits & labels):
        others = np.concatenate([c for k, c in drawn.items() if k != key and len(c)] or [np.zeros((0, 2))])
        spot = _free_spot(key, curves[key], marks[key], rects, others, _bounds(figure, layout), layout.clusters)
        moved.update(_placed(key, spot, marks, rects))
    for key in sorted(culprits & titles):
        moved.update(_placed(key, _free_title_spot(key, layout.clusters[key], marks[key], rects, everything),
                             marks, rects))
    return replace(layout, edges=tuple(replace(e, label=moved[e.id]) if e.id in moved else e for e in layout.edges),
                   clusters={k: replace(c, label=moved[k]) if k in moved else c for k, c in layout.clusters.items()})


def _placed(key, spot, marks, rects):
    """{key: spot} with the label's box recorded at ``spot`` in ``rects`` ({} for no spot)."""
    if spot is None:
        return {}
    w, h = marks[key].width / 2, marks[key].height / 2
    rects[key] = (spot[0] - w, spot[1] - h, spot[0] + w, spot[1] + h)
    return {key: spot}


def _free_title_spot(key, group, title, rects, points):
    """The centre nearest to the group title's own, on the same line inside its group's top, where
    no edge, node or label is in its box; else on the mirrored line inside its bottom (a narrow
    box, an ellipsis's, that edges pass over); None if there is none."""
    x, y = group.label
    w, h = title.width / 2, title.height / 2
    others = [rect for other, rect in rects.items() if other != key]
    steps = int((group.x1 - group.x0 - 2 * w - 2 * GAP) // 2)
    along = sorted((group.x0 + GAP + w + 2 * k for k in range(max(steps, 0) + 1)), key=lambda c: abs(c - x))
    for cy in (y, group.y0 + group.y1 - y):
        for cx in along:
            rect = (cx - w, cy - h, cx + w, cy + h)
            if _clear_of(np.array([rect]), points, INK)[0] and not any(_overlap(rect, o) for o in others):
                return float(cx), float(cy)
    return None


def _bounds(figure, layout):
    """(x0, y0, x1, y1) a label may be moved within: the drawing, grown to its page's shape."""
    width, height = layout.width, layout.height
    if figure.page is not None:
        ratio = figure.page[1] / figure.page[0]
        width, height = max(width, height / ratio), max(height, width * ratio)
    dx, dy = (width - layout.width) / 2, (height - layout.height) / 2
    return -dx, -dy, layout.width + dx, layout.height + dy


def _free_spot(key, curve, label, rects, points, bounds, clusters=None):
    """The centre nearest to label ``key``'s own where its box touches its edge's ``curve`` from
    one side (else stands off it by :data:`OFF`, a step further at a time), no other edge, node
    or label is in it and no group's border runs through or touches it (None if there is none).
    Every spot along the curve at one distance is tested at once."""
    borders = np.array([(g.x0, g.y0, g.x1, g.y1) for g in (clusters or {}).values()], dtype=float).reshape(-1, 4)
    if len(curve) < 3:
        return None
    w, h = label.width / 2, label.height / 2
    x, y = (rects[key][0] + rects[key][2]) / 2, (rects[key][1] + rects[key][3]) / 2
    others = np.array([rect for other, rect in rects.items() if other != key], dtype=float).reshape(-1, 4)
    room = 2 * (w + h + GAP)   # no spot's box reaches further from the edge than this
    low, high = curve.min(axis=0) - room, curve.max(axis=0) + room
    points = points[np.all((points > low) & (points < high), axis=1)] if len(points) else points
    others = others[_overlapping((low[0], low[1], high[0], high[1]), others)]
    ends = max(1, len(curve) // 10)
    at = np.arange(ends, len(curve) - ends, 2)
    if not len(at):
        return None
    tangent = curve[at + 1] - curve[at - 1]
    norm = np.sqrt(tangent[:, 0] * tangent[:, 0] + tangent[:, 1] * tangent[:, 1])
    norm[norm == 0] = 1.0
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1) / norm[:, None]
    reach = w * np.abs(normal[:, 0]) + h * np.abs(normal[:, 1]) + GAP   # the box's extent along the normal
    for off in OFF:
        centres = np.stack([curve[at] + side * normal * (reach + off)[:, None] for side in (1, -1)],
                           axis=1).reshape(-1, 2)
        boxes = np.concatenate([centres - (w, h), centres + (w, h)], axis=1)   # (x0, y0, x1, y1) of each spot
        fits = (boxes[:, 0] >= bounds[0]) & (boxes[:, 1] >= bounds[1]) & (boxes[:, 2] <= bounds[2]) \
            & (boxes[:, 3] <= bounds[3])
        fits &= _clear_of(boxes, points, INK) & _clear_of(boxes + (GAP, GAP, -GAP, -GAP), curve)   # its own: a graze
        if len(others):
            fits &= ~_crossing_boxes(boxes, others).any(axis=1)
        if len(borders):
            fits &= ~_on_borders(boxes, borders).any(axis=1)
        if fits.any():
            distance = np.where(fits, (centres[:, 0] - x) ** 2 + (centres[:, 1] - y) ** 2, np.inf)
            cx, cy = centres[int(np.argmin(distance))]
            return float(cx), float(cy)
    return None


OFF = (0.0, 3.0, 6.0)   # points a moved label stands off its edge beyond GAP, nearest first


def _crossing_boxes(boxes, table) -> np.ndarray:
    """(n, m): whether box i of ``boxes`` overlaps box j of ``table``, as :func:`_overlap` says."""
    a, b = boxes[:, None, :], table[None, :, :]
    return (a[..., 0] + MARGIN < b[..., 2]) & (b[..., 0] + MARGIN < a[..., 2]) \
        & (a[..., 1] + MARGIN < b[..., 3]) & (b[..., 1] + MARGIN < a[..., 3])


def _clear(rect, points):
    """No point of ``points`` inside ``rect``."""
    x0, y0, x1, y1 = rect
    xs, ys = points[:, 0], points[:, 1]
    return not np.any((xs > x0 + MARGIN) & (xs < x1 - MARGIN) & (ys > y0 + MARGIN) & (ys < y1 - MARGIN))


APART = 6.0   # points between a forward edge and the backward edge moved off it
SHALLOW = 0.5   # an edge running this near to along the ranks (the sine of its angle to them) is bowed
BOW = 2 * APART   # how far a bowed edge's middle leaves its forward edge, in points


def separated(figure, layout, found, marks=None):
    """(layout, shifts, bowed): every backward edge that ``found`` (the layout's collisions) says
    lies on top of its forward edge moved off it, and every edge Graphviz ran through a node bowed
    round it. A backward edge that runs across the ranks moves whole (spline, arrowhead and label)
    by ``shifts[edge id] = (dx, dy)``, across the ranks, so that its ends slide along the sides of
    its nodes, by as little as takes it off; one that runs nearly along them (a leaf's edge to a
    node far to its side), or that no such move takes off, is bowed instead: its middle and label
    move off, its ends and arrowhead stay. An edge through a node (or a backward edge on its
    forward edge) that no bow clears (a wire Graphviz looped round a circuit's rows) is drawn
    again as one curve round the nodes, its label (when ``marks`` has its size) beside it
    (``bowed``: the ids of the splines to draw again from the layout)."""
    by_id = {e.id: e for e in layout.edges}
    across = figure.direction in ("BT", "TB")
    shifts, bows, routed = {}, {}, {}
    for hit in (c for c in found if c.kind == "hidden-edge"):
        forward, backward = by_id[hit.what], by_id[hit.other]
        (x0, y0), (x1, y1) = backward.points[0], backward.points[-1]
        length = math.hypot(x1 - x0, y1 - y0) or 1.0
        normal = np.array([y0 - y1, x1 - x0]) / length
        slant = abs(y1 - y0) / length if across else abs(x1 - x0) / length   # how square to the ranks it runs
        shift = None if slant < SHALLOW else _shift_off(forward, backward, slant, across, layout)
        if shift is not None:
            shifts[backward.id] = shift
            continue
        bow = _bow(forward, backward, normal, layout)
        if bow is not None:
            bows[backward.id] = bow
        elif backward.label is None or backward.id in (marks or {}):   # no bow clears the nodes: round them
            routed[backward.id] = _rerouted(backward, layout, (marks or {}).get(backward.id))
        else:
            bows[backward.id] = _bow(forward, backward, normal, layout, fallback=True)
    for hit in (c for c in found if c.kind == "edge-own-node" and c.what not in shifts and c.what not in routed):
        edge = by_id[hit.what]   # drawn again from where it meets its nodes, leaving each at once
        if edge.label is None or hit.what in (marks or {}):
            bows.pop(hit.what, None)
            routed[hit.what] = _rerouted(edge, layout, marks.get(hit.what) if edge.label is not None else None)
    for hit in (c for c in found if c.kind == "edge-node" and c.what not in shifts and c.what not in bows
                and c.what not in routed):
        edge = by_id[hit.what]
        offset = _round_nodes(edge, layout)
        if offset is not None:   # and the edge beside it (its forward or backward edge) bowed with it, if that clears
            for other in layout.edges:
                if (other.tail, other.head) == (edge.tail, edge.head) and other.id not in shifts and \
                        (other.id == edge.id or _clears_nodes(_bowed(other, offset), layout)):
                    bows.setdefault(other.id, offset)
        elif hit.what not in routed and (edge.label is None or hit.what in (marks or {})):   # one curve round them
            routed[hit.what] = _rerouted(edge, layout, marks.get(hit.what) if edge.label is not None else None)
    if not shifts and not bows and not routed:
        return layout, {}, set()
    edges = tuple(_shifted(e, *shifts[e.id]) if e.id in shifts else _bowed(e, bows[e.id]) if e.id in bows
                  else routed.get(e.id, e) for e in layout.edges)
    return replace(layout, edges=edges), shifts, set(bows) | set(routed)


def round_labels(figure, layout, found, marks) -> tuple:
    """(``layout`` with each edge that still runs through an edge label no place along its own
    edge could take — ``found``: what collides once labels were moved — drawn again round the
    nodes and the labels (:func:`_rerouted`), the ids of those edges)."""
    by_id = {e.id: e for e in layout.edges}
    through = {c.what for c in found if c.kind == "edge-label" and c.what in by_id and c.other in by_id}
    if not through:
        return layout, set()
    rects = boxes(layout, marks, figure)
    edges = tuple(_rerouted(e, layout, marks.get(e.id) if e.label is not None else None,
                            [r for key, r in rects.items() if key != e.id and key not in layout.nodes])
                  if e.id in through else e for e in layout.edges)
    return replace(layout, edges=edges), through


def _rerouted(edge, layout, mark=None, labels=()):
    """``edge`` drawn again as one curve round every other node (:func:`.routes.route`) between
    the points where Graphviz ended it (its arrow tips, or the ends of its spline: a circuit's
    wire meets its rule there), shortened by the arrowhead at the end that has one; its label
    (``mark``, as typeset) beside the curve's middle, or along it clear of the nodes; round the
    ``labels`` (x0, y0, x1, y1) too."""
    others = [(node.x, node.y, node.width, node.height) for key, node in layout.nodes.items()
              if key not in (edge.tail, edge.head)]
    others += [((x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0) for x0, y0, x1, y1 in labels]
    own = [(node.x, node.y, node.width, node.height) for key, node in layout.nodes.items()
           if key in (edge.tail, edge.head)]
    points = detour(edge.start or edge.points[0], edge.end or edge.points[-1], others, own)
    curve, start, end = points, None, None
    if edge.end is not None:
        curve, end = short_of_arrow(curve, back=False)
    if edge.start is not None:
        curve, start = short_of_arrow(curve, back=True)
    label = edge.label if mark is None else label_spot(points, (mark.width, mark.height), others)
    return replace(edge, points=curve, start=start, end=end, label=label)


def _shift_off(forward, backward, slant, across, layout):
    """(dx, dy): the least move across the ranks, of :data:`APART` over the edge's slant and twice
    and three times that, that takes ``backward`` off ``forward`` with its ends still on the
    sides of its nodes and not along them: to the side it lies on, else the other; None if none
    does."""
    side = _side(forward, backward, across)
    f = _curve(forward)
    for way, k in [(side, k) for k in (1, 2, 3)] + [(-side, k) for k in (1, 2, 3)]:
        step = way * k * min(APART / max(slant, 0.3), 3 * APART)
        shift = (step, 0.0) if across else (0.0, step)
        moved = _shifted(backward, *shift)
        if not _on_top(f, _curve(moved)) and _ends_on_nodes(moved, layout, across) and not _hugs(moved, layout):
            return shift
    return None


CORNER = 4.0   # points of a node's side near its corners (rounded) that an edge's end keeps off


def _ends_on_nodes(edge, layout, across) -> bool:
    """Whether each end of ``edge`` (its arrow tip, if it has one there) still meets its node's
    side: within the node's extent across the ranks, clear of its rounded corners."""
    axis = 0 if across else 1
    for point, key in ((edge.start or edge.points[0], edge.tail), (edge.end or edge.points[-1], edge.head)):
        node = layout.nodes.get(key)
        if node is not None:
            centre, half = (node.x, node.width / 2) if across else (node.y, node.height / 2)
            if abs(point[axis] - centre) > half - CORNER:
                return False
    return True


def _hugs(edge, layout) -> bool:
    """Whether ``edge`` runs along a node it starts or ends at (:func:`.routes.along`)."""
    return any(along(_drawn(edge), _rect(layout.nodes[end]))[0] > HUGGING
               for end in (edge.tail, edge.head) if end in layout.nodes)


def _clears_nodes(edge, layout) -> bool:
    """Whether ``edge`` runs clear of every node but its own two."""
    curve = _curve(edge)
    return all(_clear(_rect(node), curve) for key, node in layout.nodes.items() if key not in (edge.tail, edge.head))


def _round_nodes(edge, layout):
    """The offset, along the edge's normal on either side and :data:`BOW` times one to four, that
    bows ``edge`` clear of every node but its own two (None if none does)."""
    (x0, y0), (x1, y1) = edge.points[0], edge.points[-1]
    length = math.hypot(x1 - x0, y1 - y0) or 1.0
    normal = np.array([y0 - y1, x1 - x0]) / length
    for offset in (normal * BOW * s * k for k in (1, 2, 3, 4) for s in (1, -1)):
        if _clears_nodes(_bowed(edge, offset), layout):
            return offset
    return None


def _bow(forward, backward, normal, layout, fallback=False):
    """The offset to bow ``backward`` by: off ``forward`` along ``normal`` on the side it leans to,
    or the other, by :data:`BOW`, twice or three times that; the first that takes it off
    ``forward`` and clears every other node box (None when none does, unless ``fallback``: then
    the first)."""
    f, b = _curve(forward), _curve(backward)
    n = min(len(f), len(b))
    side = -1.0 if ((b[:n] - f[:n]) @ normal).sum() < 0 else 1.0
    tries = [normal * BOW * s * k for k in (1, 2, 3) for s in (side, -side)]
    for offset in tries:
        bowed = _bowed(backward, offset)
        if not _on_top(f, _curve(bowed)) and _clears_nodes(bowed, layout):
            return offset
    return tries[0] if fallback else None


def _bowed(edge, offset):
    """``edge`` with its middle (and label) moved by ``offset``, its ends and their directions kept:
    the inner control points of a spline of several pieces move whole, a single piece's two
    control points by 4/3 of it (its midpoint then moves by ``offset``)."""
    points = [np.array(p) for p in edge.points]
    if len(points) >= 7:
        inner, scale = range(2, len(points) - 2), 1.0
    else:
        inner, scale = range(1, len(points) - 1), 4 / 3
    for k in inner:
        points[k] = points[k] + scale * offset
    label = None if edge.label is None else (float(edge.label[0] + offset[0]), float(edge.label[1] + offset[1]))
    return replace(edge, points=tuple((float(x), float(y)) for x, y in points), label=label)


def _side(forward, backward, across):
    """+1 or −1: the side of the forward edge the backward one already leans to (+1 if neither)."""
    axis = 0 if across else 1
    f, b = _curve(forward), _curve(backward)
    n = min(len(f), len(b))
    return -1.0 if (b[:n, axis] - f[:n, axis]).sum() < 0 else 1.0


def _shifted(edge, dx, dy):
    def move(point):
        return None if point is None else (point[0] + dx, point[1] + dy)
    return replace(edge, points=tuple(move(p) for p in edge.points), start=move(edge.start), end=move(edge.end),
                   label=move(edge.label))
