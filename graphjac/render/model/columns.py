"""A deep figure wrapped into columns, as a long column of text is: a chain too tall for its page
(a transformer layer's twelve levels, micrograd's thirteen) drawn as two or three shorter chains
side by side, each read in the figure's direction and each starting level with the first (drawn
left to right, the chains stand one under the other). ``fit`` tries it for a deep figure.

:func:`in_columns` records the columns on the figure (``Figure.columns``: each column's node ids),
breaking the levels where the fewest forward edges cross from one column into the next (at most
:data:`CROSSING`); :func:`.layout.steps.placement` places them, and those edges are drawn round the
nodes after the layout, as the edges from one time step into the next are.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> g = gj.Graph("chain")
>>> h = g.input("x", 0.5)
>>> for k in range(9):
...     h = h.tanh().named(f"h{k + 1}")
>>> g.backward(h)
>>> fig = in_columns(figure_for(g), 2)
>>> names = {node.id: node.name for node in fig.nodes}
>>> [[names[n] for n in ids] for ids in fig.columns]
[['x', 'h1', 'h2', 'h3', 'h4'], ['h5', 'h6', 'h7', 'h8', 'h9']]
"""

from __future__ import annotations

from dataclasses import replace
from graphlib import CycleError, TopologicalSorter

CROSSING = 3      # the most forward edges a break may cut (more would tangle between the columns)
DEEPEST_KEPT = 4  # a figure this many levels deep or fewer is never wrapped: it fits a page as it is
MOST = 40         # nor one of more nodes: no slide shows it legibly, wrapped or not, and each way costs a layout


def wraps(figure) -> list:
    """The ways ``fit`` tries ``figure`` in columns: two, broken where the fewest edges cross
    (nearest the middle among those) or where the columns come out most even; three, most even.
    None when :func:`in_columns` cannot wrap it."""
    found = [in_columns(figure, 2, even=False), in_columns(figure, 2), in_columns(figure, 3)]
    distinct = {shape.columns: shape for shape in found if shape.columns}
    return list(distinct.values())


def in_columns(figure, count: int, even: bool = True):
    """``figure`` wrapped into ``count`` columns of about as many levels each, each break where
    the fewest forward edges cross it (``even``: a level nearer the middle outweighs an edge
    fewer), a group that spans columns cut into a box a column (:func:`_continued`); the figure
    as it is (no ``columns``) when it has groups inside groups, samples drawn one by one, time
    steps or the circuit style, is :data:`DEEPEST_KEPT` levels deep or fewer, or has no break
    that few edges cross."""
    if any(len(group.path) > 1 for group in figure.groups) or figure.rows or figure.options.style == "circuit" \
            or len(figure.nodes) > MOST or any(node.sample is not None for node in figure.nodes):
        return figure
    level = levels(figure)
    deepest = max(level.values(), default=0)
    if deepest <= DEEPEST_KEPT or count < 2:
        return figure
    breaks = []
    for k in range(1, count):
        ideal, slack = k * (deepest + 1) / count, (deepest + 1) / (2 * count)
        crossing = {b: len(_crossing(figure, level, breaks + [b])) for b in range(max(breaks, default=0) + 2, deepest)
                    if abs(b - ideal) <= slack}
        crossing = {b: n for b, n in crossing.items() if n <= CROSSING}
        if not crossing:
            return figure
        if even:   # a level nearer the middle outweighs an edge fewer
            breaks.append(min(crossing, key=lambda b: crossing[b] + abs(b - ideal)))
        else:
            breaks.append(min(crossing, key=lambda b: (crossing[b], abs(b - ideal))))
    column_of = _columns(figure, level, breaks)
    columns = tuple(tuple(n.id for n in figure.nodes if column_of[n.id] == k) for k in range(count))
    return _continued(replace(figure, columns=columns))


CONTINUED = r"\text{ (continued)}"   # what a group's box in a later column adds to its title


def _continued(figure):
    """``figure`` (in columns) with each group that spans columns cut into a box a column, as a
    table that runs onto the next page is: the first keeps the group's title, the others read
    ``Model (continued)``."""
    column_of = {node_id: k for k, ids in enumerate(figure.columns) for node_id in ids}
    spans = {}
    for node in figure.nodes:
        if node.group:
            spans.setdefault(node.group, set()).add(column_of[node.id])
    parts, groups = {}, []
    for group in figure.groups:
        groups.append(group)
        for k in sorted(spans.get(group.path, ()))[1:]:
            parts[group.path, k] = group.path[:-1] + (f"{group.path[-1]} (continued in column {k + 1})",)
            title = (group.label[0] + CONTINUED,) + group.label[1:] if group.label else ()
            groups.append(replace(group, path=parts[group.path, k], label=title))
    if not parts:
        return figure
    nodes = tuple(replace(node, group=parts.get((node.group, column_of[node.id]), node.group)) for node in figure.nodes)
    return replace(figure, groups=tuple(groups), nodes=nodes)


def crossing_edges(figure) -> frozenset:
    """(src, dst) of the forward edges from one of ``figure``'s columns into another."""
    column_of = {node_id: k for k, ids in enumerate(figure.columns) for node_id in ids}
    return frozenset((e.src, e.dst) for e in figure.edges
                     if e.direction == "forward" and column_of.get(e.src) != column_of.get(e.dst))


def levels(figure, leaving_out=frozenset()) -> dict:
    """Node id -> its level: an operation one above the highest of its inputs, an input or
    parameter one below the lowest node it feeds (the forward edges ``(src, dst)`` in
    ``leaving_out`` rank nothing: the edges from one time step or column into the next)."""
    below = {node.id: [] for node in figure.nodes}
    for edge in figure.edges:
        if edge.direction in ("forward", "layout") and (edge.src, edge.dst) not in leaving_out \
                and edge.src in below and edge.dst in below:
            below[edge.dst].append(edge.src)
    try:
        order = list(TopologicalSorter(below).static_order())
    except CycleError:   # a computational graph has none; levels stay defined all the same
        order = list(below)
    level = {}
    for node_id in order:
        level[node_id] = max((level.get(s, 0) + 1 for s in below[node_id]), default=0)
    feeds = {}
    for dst, srcs in below.items():
        for src in srcs:
            feeds.setdefault(src, []).append(dst)
    for node_id, srcs in below.items():
        if not srcs and node_id in feeds:
            level[node_id] = min(level[d] for d in feeds[node_id]) - 1
    return level


def _columns(figure, level, breaks) -> dict:
    """Node id -> its column: an operation by its level; an input or parameter with the first
    node it feeds (beside it, not across a break from it)."""
    def by_level(value):
        return sum(1 for b in breaks if value >= b)
    feeds = {}
    for edge in figure.edges:
        if edge.direction == "forward":
            feeds.setdefault(edge.src, []).append(edge.dst)
    fed = {e.dst for e in figure.edges if e.direction == "forward"}
    column = {}
    for node in figure.nodes:
        if node.id not in fed and node.id in feeds:
            column[node.id] = by_level(min(level[d] for d in feeds[node.id]))
        else:
            column[node.id] = by_level(level[node.id])
    return column


def _crossing(figure, level, breaks) -> list:
    column = _columns(figure, level, breaks)
    return [e for e in figure.edges if e.direction == "forward" and column.get(e.src) != column.get(e.dst)]
