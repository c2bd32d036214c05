"""Where a laid-out figure's pieces run into each other, read from Graphviz's own geometry.

:func:`collisions` takes a figure's layout (node boxes, edge splines, label positions, from
``dot -Tjson``) and the measured size of every label, and lists every place where an edge's
spline passes through a node that is not one of its ends, through a label box that is not its
own, where two label boxes overlap, and where a forward and a backward edge run on top of each
other. The figures' layout step uses it to choose among candidate layouts; the tests hold the
gallery to it.
"""

from __future__ import annotations

from dataclasses import dataclass

SAMPLES = 48        # points per Bézier segment
MARGIN = 1.0        # points of tolerance at every box edge
CLOSE = 2.5         # a forward and a backward edge nearer than this …
HIDDEN = 0.3        # … for this share of their length lie on top of each other


@dataclass(frozen=True)
class Collision:
    kind: str        # edge-node, edge-label, label-label, label-node, hidden-edge
    what: str
    other: str


def boxes(layout, marks, figure) -> dict:
    """key -> (x0, y0, x1, y1) of every node and every placed edge label, in Graphviz points."""
    out = {}
    for key, node in layout.nodes.items():
        out[key] = (node.x - node.width / 2, node.y - node.height / 2, node.x + node.width / 2,
                    node.y + node.height / 2)
    for edge in layout.edges:
        label = marks.get(edge.id)
        if edge.label is not None and label is not None:
            x, y = edge.label
            out[edge.id] = (x - label.width / 2, y - label.height / 2, x + label.width / 2, y + label.height / 2)
    return out


def collisions(figure, layout, marks) -> list:
    """Every :class:`Collision` of the laid-out figure."""
    found = []
    rects = boxes(layout, marks, figure)
    labels = {e.id for e in layout.edges if e.id in rects}
    nodes = set(layout.nodes)
    ends = {e.id: {e.tail, e.head} for e in layout.edges}
    for edge in layout.edges:
        points = _curve(edge)
        if not points:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        reach = (min(xs), min(ys), max(xs), max(ys))
        for key, rect in rects.items():
            if key in ends[edge.id] or key == edge.id or not _overlap(reach, rect):
                continue
            if any(_inside(p, rect) for p in points):
                found.append(Collision("edge-node" if key in nodes else "edge-label", edge.id, key))
    keys = sorted(rects)
    for i, a in enumerate(keys):
        for b in keys[i + 1:]:
            if (a in labels or b in labels) and _overlap(rects[a], rects[b]):
                found.append(Collision("label-label" if a in labels and b in labels else "label-node", a, b))
    found += _hidden_edges(figure, layout)
    return found


def _curve(edge):
    points = edge.points
    out = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for k in range(1, SAMPLES):
            t = k / SAMPLES
            a, b, c, d = (1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t * t * (1 - t), t ** 3
            out.append((a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1]))
    return out


def _inside(point, rect):
    x, y = point
    x0, y0, x1, y1 = rect
    return x0 + MARGIN < x < x1 - MARGIN and y0 + MARGIN < y < y1 - MARGIN


def _overlap(a, b):
    return a[0] + MARGIN < b[2] and b[0] + MARGIN < a[2] and a[1] + MARGIN < b[3] and b[1] + MARGIN < a[3]


def _hidden_edges(figure, layout):
    """A forward and a backward edge between the same two nodes that lie on top of each other."""
    by_id = {e.id: e for e in layout.edges}
    found = []
    pairs = {}
    for k, edge in enumerate(figure.edges):
        if edge.direction in ("forward", "backward") and f"e{k}" in by_id:
            key = (edge.src, edge.dst) if edge.direction == "forward" else (edge.dst, edge.src)
            pairs.setdefault(key, {})[edge.direction] = f"e{k}"
    for both in pairs.values():
        if len(both) < 2:
            continue
        forward, backward = _curve(by_id[both["forward"]]), _curve(by_id[both["backward"]])
        length = near = 0.0    # along the forward edge's length, how much lies on the backward one
        for p, q in zip(forward, forward[1:]):
            step = _distance(p, q)
            length += step
            if min(_distance(p, r) for r in backward) < CLOSE:
                near += step
        if length and near / length > HIDDEN:
            found.append(Collision("hidden-edge", both["forward"], both["backward"]))
    return found


def _distance(p, q):
    return ((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2) ** 0.5
