r"""Graphviz's layout read back: node boxes, edge splines, label positions and cluster boxes.

Writers that draw the figure themselves (TikZ, typeset math) let ``dot`` place everything,
with every label replaced by an empty box of the label's measured size
(:func:`.dot.placeholder`), then read the positions from ``dot -Tjson0``. Coordinates are
Graphviz points (1/72 inch) with y pointing up, as ``dot`` reports them.

>>> layout = parse_json('''{"bb": "0,0,100,50", "objects": [
...   {"_gvid": 0, "name": "n0", "id": "n0", "pos": "30,25", "width": "0.5", "height": "0.25"}],
...   "edges": []}''')
>>> layout.nodes["n0"]
NodeBox(id='n0', x=30.0, y=25.0, width=36.0, height=18.0)
"""

from __future__ import annotations

import json
from typing import Optional

from graphjac.core.records import record
from graphjac.errors import RenderError
from graphjac.render.layout.routes import read_spline
from graphjac.render.model.rows import BEND
from graphjac.render.layout.steps import WALL

POINTS_PER_INCH = 72.0


LEGEND_LINE, LEGEND_GAP, LEGEND_SPACE = 34.0, 6.0, 18.0   # legend: line sample, gap, between entries
HEADING_GAP = 4.0


def texts(figure) -> dict:
    """What every label says, as ``(latex, role)`` lines; roles (node, value, edge, group,
    ellipsis) pick the font size. Keys as in :func:`.dot.figure_to_dot`'s ``boxes``."""
    out = {}
    for node in figure.nodes:
        if node.role == "ellipsis":
            out[node.id] = tuple((line, "ellipsis" if k == 0 else "group") for k, line in enumerate(node.label))
        elif node.role == "wire":   # the wire runs through the gap between value and gradient
            out[node.id] = ((node.label[0], "wire_value"), (r"\;", "wire_gap"), (node.label[1], "wire_grad"))
        elif node.role == "gate":
            out[node.id] = tuple((line, "gate") for line in node.label)
        else:
            lines = node.label + tuple(t.latex() for t in node.tables)
            out[node.id] = tuple((line, "node" if k == 0 else "value") for k, line in enumerate(lines))
    for k, edge in enumerate(figure.edges):
        if edge.direction == "backward" and edge.label:
            out[f"e{k}"] = tuple((line, "edge") for line in edge.label)
    for k, group in enumerate(figure.groups):
        if group.label:   # an untitled box (folded steps': their ellipsis says which) has no label to measure
            out[f"cluster_{k}"] = tuple((line, "group") for line in group.label)
    return out


def side_by_side(figure) -> set:
    """The keys of the labels whose lines a compact figure sets side by side: its boxed nodes'."""
    if not figure.compact:
        return set()
    return {node.id for node in figure.nodes if node.role not in ("ellipsis", "wire", "gate")}


def text_phases(node) -> tuple:
    """The pass that computes each line of ``node``'s text (as :func:`texts` gives the lines):
    ``forward``, ``backward`` or ``""`` (given)."""
    if node.role == "wire":
        return (node.phases or ("", ""))[:1] + ("",) + (node.phases or ("", ""))[1:]
    return node.phases or ("",) * (len(node.label) + len(node.tables))


@record
class Heading:
    """The graph's label above the drawing: title, legend entries, badge, stacked and centred
    (``across``: side by side on one line, for a compact figure).

    ``parts`` are ``(kind, index, x, y, width, height)`` with (x, y) the centre of the part
    relative to the heading's centre, y up; kinds are title, legend (a line sample, then
    ``legend-label``) and badge.
    """

    width: float
    height: float
    parts: tuple

    @classmethod
    def of(cls, title, legend, badge, across=False) -> "Heading":
        """From measured ``(width, height)`` of the title (or None), each legend label, the badge."""
        rows = []
        if title:
            rows.append([("title", 0, *title)])
        if legend:
            row = []
            for k, size in enumerate(legend):
                row += [("legend", k, LEGEND_LINE, size[1]), ("gap", k, LEGEND_GAP, 0.0),
                        ("legend-label", k, *size), ("gap", k, LEGEND_SPACE if k < len(legend) - 1 else 0, 0.0)]
            rows.append(row)
        if badge:
            rows.append([("badge", 0, *badge)])
        if across and rows:   # one row: the parts apart by a legend entry's space
            gap = [("gap", 0, LEGEND_SPACE, 0.0)]
            rows = [rows[0] + [part for row in rows[1:] for part in gap + row]]
        widths = [sum(p[2] for p in row) for row in rows]
        heights = [max(p[3] for p in row) for row in rows]
        width = max(widths, default=0.0)
        height = sum(heights) + HEADING_GAP * max(len(rows) - 1, 0)
        parts, top = [], height / 2
        for row, w, h in zip(rows, widths, heights):
            x = -w / 2
            for kind, k, pw, ph in row:
                if kind != "gap":
                    parts.append((kind, k, round(x + pw / 2, 3), round(top - h / 2, 3), pw, ph))
                x += pw
            top -= h + HEADING_GAP
        return cls(round(width, 3), round(height, 3), tuple(parts))


@record
class NodeBox:
    """A node's centre and size."""

    id: str
    x: float
    y: float
    width: float
    height: float


@record
class EdgePath:
    """An edge as ``dot`` routed it: a cubic B-spline given as Bézier control points
    ``p0 c1 c2 p1 c1 c2 p2 …``; ``end``/``start`` are arrow tips when the edge has arrowheads there."""

    id: str
    tail: str
    head: str
    points: tuple
    end: Optional[tuple] = None
    start: Optional[tuple] = None
    label: Optional[tuple] = None      # centre of the edge label


@record
class ClusterBox:
    """A cluster's box (lower-left, upper-right corners) and the centre of its label."""

    id: str
    x0: float
    y0: float
    x1: float
    y1: float
    label: Optional[tuple] = None


@record
class Layout:
    """The whole drawing: its bounding box and every placed object, keyed by DOT ``id``."""

    width: float
    height: float
    nodes: dict
    edges: tuple
    clusters: dict
    label: Optional[tuple] = None      # centre of the graph's own label (the title)


def edge_ends(layout) -> dict:
    """node id -> where its incoming edge ends (``"in"``) and its outgoing edge starts (``"out"``):
    a circuit wire's rule joins them (Graphviz stops an edge a little short of a node's side)."""
    ends = {}
    for path in layout.edges:
        ends.setdefault(path.head, {})["in"] = path.points[-1]
        ends.setdefault(path.tail, {})["out"] = path.points[0]
    return ends


def lay_out(dot_text: str, timeout: float = 60.0) -> Layout:
    """Lay ``dot_text`` out with Graphviz and read the result back."""
    from graphjac.render.layout.graphviz import LAYOUT, run_dot
    return parse_json(run_dot(dot_text, LAYOUT, timeout=timeout))


def lay_out_and_draw(dot_text: str, timeout: float = 60.0) -> tuple:
    """(:class:`Layout`, Graphviz's SVG bytes) of one run of dot."""
    from graphjac.render.layout.graphviz import LAYOUT, run_dot_all
    outputs = run_dot_all(dot_text, (LAYOUT, "svg"), timeout=timeout)
    return parse_json(outputs[LAYOUT]), outputs["svg"]


def parse_json(text) -> Layout:
    """A :class:`Layout` from ``dot -Tjson0`` output (objects without an ``id`` use their name)."""
    try:
        data = json.loads(text)
        x0, y0, x1, y1 = _numbers(data["bb"])
        names, nodes, clusters = {}, {}, {}
        for obj in data.get("objects", ()):
            key = obj.get("id") or obj["name"]
            names[obj["_gvid"]] = key
            if "bb" in obj and obj["name"].startswith("cluster"):   # neato -n2 boxes rank=same blocks too
                clusters[key] = ClusterBox(key, *_numbers(obj["bb"]), label=_point(obj.get("lp")))
            elif "pos" in obj:
                nodes[key] = NodeBox(key, *_point(obj["pos"]), _inches(obj["width"]), _inches(obj["height"]))
        edges = _joined(tuple(_edge(e, names, k) for k, e in enumerate(data.get("edges", ()))
                              if "pos" in e and not _helper(e)))
        nodes = {key: node for key, node in nodes.items()       # a circuit's bends, the walls between steps
                 if not BEND.fullmatch(key) and not WALL.fullmatch(key)}
    except (ValueError, KeyError, TypeError) as err:
        raise RenderError(f"cannot read Graphviz's layout: {type(err).__name__}: {err}") from None
    return Layout(x1 - x0, y1 - y0, nodes, edges, clusters, _point(data.get("lp")))


def _helper(obj) -> bool:
    """Whether an edge of dot's JSON only helps the layout (a wall, a rank's order, a wire's
    bend): invisible and without an id of graphjac's; no one sees it, so nothing runs into it."""
    return obj.get("style") == "invis" and not obj.get("id")


def _edge(obj, names, index):
    points, end, start = read_spline(obj["pos"])
    if len(points) < 4 or (len(points) - 1) % 3:
        raise ValueError(f"edge {obj.get('id', index)}: {len(points)} spline points is not 3k+1")
    return EdgePath(obj.get("id") or f"edge {index}", names[obj["tail"]], names[obj["head"]], tuple(points),
                    end, start, _point(obj.get("lp")))


def _joined(edges) -> tuple:
    """The edges with every returning wire's pieces (``e7~0``, ``e7~1``, …, see
    :func:`.dot._returning`) joined, end to end, into the one edge ``e7``."""
    pieces, out = {}, []
    for edge in edges:
        key, sep, _ = edge.id.partition("~")
        if sep:
            if key not in pieces:
                out.append(key)
            pieces.setdefault(key, []).append(edge)
        else:
            out.append(edge)
    return tuple(_chain(item, sorted(pieces[item], key=lambda e: int(e.id.partition("~")[2])))
                 if isinstance(item, str) else item for item in out)


def _chain(key, pieces):
    """One path through ``pieces`` in order, each turned to start where the last one ended."""
    points = list(pieces[0].points)
    for piece in pieces[1:]:
        ahead = list(piece.points)
        if _distance(ahead[-1], points[-1]) < _distance(ahead[0], points[-1]):
            ahead.reverse()
        if ahead[0] != points[-1]:   # a straight step across the bend
            points += [points[-1], ahead[0], ahead[0]]
        points += ahead[1:]
    return EdgePath(key, pieces[0].tail, pieces[-1].head, tuple(points), pieces[-1].end)


def _distance(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def _numbers(text):
    return tuple(float(v) for v in text.split(","))


def _inches(text):
    return round(float(text) * POINTS_PER_INCH, 2)


def _point(text):
    """An ``x,y`` of Graphviz's as two numbers (a layout holds hundreds of thousands: no generator)."""
    if text is None:
        return None
    x, y = text.split(",")
    return float(x), float(y)
