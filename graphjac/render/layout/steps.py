"""Repeated structure laid out as a lecture draws it: an RNN's time steps side by side, in order.

A family of *steps* is two or more sibling groups that each hold inputs of their own (``xₜ``).
Graphviz would rank step t above step t − 1 (``hₜ₋₁`` feeds step t) and order the groups as its
crossing count likes (t = 2, t = 1, t = 3), and it ignores any order asked for across clusters.
So a figure with steps is placed in two runs:

1. ``dot`` lays the figure out with the family's groups unboxed: every node gets a rank of our
   own choosing (each step from its inputs up, so the steps stand side by side on the same
   ranks; the shared parameters on a row of their own below them; the head — the output, its
   weights, the loss — over the last step; the edges from one step into the next do not rank
   it), and each rank is ordered step by step (invisible edges in a
   ``rank=same`` block, which dot keeps outside clusters).
2. The boxes go back around their nodes (``bb`` and the label's place, ``lp``, worked out from
   the first run) and ``neato -n2`` draws the positioned graph as it is. The edges from one step
   into the next are left out of the first run and drawn here (:mod:`.routes`), round the nodes
   and the other edges' labels (``dot`` would route each as a back edge looping round the steps).

:func:`.dot.figure_to_dot` marks the groups to box this way (``gj_placed``); :func:`.graphviz`
runs the two passes for any DOT text that has them, so every writer gets the same drawing.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple, Optional

from graphjac.render.layout.routes import label_spot, read_spline, route, spline, traced
from graphjac.render.model.columns import crossing_edges, levels
from graphjac.render.model.folds import step_groups

PLACED = "gj_placed"   # a cluster's graph attribute: box it after the layout (see the module's text)
ACROSS = "gj_across"   # an edge's attribute: from one step into another, routed in the second run
UNDER = "gj_under"     # … with its title under it (the shared parameters' row, below the steps)
MOST = 60              # nodes in the steps placed so, at most (more: boxed by Graphviz)
SHARED_ROW = 2         # shared parameters a row holds, per step (more wrap onto rows below)
MARGIN = 12.0          # points between a box and its nodes (the clusters' own margin)
TITLE = 20.0           # points a box's title takes when its size is not written in its label


class Placement(NamedTuple):
    groups: frozenset      # the group paths boxed after the layout
    across: frozenset      # forward (src, dst) pairs from one step into another: drawn, not ranking
    lines: tuple           # DOT lines: each rank's order, step by step
    below: frozenset = frozenset()   # the groups on the row under the steps (their titles go under them)


def placement(figure) -> Optional[Placement]:
    """How ``figure``'s steps are placed, or None (no steps; a circuit or a minibatch drawn
    sample by sample keeps Graphviz's own order)."""
    if figure.columns:
        return _in_columns(figure)
    families = step_groups(figure)
    if not families or figure.rows or figure.options.style == "circuit" \
            or any(node.sample is not None for node in figure.nodes):
        return None
    family = families[0]
    parent = family[0][:-1]
    if sum(1 for node in figure.nodes if node.group[:len(parent) + 1] in family) > MOST:
        return None    # an LSTM's gates: Graphviz boxes the steps, its router draws their many crossings
    siblings = [g.path for g in figure.groups if g.path[:-1] == parent]
    if any(g.path[:len(s)] == s and len(g.path) > len(s) for g in figure.groups for s in siblings):
        return None    # a group inside a step: Graphviz boxes it
    slot = {}
    for node in figure.nodes:
        group = node.group[:len(parent) + 1]
        if len(node.group) > len(parent) and group in siblings:
            slot[node.id] = group
    step = {path: k for k, path in enumerate(family)}
    slot.update((n, ()) for n in _feeding(figure, slot, step))   # shared weights in no group of their own
    across = frozenset((e.src, e.dst) for e in figure.edges if e.direction == "forward"
                       and slot.get(e.src) in step and slot.get(e.dst) in step and slot[e.src] != slot[e.dst])
    ranks = levels(figure, across)
    shared = [n for n, g in slot.items() if g not in step]
    if shared:   # the shared parameters: a row of their own below the steps (what makes them, below that)
        low = min(ranks[n] for n in ranks if n not in shared) - 1
        for n, down in _below_the_steps(figure, shared, SHARED_ROW * len(family)).items():
            ranks[n] = low - down
    order = {node.id: k for k, node in enumerate(figure.nodes)}
    stepped = [ranks[n] for n, g in slot.items() if g in step]
    head = _lifted_head(figure, ranks, set(slot), max(stepped) + 1)
    walls = range(min(stepped), max([ranks[n] for n in head] + stepped) + 1)
    lines = _ordered(ranks, lambda n: (len(family) if n in head else _column(slot.get(n), step), order[n]),
                     len(family), walls)   # the head in the last step's column, over it
    if shared:   # the shared row under the steps' lowest rank, not on it
        top = max(ranks[n] for n in shared)   # each row its place under the steps, a rank's room above the first
        for rank in sorted({ranks[n] for n in shared}):
            lines.append(f"  {min((n for n in shared if ranks[n] == rank), key=order.get)} -> {wall(1, 0)} "
                         f"[style=invis, minlen={2 + top - rank}];")
    lines += _walls(len(family), len(walls))
    return Placement(frozenset(siblings), across, tuple(lines), frozenset(p for p in siblings if p not in step))


def _in_columns(figure) -> Placement:
    """How a figure wrapped into columns (:mod:`.model.columns`) is placed: each column ranked
    on its own from the figure's lowest rank (the edges from one column into the next rank
    nothing), and each rank ordered column by column and, in a column, group by group (its
    nodes in no group first), with a wall between two of these lanes; each group boxed after
    the layout, round its lane (Graphviz would order a box's nodes as one block, whatever the
    order asked for across it)."""
    across = crossing_edges(figure)
    ranks = levels(figure, across)
    column = {node_id: k for k, ids in enumerate(figure.columns) for node_id in ids}
    group = {g.path: k for k, g in enumerate(figure.groups)}
    key = {node.id: (column.get(node.id, 0), group.get(node.group, -1)) for node in figure.nodes}
    lanes = sorted(set(key.values()))
    lane = {node_id: lanes.index(k) for node_id, k in key.items()}
    order = {node.id: k for k, node in enumerate(figure.nodes)}
    walls = range(min(ranks.values()), max(ranks.values()) + 1)
    count = len(lanes) - 1
    lines = _ordered(ranks, lambda n: (lane.get(n, 0) + 1, order[n]), count, walls) + _walls(count, len(walls))
    return Placement(frozenset(group), across, tuple(lines))


def _ordered(ranks, place, walls_after: int, walls: range) -> list:
    """DOT lines ordering each rank by ``place`` (node id -> (column, order)), with a wall after
    each of the first ``walls_after`` columns on each of the ``walls`` ranks."""
    rows = {}
    for node_id, rank in ranks.items():
        rows.setdefault(rank, []).append(node_id)
    lines = []
    for rank in sorted(set(rows) | set(walls)):
        ids = sorted(rows.get(rank, ()), key=place)
        if rank in walls:   # an invisible wall after each column, so that no column reaches into the next
            for k in range(walls_after, 0, -1):
                at = next((i for i, n in enumerate(ids) if WALL.fullmatch(n) or place(n)[0] > k), len(ids))
                ids.insert(at, wall(k, rank - walls.start))
        lines.append(f"  {{rank=same; {' -> '.join(ids)} [style=invis];}}" if len(ids) > 1
                     else f"  {{rank=same; {ids[0]};}}")
    return lines


def _walls(count: int, height: int) -> list:
    """The DOT lines of ``count`` walls ``height`` ranks high, each kept upright."""
    lines = []
    for k in range(1, count + 1):
        lines += [f"  {wall(k, r)} [{WALL_NODE}];" for r in range(height)]
        lines += [f"  {wall(k, r)} -> {wall(k, r + 1)} [style=invis, weight=100];" for r in range(height - 1)]
    return lines


def _below_the_steps(figure, shared, per_row) -> dict:
    """Shared node -> how many rows below the shared row it goes: those that feed a step ``per_row``
    to a row, in order; one that feeds only shared nodes one row below the lowest it feeds (a
    weight under its transpose)."""
    inside = set(shared)
    feeds = {n: [] for n in shared}
    for edge in figure.edges:
        if edge.direction == "forward" and edge.src in inside:
            feeds[edge.src].append(edge.dst)
    feeding = [n for n in shared if any(d not in inside for d in feeds[n]) or not feeds[n]]
    down = {n: k // per_row for k, n in enumerate(feeding)}   # a long row (an LSTM's gate weights) wrapped
    while len(down) < len(inside):
        more = {n: 1 + max(down[d] for d in feeds[n]) for n in inside - set(down) if all(d in down for d in feeds[n])}
        if not more:   # a cycle among them (not in a computational graph): the rest on the row
            more = {n: 0 for n in inside - set(down)}
        down.update(more)
    return down


def _lifted_head(figure, ranks, placed, above: int) -> set:
    """The head (what follows the steps: the output, its weights, the target, the loss), moved up
    in ``ranks`` to start at rank ``above``, over the last step rather than in a column of its own
    beside it (an output's weights ranked beside the last step's state would stand right of its
    box and widen the figure by a column)."""
    head = {n for n in ranks if n not in placed}
    feeds = {}
    for edge in figure.edges:
        if edge.direction == "forward":
            feeds.setdefault(edge.src, set()).add(edge.dst)
    reaching = set()   # head nodes that feed the steps (an initial state): they stay below them
    grown = True
    while grown:
        more = {n for n in head - reaching if feeds.get(n, set()) & (placed | reaching)}
        reaching |= more
        grown = bool(more)
    head -= reaching
    if head and min(ranks[n] for n in head) < above:
        lift = above - min(ranks[n] for n in head)
        ranks.update((n, ranks[n] + lift) for n in head)
    return head


def _feeding(figure, slot, step) -> list:
    """The nodes in no group that feed two steps or more (a shared weight, the sequence the steps
    slice) and those that feed only such nodes (the weight a shared transpose is made of)."""
    feeds = {}
    for edge in figure.edges:
        if edge.direction == "forward" and edge.src not in slot:
            feeds.setdefault(edge.src, set()).add(edge.dst)
    shared = {n for n, dsts in feeds.items() if len({slot.get(d) for d in dsts} & set(step)) >= 2}
    grown = True
    while grown:
        more = {n for n, dsts in feeds.items() if n not in shared and dsts <= shared}
        shared |= more
        grown = bool(more)
    return [node.id for node in figure.nodes if node.id in shared]


WALL = re.compile(r"wall[0-9]+_[0-9]+")   # the ids of the walls between steps
WALL_NODE = 'shape=point, style=invis, width=0, height=0, label=""'


def wall(k: int, row: int) -> str:
    """The id of the wall after step ``k`` on the ``row``-th rank of the steps."""
    return f"wall{k}_{row}"


def _column(group, step) -> int:
    """Where a node stands across a rank: the shared parameters first, then step by step, then
    a node outside them that feeds them (an initial state; the head over the last step is placed
    by :func:`placement` itself)."""
    if group is None:
        return len(step) + 1
    return step.get(group, -1) + 1 if group in step else 0


# ---------------------------------------------------------------------------- the two runs

_CLUSTER = re.compile(r'subgraph (cluster_\d+) \{\n\s*graph \[([^\n]*' + PLACED + r'[^\n]*)\];\n(.*?)\n\s*\}\n', re.S)
_NODE = re.compile(r'^\s*(n\w+) \[', re.M)
_ACROSS = re.compile(r'^[ \t]*n\w+ -> n\w+ \[[^\n]*\b' + ACROSS + r'=true[^\n]*\n', re.M)


def has_placed(source: str) -> bool:
    """Whether DOT ``source`` is laid out in the two runs: it has boxes or edges to draw after the layout."""
    return PLACED in source or ACROSS in source


def unboxed(source: str) -> tuple:
    """(the DOT text with each placed cluster's nodes left where they are but unboxed, and what
    :func:`boxed` needs to box them again: each cluster's graph attributes and node ids, and the
    size of each measured edge label)."""
    boxes = {}

    def unbox(match):
        name, attrs, inner = match.groups()
        boxes[name] = (attrs.replace(f", {PLACED}=true", ""), _NODE.findall(inner))
        return inner + "\n"

    text = _CLUSTER.sub(unbox, source)
    across = [line.replace(f", {ACROSS}=true", "").rstrip() for line in _ACROSS.findall(text)]
    return _ACROSS.sub("", text), {"boxes": boxes, "labels": _edge_labels(source), "across": across}


def boxed(positioned: str, layout_json: bytes, unboxed_as: dict) -> str:
    """The first run's positioned DOT (``dot -Tdot``) with each box put back around its nodes:
    its corners (``bb``) and its title's place (``lp``, centred at the top) from where the nodes
    landed, so that ``neato -n2`` draws it there, and the edges across steps drawn among them."""
    data = json.loads(layout_json)
    at, names = {}, {}
    for obj in data.get("objects", ()):
        names[obj.get("_gvid")] = obj.get("name")
        if "pos" in obj and "width" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            at[obj["name"]] = (x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
    labels, extra, sides = unboxed_as["labels"], [], []
    for name, (attrs, members) in unboxed_as["boxes"].items():
        inside = set(members)
        within = [edge for edge in data.get("edges", ())
                  if {names.get(edge.get("tail")), names.get(edge.get("head"))} <= inside]
        placed = [at[m] for m in members if m in at] + [   # and the labels and curves of the edges inside the box
            (*map(float, edge["lp"].split(",")), *labels[edge["id"]]) for edge in within
            if "lp" in edge and edge.get("id") in labels] + [(x, y, 0.0, 0.0) for edge in within
                                                              for x, y in _curve_points(edge.get("pos", ""))]
        if not any(m in at for m in members):
            continue
        title, under = _title_height(attrs), UNDER in attrs
        attrs = attrs.replace(f", {UNDER}=true", "")
        x0 = min(x - w / 2 for x, y, w, h in placed) - MARGIN
        x1 = max(x + w / 2 for x, y, w, h in placed) + MARGIN
        y0 = min(y - h / 2 for x, y, w, h in placed) - MARGIN - (title if under else 0)
        y1 = max(y + h / 2 for x, y, w, h in placed) + MARGIN + (0 if under else title)
        title_y = y0 + title / 2 + 2 if under else y1 - title / 2 - 2
        sides += _sides(x0, y0, x1, y1)
        extra.append(f'subgraph {name} {{\n  graph [{attrs}, bb="{x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}", '
                     f'lp="{(x0 + x1) / 2:.2f},{title_y:.2f}"];\n  {"; ".join(members)};\n}}')
    body = positioned.rstrip()
    if not body.endswith("}"):
        return positioned
    if unboxed_as.get("across"):
        extra += _routed(unboxed_as["across"], at, data, labels, sides)
    return _grown(body[:-1], sides) + "\n".join(extra) + "\n}\n"


_GRAPH = re.compile(r"graph \[(.*?)\];", re.S)   # the drawing's own attributes: the first in dot's output
_BB = re.compile(r'\bbb="([-0-9.e]+),([-0-9.e]+),([-0-9.e]+),([-0-9.e]+)"')
_LP = re.compile(r'\blp="([-0-9.e]+),([-0-9.e]+)"')
HEADING_GAP = 6.0   # points between the boxes' tops and the heading (title, legend) over them


def _grown(body: str, sides) -> str:
    """The positioned DOT ``body`` with the drawing's bounding box grown to hold the boxes whose
    ``sides`` are given, and its heading (the graph's label, at its top) lifted clear of them:
    a box's title over its top nodes reached into the heading laid out before the box was."""
    graph = _GRAPH.search(body)
    bb = _BB.search(graph.group(1)) if graph and sides else None
    if bb is None:
        return body
    x0, y0, x1, y1 = (float(v) for v in bb.groups())
    right = max([x1] + [x + w / 2 for x, y, w, h in sides])
    top = max(y + h / 2 for x, y, w, h in sides)
    attrs, height = graph.group(1), max(y1, top)
    heading = _LP.search(attrs)
    if heading:
        x, y = (float(v) for v in heading.groups())
        lift = top + HEADING_GAP - (2 * y - y1)   # the heading's bottom: as far under its centre as the top is over it
        if lift > 0:
            attrs, height = _LP.sub(f'lp="{x:g},{y + lift:.2f}"', attrs, count=1), y1 + lift
    attrs = _BB.sub(f'bb="{x0:g},{y0:g},{right:.2f},{height:.2f}"', attrs, count=1)
    return body[:graph.start(1)] + attrs + body[graph.end(1):]


def _curve_points(pos: str) -> list:
    """(x, y) of points along the curve of an edge's ``pos`` (Graphviz's spline) and of its arrow tips."""
    points, end, start = read_spline(pos)
    return [(x, y) for x, y, _, _ in traced(points, 12)] + [tip for tip in (end, start) if tip]


def _sides(x0, y0, x1, y1, thick=4.0) -> list:
    """The four sides of a box as thin boxes (centre x, y, width, height): where no label goes."""
    return [(x0, (y0 + y1) / 2, thick, y1 - y0), (x1, (y0 + y1) / 2, thick, y1 - y0),
            ((x0 + x1) / 2, y0, x1 - x0, thick), ((x0 + x1) / 2, y1, x1 - x0, thick)]


def _routed(lines, at, data, labels, sides=()) -> list:
    """The DOT lines of the edges across steps, each with its curve (``pos``) drawn among the
    nodes and the other edges' labels (:mod:`.routes`) and its label's place (``lp``) clear of
    them, of the boxes' ``sides`` and of the curves drawn before; a backward edge beside its
    forward edge."""
    nodes = {name: box for name, box in at.items() if not WALL.fullmatch(name)}
    placed = [(*map(float, edge["lp"].split(",")), *labels[edge["id"]]) for edge in data.get("edges", ())
              if "lp" in edge and edge.get("id") in labels]
    out, forward_lifts, curves = [], {}, []
    for line in lines:
        tail, head = _ENDS.match(line).groups()
        if tail not in nodes or head not in nodes:
            out.append(line)
            continue
        back = "dir=back" in line
        others = [box for name, box in nodes.items() if name not in (tail, head)] + placed
        lifts, points = route(nodes[tail], nodes[head], others, forward_lifts.get((tail, head)) if back else None)
        forward_lifts.setdefault((tail, head), lifts)
        attrs = f'pos="{spline(points, back)}"'
        key = re.search(r"\bid=(e\d+)", line)
        if key and key.group(1) in labels:
            x, y = label_spot(points, labels[key.group(1)], others + list(sides) + curves)
            attrs += f', lp="{x:.2f},{y:.2f}"'
            placed.append((x, y, *labels[key.group(1)]))
        curves += traced(points)
        end = line.rindex("]")
        out.append(f"{line[:end]}, {attrs}{line[end:]}")
    return out


_ENDS = re.compile(r"\s*(n\w+) -> (n\w+)")


_EDGE_LABEL = re.compile(r'\bid=(e\d+)\b[^;]*?WIDTH="(\d+(?:\.\d+)?)" HEIGHT="(\d+(?:\.\d+)?)"')


def _edge_labels(text: str) -> dict:
    """Edge id -> (width, height) of its measured label (a placeholder's size), from DOT ``text``."""
    return {key: (float(w), float(h)) for key, w, h in _EDGE_LABEL.findall(text)}


def _title_height(attrs: str) -> float:
    """The height of a box's title: its measured placeholder's, or a line of text."""
    size = re.search(r'HEIGHT="(\d+(?:\.\d+)?)"', attrs)
    return float(size.group(1)) + 6 if size else TITLE
