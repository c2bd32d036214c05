"""A circuit wrapped into rows, as a long line of text is: where each row breaks, and the route
of every wire that returns from the end of one row to the start of the next.

:func:`in_rows` records the rows on the figure (``Figure.rows``: each row's node ids), breaking
only where at most :data:`CROSSING` wires cross (more would tangle in the gap); :func:`route`
says how Graphviz draws them: invisible bends that carry each returning wire down below its
row, back along the gap and down into its gate, and where those bends go.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> g = gj.Graph("chain")
>>> h = g.exp(g.neg(g.exp(g.neg(g.input("x", 1.0)))))
>>> g.backward(h)
>>> wrapped = in_rows(figure_for(g, style="circuit", rows=1), 2)
>>> [[n for n in ids if not n.startswith("nw")] for ids in wrapped.rows]   # x, −, exp; −, exp, h
[['n0', 'n1', 'n2'], ['n3', 'n4', 'nout']]
>>> [(wrapped.edges[k].src, wrapped.edges[k].dst) for k, row, lane in returning(wrapped)]
[('nw2_3_0', 'n3')]
>>> route(wrapped).pieces[5]          # the wire's numbers, down, back along the gap, down, its gate
(('nw2_3_0', 'e5_b1'), ('e5_b1', 'e5_b2'), ('e5_b3', 'e5_b2'), ('e5_b3', 'e5_b4'), ('e5_b4', 'n3'))
"""

from __future__ import annotations

import re
from dataclasses import replace

from graphjac.core.records import record

CROSSING = 2   # the most wires a row may break across
BEND = re.compile(r"e[0-9]+_b[1-4]")   # the ids of the bends route() adds: e<edge>_b<1 to 4>


def in_rows(figure, rows: int):
    """``figure`` (a circuit) wrapped into at most ``rows`` rows of about as many gates each, each
    break put where the fewest wires cross it, and only where no more than :data:`CROSSING` do;
    wrapped, it draws no group boxes (:func:`_unboxed`)."""
    plan = _Columns(figure)
    starts = sorted({plan.column[g] for g in plan.gates})   # a row starts at a gate's column
    rows = max(1, min(rows, len(starts)))
    breaks, taken = [], 0
    for k in range(1, rows):   # each break near its share of the gates, where the fewest wires cross
        ideal, slack = k * len(starts) / rows, len(starts) / (2 * rows)
        crossing = {i: len(plan.crossing(breaks + [starts[i]])) for i in range(taken + 1, len(starts))}
        options = [i for i, n in crossing.items() if n <= CROSSING and abs(i - ideal) <= slack]
        if options:
            taken = min(options, key=lambda i: (crossing[i], abs(i - ideal)))
            breaks.append(starts[taken])
    if not breaks:
        return replace(figure, rows=())
    row = plan.rows(breaks)
    return _unboxed(replace(figure, rows=tuple(tuple(n.id for n in figure.nodes if row[n.id] == k)
                                               for k in range(len(breaks) + 1))))


def _unboxed(figure):
    """A circuit in rows without its groups' boxes. A box cannot follow a wrapped line, and
    Graphviz orders a box's nodes as one block: a group cut into one box a row put the next
    row's start above the wire returning to it. The gates and wires tell a circuit's layers
    apart; ``rows: 1`` keeps one row with the boxes."""
    if not figure.groups:
        return figure
    return replace(figure, groups=(), nodes=tuple(replace(n, group=()) if n.group else n for n in figure.nodes))


def returning(figure, column=None) -> list:
    """(edge index, its row, its lane) of every wire of a circuit in rows that feeds a gate in a
    later row. Lanes number the wires returning below one row from the one whose row ends first:
    it returns along the highest line, and comes down outermost. ``column``: the circuit's
    columns, when they are known."""
    if not figure.rows:
        return []
    row = _row_of(figure)
    column = column or _Columns(figure).column
    wires = sorted((row[e.src], column[e.src], k) for k, e in enumerate(figure.edges)
                   if e.joint == "tail" and row[e.dst] > row[e.src])
    lanes, out = {}, []
    for r, _, k in wires:
        out.append((k, r, lanes.get(r, 0)))
        lanes[r] = lanes.get(r, 0) + 1
    return sorted(out)


@record
class Route:
    """How Graphviz draws a circuit in rows. ``bends``: the invisible points added; ``pieces``:
    edge index -> the (tail, head) pairs, as Graphviz is given them, its wire is drawn as;
    ``ranks``: groups of node ids on one rank; ``invisible``: (tail, head) edges that only place
    the bends (the head a rank on; on one rank, the tail above the head)."""

    bends: tuple
    pieces: dict
    ranks: tuple
    invisible: tuple


def route(figure) -> Route:
    """The :class:`Route` of a circuit in rows: each returning wire turns down just after its
    numbers (bends 1 and 2, on one rank), runs back along the gap below its row (2 to 3), and
    comes down (3 to 4) on the rank of the circuit's first column, where the next row starts,
    then runs into its gate. Of the wires returning below one row, each earlier lane (a higher
    line, see :func:`returning`) comes down a rank further out, so that none crosses another;
    on the first rank, top to bottom: the first row's start, then each gap's line and the next
    row's start, row by row."""
    column = _Columns(figure).column
    start = next(n.id for n in figure.nodes if column[n.id] == 0)
    turns = returning(figure, column)
    last = {}
    for _, r, lane in turns:
        last[r] = max(last.get(r, 0), lane)
    lanes = {(r, lane): k for k, r, lane in turns}
    bends, pieces, ranks, invisible, inner = [], {}, [], [], []
    for k, r, lane in turns:
        edge = figure.edges[k]
        b1, b2, b3, b4 = (f"e{k}_b{j}" for j in range(1, 5))
        bends += [b1, b2, b3, b4]
        pieces[k] = ((edge.src, b1), (b1, b2), (b3, b2), (b3, b4), (b4, edge.dst))
        ranks.append((b1, b2))
        if lane < last[r]:
            ranks.append((b3, b4))
            invisible.append((b3, f"e{lanes[r, lane + 1]}_b3"))
        else:
            inner.append((r, b3, b4))
    inner.sort()
    ranks.append((start,) + tuple(b for _, b3, b4 in inner for b in (b3, b4)))
    levels = [start] + [b for _, b3, b4 in inner for b in (b3, b4)]
    invisible += [(a, b) for a, b in zip(levels, levels[1:]) if not b.endswith("_b4")]   # 3 to 4 is drawn
    return Route(tuple(bends), pieces, tuple(ranks), tuple(invisible))


def _row_of(figure):
    return {node: k for k, ids in enumerate(figure.rows) for node in ids}


class _Columns:
    """A circuit's columns, as Graphviz ranks it: a node one after its latest operand, and a
    variable (with its wire) just before the one gate it feeds ("pulled")."""

    def __init__(self, figure):
        self.figure = figure
        self.gates = {n.id for n in figure.nodes if n.role == "gate"}
        self.into, self.out = {}, {}
        for e in figure.edges:
            self.into.setdefault(e.dst, []).append(e.src)
            self.out.setdefault(e.src, []).append(e.dst)
        self.order = self._sources_first()
        self.column, self.pulled = {}, set()
        for node in self.order:
            self.column[node] = max((self.column[s] + 1 for s in self.into.get(node, ())), default=0)
            if (node not in self.gates and len(self.out.get(node, ())) == 1
                    and all(s in self.pulled for s in self.into.get(node, ()))):
                self.pulled.add(node)
        for node in reversed(self.order):
            if node in self.pulled:
                self.column[node] = min(self.column[d] for d in self.out[node]) - 1

    def _sources_first(self):
        """The node ids in an order where every edge runs forward."""
        waiting = {n.id: len(self.into.get(n.id, ())) for n in self.figure.nodes}
        ready = [n.id for n in self.figure.nodes if not waiting[n.id]]
        for node in ready:   # grows as the nodes it feeds become ready
            for dst in self.out.get(node, ()):
                waiting[dst] -= 1
                if not waiting[dst]:
                    ready.append(dst)
        return ready

    def crossing(self, breaks) -> list:
        """Every wire that feeds a gate in a later row, the rows starting at the columns ``breaks``."""
        row = self.rows(breaks)
        return [e for e in self.figure.edges if e.joint == "tail" and row[e.dst] > row[e.src]]

    def rows(self, breaks) -> dict:
        """Node id -> its row, the rows starting at the columns ``breaks``: a gate by its column, a
        wire in its source's row, a pulled variable's chain in the row of the gate it feeds."""
        row = {}
        for node in self.order:
            feeds = self.into.get(node, ())
            row[node] = (row[feeds[0]] if feeds and node not in self.gates
                         else sum(self.column[node] >= b for b in breaks))
        for node in reversed(self.order):
            if node in self.pulled:
                row[node] = row[self.out[node][0]]
        return row
