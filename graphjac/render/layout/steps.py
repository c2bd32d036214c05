"""Repeated structure laid out as a lecture draws it: an RNN's time steps side by side, in order.

A family of *steps* is two or more sibling groups that each hold inputs of their own (``xₜ``).
Graphviz would rank step t above step t − 1 (``hₜ₋₁`` feeds step t) and order the groups as its
crossing count likes (t = 2, t = 1, t = 3), and it ignores any order asked for across clusters.
So a figure with steps is placed in two runs:

1. ``dot`` lays the figure out with the family's groups unboxed: every node gets a rank of our
   own choosing (each step from its inputs up, so the steps stand side by side on the same
   ranks; the shared parameters on a row of their own below them; the edges from one step into
   the next do not rank it), and each rank is ordered step by step (invisible edges in a
   ``rank=same`` block, which dot keeps outside clusters).
2. The boxes go back around their nodes (``bb`` and the label's place, ``lp``, worked out from
   the first run) and ``neato -n2`` draws the positioned graph as it is. The edges from one step
   into the next are left out of the first run and routed here, around the nodes and the other
   edges' labels (``dot`` would route each as a back edge looping round the steps).

:func:`.dot.figure_to_dot` marks the groups to box this way (``gj_placed``); :func:`.graphviz`
runs the two passes for any DOT text that has them, so every writer gets the same drawing.
"""

from __future__ import annotations

import json
import re
from graphlib import CycleError, TopologicalSorter
from typing import NamedTuple, Optional

PLACED = "gj_placed"   # a cluster's graph attribute: box it after the layout (see the module's text)
ACROSS = "gj_across"   # an edge's attribute: from one step into another, routed in the second run
UNDER = "gj_under"     # … with its title under it (the shared parameters' row, below the steps)
MARGIN = 12.0          # points between a box and its nodes (the clusters' own margin)
TITLE = 20.0           # points a box's title takes when its size is not written in its label


class Placement(NamedTuple):
    groups: frozenset      # the group paths boxed after the layout
    across: frozenset      # forward (src, dst) pairs from one step into another: drawn, not ranking
    lines: tuple           # DOT lines: each rank's order, step by step
    below: frozenset = frozenset()   # the groups on the row under the steps (their titles go under them)


def step_groups(figure) -> list:
    """The families of groups that are steps of a repeated structure (an RNN's time steps):
    sibling groups, two or more, each holding inputs of its own (``xₜ``), in the order the graph
    defines them (a layer, a block or the shared parameters hold none)."""
    with_inputs = {node.group for node in figure.nodes if node.role == "input" and node.group and node.sample is None}
    siblings = {}
    for group in figure.groups:
        if group.path in with_inputs:
            siblings.setdefault(group.path[:-1], []).append(group.path)
    return [family for family in siblings.values() if len(family) >= 2]


def placement(figure) -> Optional[Placement]:
    """How ``figure``'s steps are placed, or None (no steps; a circuit or a minibatch drawn
    sample by sample keeps Graphviz's own order)."""
    families = step_groups(figure)
    if not families or figure.rows or figure.options.style == "circuit" \
            or any(node.sample is not None for node in figure.nodes):
        return None
    family = families[0]
    parent = family[0][:-1]
    siblings = [g.path for g in figure.groups if g.path[:-1] == parent]
    if any(g.path[:len(s)] == s and len(g.path) > len(s) for g in figure.groups for s in siblings):
        return None    # a group inside a step: Graphviz boxes it
    slot = {}
    for node in figure.nodes:
        group = node.group[:len(parent) + 1]
        if len(node.group) > len(parent) and group in siblings:
            slot[node.id] = group
    step = {path: k for k, path in enumerate(family)}
    across = frozenset((e.src, e.dst) for e in figure.edges if e.direction == "forward"
                       and slot.get(e.src) in step and slot.get(e.dst) in step and slot[e.src] != slot[e.dst])
    ranks = _ranks(figure, across)
    shared = [n for n, g in slot.items() if g not in step]
    if shared:   # the shared parameters: a row of their own below the steps
        low = min(ranks[n] for n in ranks if n not in shared) - 1
        for n in shared:
            ranks[n] = low
    order = {node.id: k for k, node in enumerate(figure.nodes)}
    rows = {}
    for node_id, rank in ranks.items():
        rows.setdefault(rank, []).append(node_id)
    stepped = [ranks[n] for n, g in slot.items() if g in step]
    walls = range(min(stepped), max(stepped) + 1)
    lines = []
    for rank in sorted(set(rows) | set(walls)):
        ids = sorted(rows.get(rank, ()), key=lambda n: (_column(slot.get(n), step), order[n]))
        if rank in walls:   # an invisible wall after each step, so that no step reaches into the next (or the head)
            for k in range(len(family), 0, -1):
                at = next((i for i, n in enumerate(ids) if _column(slot.get(n), step) > k), len(ids))
                ids.insert(at, wall(k, rank - walls.start))
        lines.append(f"  {{rank=same; {' -> '.join(ids)} [style=invis];}}" if len(ids) > 1
                     else f"  {{rank=same; {ids[0]};}}")
    if shared:   # the shared row under the steps' lowest rank, not on it
        lines.append(f"  {sorted(shared, key=order.get)[0]} -> {wall(1, 0)} [style=invis, minlen=2];")
    for k in range(1, len(family) + 1):
        lines += [f"  {wall(k, r)} [{WALL_NODE}];" for r in range(len(walls))]
        lines += [f"  {wall(k, r)} -> {wall(k, r + 1)} [style=invis, weight=100];" for r in range(len(walls) - 1)]
    return Placement(frozenset(siblings), across, tuple(lines), frozenset(p for p in siblings if p not in step))


WALL = re.compile(r"wall[0-9]+_[0-9]+|room_e[0-9]+")   # the walls between steps, the rooms of labels
WALL_NODE = 'shape=point, style=invis, width=0, height=0, label=""'


def wall(k: int, row: int) -> str:
    """The id of the wall after step ``k`` on the ``row``-th rank of the steps."""
    return f"wall{k}_{row}"


def _column(group, step) -> int:
    """Where a node stands across a rank: the shared parameters first, then step by step, then
    what follows the steps (the head: the output and the loss)."""
    if group is None:
        return len(step) + 1
    return step.get(group, -1) + 1 if group in step else 0


def _ranks(figure, across) -> dict:
    """A rank for every node: each op one above the highest of its inputs (the edges from one
    step into the next left out), and each source just below the lowest node it feeds."""
    below = {node.id: [] for node in figure.nodes}
    for edge in figure.edges:
        if edge.direction in ("forward", "layout") and (edge.src, edge.dst) not in across \
                and edge.src in below and edge.dst in below:
            below[edge.dst].append(edge.src)
    rank = {}
    try:
        order = list(TopologicalSorter(below).static_order())
    except CycleError:   # a computational graph has none; ranks stay defined all the same
        order = list(below)
    for node_id in order:
        rank[node_id] = max((rank.get(s, 0) + 1 for s in below[node_id]), default=0)
    feeds = {}
    for dst, srcs in below.items():
        for src in srcs:
            feeds.setdefault(src, []).append(dst)
    for node_id, srcs in below.items():
        if not srcs and node_id in feeds:
            rank[node_id] = min(rank[d] for d in feeds[node_id]) - 1
    return rank


# ---------------------------------------------------------------------------- the two runs

_CLUSTER = re.compile(r'subgraph (cluster_\d+) \{\n\s*graph \[([^\n]*' + PLACED + r'[^\n]*)\];\n(.*?)\n\s*\}\n', re.S)
_NODE = re.compile(r'^\s*(n\d+) \[', re.M)
_ACROSS = re.compile(r'^[ \t]*n\d+ -> n\d+ \[[^\n]*\b' + ACROSS + r'=true[^\n]*\n', re.M)


def has_placed(source: str) -> bool:
    return PLACED in source


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
    landed, so that ``neato -n2`` draws it there, and the edges across steps added unrouted (it
    routes them, with Graphviz's splines unless the figure asks for others)."""
    data = json.loads(layout_json)
    at, names = {}, {}
    for obj in data.get("objects", ()):
        names[obj.get("_gvid")] = obj.get("name")
        if "pos" in obj and "width" in obj:
            x, y = (float(v) for v in obj["pos"].split(","))
            at[obj["name"]] = (x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
    labels, extra = unboxed_as["labels"], []
    for name, (attrs, members) in unboxed_as["boxes"].items():
        inside = set(members)
        placed = [at[m] for m in members if m in at] + [   # and the labels of the edges inside the box
            (*map(float, edge["lp"].split(",")), *labels[edge["id"]]) for edge in data.get("edges", ())
            if "lp" in edge and edge.get("id") in labels
            and {names.get(edge.get("tail")), names.get(edge.get("head"))} <= inside]
        if not placed:
            continue
        title, under = _title_height(attrs), UNDER in attrs
        attrs = attrs.replace(f", {UNDER}=true", "")
        x0 = min(x - w / 2 for x, y, w, h in placed) - MARGIN
        x1 = max(x + w / 2 for x, y, w, h in placed) + MARGIN
        y0 = min(y - h / 2 for x, y, w, h in placed) - MARGIN - (title if under else 0)
        y1 = max(y + h / 2 for x, y, w, h in placed) + MARGIN + (0 if under else title)
        title_y = y0 + title / 2 + 2 if under else y1 - title / 2 - 2
        extra.append(f'subgraph {name} {{\n  graph [{attrs}, bb="{x0:.2f},{y0:.2f},{x1:.2f},{y1:.2f}", '
                     f'lp="{(x0 + x1) / 2:.2f},{title_y:.2f}"];\n  {"; ".join(members)};\n}}')
    body = positioned.rstrip()
    if not body.endswith("}"):
        return positioned
    if unboxed_as.get("across"):   # routed among the nodes and labels, the walls gone (they slow it tenfold)
        body = _WALL_STATEMENT.sub("", body)
        ends = [at[n] for line in unboxed_as["across"] for n in _ENDS.match(line).groups() if n in at]
        extra += _rooms(data, labels, ends) + list(unboxed_as["across"])
        if not re.search(r"\bsplines=", positioned):
            extra.append("graph [splines=true];")
    return body[:-1] + "\n".join(extra) + "\n}\n"


_WALL_STATEMENT = re.compile(r"\n[ \t]*(?:\w+[ \t]*->[ \t]*)?wall\d+_\d+(?:[ \t]*->[ \t]*\w+)?[ \t]*\[.*?\];", re.S)
_ENDS = re.compile(r"\s*(n\d+) -> (n\d+)")


def _rooms(data, labels, ends) -> list:
    """An invisible node where each measured edge label landed, its size, among the ``ends``
    (x, y, w, h) of the edges routed in the second run: they go round the labels too."""
    rooms = []
    x0, x1 = min(x - w for x, y, w, h in ends), max(x + w for x, y, w, h in ends)
    y0, y1 = min(y - h for x, y, w, h in ends), max(y + h for x, y, w, h in ends)
    for edge in data.get("edges", ()):
        if "lp" in edge and edge.get("id") in labels:
            (x, y), (w, h) = map(float, edge["lp"].split(",")), labels[edge["id"]]
            if not (x0 < x < x1 and y0 < y < y1):
                continue
            rooms.append(f'room_{edge["id"]} [shape=box, style=invis, label="", fixedsize=true, '
                         f'width={w / 72:.3f}, height={h / 72:.3f}, pos="{x:.2f},{y:.2f}"];')
    return rooms


_EDGE_LABEL = re.compile(r'\bid=(e\d+)\b[^;]*?WIDTH="(\d+(?:\.\d+)?)" HEIGHT="(\d+(?:\.\d+)?)"')


def _edge_labels(text: str) -> dict:
    """Edge id -> (width, height) of its measured label (a placeholder's size), from DOT ``text``."""
    return {key: (float(w), float(h)) for key, w, h in _EDGE_LABEL.findall(text)}


def _title_height(attrs: str) -> float:
    """The height of a box's title: its measured placeholder's, or a line of text."""
    size = re.search(r'HEIGHT="(\d+(?:\.\d+)?)"', attrs)
    return float(size.group(1)) + 6 if size else TITLE
