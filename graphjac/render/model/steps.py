"""The order in which step-by-step frames reveal a figure: what is given first, then the forward
pass node by node (in the circuit style, the values on a gate's output wires), then the backward
pass (each backward edge with the ∂J/∂· lines it completes, or each wire's gradient).

Items are ``e<k>`` (backward edge ``k`` with its label) and ``<label key>.<line>`` (a line of a
label, numbered as :func:`.layout.texts` gives them). Every writer of frames (SVG, PNG and PDF
files, Beamer overlays, the animated SVG) reveals the same items in the same order.

>>> import graphjac as gj
>>> g = gj.Graph("xy")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(g.square(z, name="J"))
>>> from graphjac.render import figure_for
>>> reveal_steps(figure_for(g))     # z's value, J's, then the edges (with the lines they complete)
(('n2.1',), ('n3.1',), ('e5',), ('e3',), ('e4',))
"""

from __future__ import annotations

from dataclasses import replace

from graphjac.render.layout.geometry import text_phases
from graphjac.render.model.figure import backward_steps

PASSES = ("forward", "backward")


def reveal_steps(figure, passes=PASSES) -> tuple:
    """What each frame after the first adds, as tuples of items: ``e<k>`` (backward edge ``k``
    with its label) and ``<label key>.<line>`` (a line of a label, numbered as
    :func:`.layout.texts` gives them). ``passes`` are the ones stepped through; a pass left
    out is shown whole (forward) or not at all (backward)."""
    steps = []
    if "forward" in passes:
        steps += _forward_steps(figure)
    if "backward" in passes:
        steps += backward_items(figure)
    return tuple(steps)


def _items(figure, phase):
    """node id -> its label lines that ``phase`` computes."""
    out = {}
    for node in figure.nodes:
        lines = [f"{node.id}.{k}" for k, p in enumerate(text_phases(node)) if p == phase]
        if lines:
            out[node.id] = lines
    return out


def _order(figure):
    """graph node name -> where it first appears among the figure's nodes (build order: topological)."""
    first = {}
    for k, node in enumerate(figure.nodes):
        first.setdefault(node.name, k)
    return first


def _forward_steps(figure):
    """One step per graph node: its values (every sample's, or every wire leaving its gate)."""
    lines, names = _items(figure, "forward"), {node.id: node.name for node in figure.nodes}
    by_name = {}
    for node_id, items in lines.items():
        by_name.setdefault(names[node_id], []).extend(items)
    first = _order(figure)
    return [tuple(by_name[name]) for name in sorted(by_name, key=first.get)]


def backward_items(figure) -> list:
    """Backward edges in the order backprop computes them, each with the ∂J/∂· lines of the node
    it completes; or, in the circuit style, each wire's gradient (the output's first, then the
    wires into each gate from the last gate back)."""
    lines = _items(figure, "backward")
    edges = backward_steps(figure)
    if not edges:
        position = {node.id: k for k, node in enumerate(figure.nodes)}
        into = {e.src: e.dst for e in figure.edges if e.joint == "tail"}   # wire -> the gate it feeds
        wires = sorted(lines, key=lambda w: (-position.get(into.get(w), -1), position[w]))
        return [tuple(lines[w]) for w in wires]
    last = {}
    for k in edges:                                 # ∂J/∂node is whole after its last share arrives
        last[figure.edges[k].dst] = k
    steps = {k: [f"e{k}"] for k in edges}
    for node_id, items in lines.items():
        steps[last.get(node_id, edges[0])] += items    # the target's own (∂J/∂J = 1) comes first
    return [tuple(steps[k]) for k in edges]


def never_shown(figure, passes=PASSES) -> set:
    """The items no frame shows: the backward pass's, when it is left out of ``passes``."""
    return set() if "backward" in passes else {item for step in backward_items(figure) for item in step}


def frames_of(figure, passes=PASSES) -> list:
    """The figure of every frame: ``figure`` with the items not reached yet ``hidden`` and the
    step just taken ``current``."""
    steps = reveal_steps(figure, passes)
    never = never_shown(figure, passes)
    out = []
    for shown in range(len(steps) + 1):
        hidden = never.union(*steps[shown:])
        out.append(replace(figure, hidden=frozenset(hidden), current=frozenset(steps[shown - 1] if shown else ())))
    return out
