"""Repeated time steps: which groups are the steps of an unrolled network, and the figure with
the middle ones folded into an ellipsis (``steps=k``: steps 1…k, ``⋯``, step T), as a lecture
draws x₁, x₂, …, x_T and as ``samples=k`` folds a minibatch.

The folded steps' nodes make way for one ellipsis node, in the first one's box, with the steps
it stands for under the dots (``t = 2``, or ``t = 2 … t = 4``). Every edge between a folded step
and the rest of the figure ends at the ellipsis instead: the recurrence from the last step shown
into it and out of it into the next, and each shared parameter's share (its label kept when it
stands for one step's share, left off when it stands for several). The shared parameters' totals still name
every step's share.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> rnn = gj.load("lecture:rnn_bptt")
>>> [g.path[-1] for g in step_groups_of(figure_for(rnn))]
['t = 1', 't = 2', 't = 3']
>>> fig = figure_for(rnn, steps=1)
>>> [g.label for g in fig.groups if g.path[-1].startswith("t =")]
[('\\\\text{t = 1}',), (), ('\\\\text{t = 3}',)]
>>> [n.label for n in fig.nodes if n.role == "ellipsis"]
[('\\\\cdots', '\\\\text{t = 2}')]
"""

from __future__ import annotations

from dataclasses import replace

from graphjac.core.steps import step_families
from graphjac.errors import GraphjacError

ELLIPSIS_ID = "nsteps"   # the id of the node that stands for the folded steps


def step_groups(figure) -> list:
    """The families of ``figure``'s groups that are steps of a repeated structure (an RNN's time
    steps), in the order the graph defines them, as :func:`.core.steps.step_families` finds
    them: the folded steps' ellipsis counts as a step's own input."""
    own = {node.id for node in figure.nodes
           if node.group and (node.role == "input" and node.sample is None or node.id == ELLIPSIS_ID)}
    return step_families([group.path for group in figure.groups], {node.id: node.group for node in figure.nodes},
                         own, [(e.src, e.dst) for e in figure.edges if e.direction == "forward"])


def step_groups_of(figure) -> list:
    """The groups (:class:`.figure.FigureGroup`) of ``figure``'s first family of steps, in order."""
    families = step_groups(figure)
    by_path = {group.path: group for group in figure.groups}
    return [by_path[path] for path in families[0]] if families else []


def foldable(figure, keep: int) -> bool:
    """Whether ``steps=keep`` would fold anything: ``figure`` has more than ``keep`` + 1 steps,
    none of them folded already."""
    if keep <= 0 or any(node.id == ELLIPSIS_ID for node in figure.nodes):
        return False
    families = step_groups(figure)
    return bool(families) and len(families[0]) > keep + 1


def folded(figure, keep: int):
    """``figure`` with its steps after the first ``keep`` and before the last folded into one
    ellipsis (the figure itself when there are at most ``keep`` + 1 steps); an error when
    ``keep`` asks to fold a figure without steps."""
    if keep <= 0:
        return figure
    families = step_groups(figure)
    if not families:
        raise GraphjacError(f"render option steps: {figure.name or 'this graph'!r} has no time steps to fold "
                            f"(groups side by side such as 't = 1', 't = 2', each with inputs of its own or "
                            f"fed by the one before); leave steps out")
    if not foldable(figure, keep):
        return figure
    gone = families[0][keep:-1]
    hidden = {node.id for node in figure.nodes if any(node.group[:len(p)] == p for p in gone)}
    groups, title = _groups(figure.groups, gone)
    nodes = []
    for node in figure.nodes:
        if node.id in hidden and not any(n.id == ELLIPSIS_ID for n in nodes):
            nodes.append(_ellipsis(node, gone[0], figure.direction, title))
        if node.id not in hidden:
            nodes.append(node)
    return replace(figure, nodes=tuple(nodes), edges=_edges(figure.edges, hidden), groups=groups)


def ellipsis_for(direction: str) -> str:
    """The ellipsis of repeats (steps, samples) that stand across the ranks: ⋯ side by side in
    a figure drawn up or down (BT, TB), ⋮ one above the other in one drawn across (LR, RL)."""
    return r"\vdots" if direction in ("LR", "RL") else r"\cdots"


def turned(figure, direction: str):
    """``figure`` drawn in ``direction``, its ellipses turned with it (as ``fit`` tries the other
    orientation)."""
    if direction == figure.direction:
        return figure
    nodes = tuple(replace(node, label=(ellipsis_for(direction),) + node.label[1:])   # the steps it stands for kept
                  if node.role == "ellipsis" else node for node in figure.nodes)
    return replace(figure, direction=direction, nodes=nodes)


def _ellipsis(node, first, direction, title):
    """The node that stands for the folded steps (made from one of them), in the first one's box,
    the steps it stands for under it (``title``: in the node, where edges go round it, rather
    than atop a box that narrow, where the edges passing it would cross it)."""
    return replace(node, id=ELLIPSIS_ID, role="ellipsis", label=(ellipsis_for(direction), title), group=first,
                   tables=(), name=None, sample=None, phases=())


def _edges(edges, hidden) -> tuple:
    """Every edge with its ends among ``hidden`` moved to the ellipsis (dropped when both are
    hidden); edges that then join the same two nodes the same way are one, unlabelled."""
    kept, count = {}, {}
    for edge in edges:
        src = ELLIPSIS_ID if edge.src in hidden else edge.src
        dst = ELLIPSIS_ID if edge.dst in hidden else edge.dst
        if src == dst:
            continue
        key = (src, dst, edge.direction)
        count[key] = count.get(key, 0) + 1
        kept.setdefault(key, replace(edge, src=src, dst=dst))
    return tuple(replace(edge, label=()) if count[key] > 1 else edge for key, edge in kept.items())


def _groups(groups, gone) -> tuple:
    """(the groups without the folded steps' but the first, untitled; the title of every step it
    stands for: ``t = 2``, ``t = 2 … t = 4``)."""
    first, last = {g.path: g for g in groups}[gone[0]], {g.path: g for g in groups}[gone[-1]]
    title = first.label[0] if first is last else first.label[0] + r"\;\ldots\;" + last.label[0]
    out = []
    for group in groups:
        if group.path == first.path:
            out.append(replace(group, label=()))
        elif not any(group.path[:len(p)] == p for p in gone):
            out.append(group)
    return tuple(out), title
