r"""Submodules drawn as one node each: the figure of a model with every submodule deeper than
``depth`` collapsed, as torchview's ``depth`` draws it, which ``fit`` chooses when nothing
else makes a model's text legible on its page.

The operations a submodule computes (:meth:`graphjac.Graph.scope`, which ``from_torch`` records
for every module call) make way for one node titled with the submodule's name and kind
(``rnn (LSTM)``), with the constants only it uses, that shows what its output shows: its symbol, value and ∂J/∂· (a submodule
computing one operation is one node already, and keeps its formula). Leaves are
never collapsed: the submodule's inputs and parameters stay, each with one edge into the node
and one back. An edge out of the node keeps the left side of its label (∂J/∂W: the right side
names what the node now hides); edges that become one are labelled with that left side when
they all name the same thing, and are unlabelled otherwise; a node whose uses became one edge
no longer states its ∂J/∂· as the sum of their shares. Groups left empty go.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> g = gj.Graph("block")
>>> x = g.input("x", [1.0, 2.0])
>>> with g.scope("fc", "Linear"):
...     h = g.add(g.mul(x, g.param("w", [0.5, -1.0])), g.param("b", [0.1, 0.2]), name="h")
>>> g.target = g.sum(h.relu(), name="J")
>>> g.backward()
>>> fig = collapsed(figure_for(g), 0)
>>> [n.label[:2] for n in fig.nodes if n.scope]
[('\\text{fc (Linear)}', '\\vec{h} = (0.6, -1.8)')]
>>> sorted(e.label for e in fig.edges if e.dst in ("n0", "n1"))
[('\\frac{\\partial J}{\\partial \\vec{w}}',), ('\\frac{\\partial J}{\\partial \\vec{x}}',)]
"""

from __future__ import annotations

import re
from dataclasses import replace

from graphjac.notation.symbols import escape_text

OPERATIONS = ("op", "loss")   # what a collapse merges: never a leaf, the target or a sample of a minibatch


def deepest(figure) -> int:
    """How many submodules deep ``figure``'s operations are computed (0: none is in one that
    computes more than one of them)."""
    count = {}
    for node in figure.nodes:
        if _merged(node):
            for depth in range(1, len(node.scope) + 1):
                count[node.scope[:depth]] = count.get(node.scope[:depth], 0) + 1
    return max((len(scope) for scope, n in count.items() if n > 1), default=0)


def collapsed(figure, depth: int):
    """``figure`` with each submodule deeper than ``depth`` drawn as one node (``depth=0``: every
    submodule of the model is one node)."""
    members = {}
    for node in figure.nodes:
        if _merged(node) and len(node.scope) > depth:
            members.setdefault(node.scope[:depth + 1], []).append(node)
    sampled = {node.scope[:depth + 1] for node in figure.nodes if node.sample is not None and len(node.scope) > depth}
    members = {scope: inside for scope, inside in members.items()
               if len(inside) > 1 and scope not in sampled}   # one is one already; a drawn sample stays drawn
    if not members:
        return figure
    _add_constants(figure, members)
    into, boxes = {}, {}
    for scope, inside in members.items():
        box = _box(scope, inside, figure.edges)
        boxes[inside[0].id] = box
        into.update((node.id, box.id) for node in inside)
    edges = _edges(figure.edges, into)
    merged = _fewer_uses(figure.edges, edges)
    nodes = tuple(_without_shares(boxes.get(node.id, node)) if node.id in merged else boxes.get(node.id, node)
                  for node in figure.nodes if node.id not in into or node.id in boxes)
    kept = {node.group for node in nodes}
    groups = tuple(g for g in figure.groups if any(path[:len(g.path)] == g.path for path in kept))
    return replace(figure, nodes=nodes, edges=edges, groups=groups)


def _add_constants(figure, members) -> None:
    """Put each constant that only a collapsed submodule uses (attention's √d) into it."""
    owner = {node.id: scope for scope, inside in members.items() for node in inside}
    uses = {}
    for edge in figure.edges:
        if edge.direction == "forward":
            uses.setdefault(edge.src, set()).add(owner.get(edge.dst))
    for node in figure.nodes:
        found = uses.get(node.id, {None})
        if node.role == "const" and len(found) == 1 and None not in found:
            members[found.pop()].append(node)


def _merged(node) -> bool:
    """Whether a collapse may merge ``node``: an operation in a submodule, not one sample of many."""
    return bool(node.scope) and node.role in OPERATIONS and node.sample is None


def _box(scope, inside, edges):
    """The node that stands for the operations ``inside`` a submodule: its title, then its
    output's symbol with the rest of what the output shows (one output), or the title alone."""
    ids = {node.id for node in inside}
    leaving = {e.src for e in edges if e.direction == "forward" and e.src in ids and e.dst not in ids}
    operations = [node for node in inside if node.role in OPERATIONS]   # not the constants put in
    outputs = [node for node in operations if node.id in leaving] or operations[-1:]
    name, kind = scope[-1]
    if len(scope) > 1 and name.startswith(scope[-2][0] + "."):
        name = name[len(scope[-2][0]) + 1:]
    title = r"\text{" + escape_text(kind if name == kind else f"{name} ({kind})") + "}"
    common = min((node.group for node in inside), key=len)
    group = next(common[:k] for k in range(len(common), -1, -1)
                 if all(node.group[:k] == common[:k] for node in inside))
    if len(outputs) > 1:
        return replace(operations[-1], label=(title,), tables=(), phases=(), group=group, scope=scope)
    output = outputs[0]
    lines, phases = output.label, output.phases or ("",) * len(output.label)
    first, first_phase, rest = lines[0].split(" = ", 1)[0] if lines else "", "", 1
    if lines[1:2] and lines[1].startswith("="):   # its value on a line of its own: "= 0.42"
        first, first_phase, rest = first + " " + lines[1], phases[1], 2
    return replace(output, label=(title, first) + lines[rest:], phases=("", first_phase) + phases[rest:],
                   group=group, scope=scope)


def _uses(edges) -> dict:
    """node id -> how many forward edges leave it."""
    count = {}
    for edge in edges:
        if edge.direction == "forward":
            count[edge.src] = count.get(edge.src, 0) + 1
    return count


def _fewer_uses(before, after) -> set:
    """The nodes used by fewer nodes than before: some of their uses became one edge."""
    now = _uses(after)
    return {node for node, n in _uses(before).items() if now.get(node, 0) < n}


def _without_shares(node):
    """``node`` without its ∂J/∂· as the sum of shares some of which are now one edge's."""
    if not node.phases:
        return node
    lines = len(node.label)
    keep = [k for k in range(lines) if node.phases[k] != "backward"]
    return replace(node, label=tuple(node.label[k] for k in keep),
                   phases=tuple(node.phases[k] for k in keep) + node.phases[lines:])


def _edges(edges, into) -> tuple:
    """Every edge with its ends moved to the nodes standing for them (dropped inside one node);
    an edge out of a collapsed node keeps its label's left side; edges that become one keep
    it when they agree, are labelled ∂J/∂x when they are every share of ∂J/∂x, and are
    unlabelled otherwise."""
    kept, labels = {}, {}
    for edge in edges:
        src, dst = into.get(edge.src, edge.src), into.get(edge.dst, edge.dst)
        if src == dst:
            continue
        label = tuple(line.split(" = ", 1)[0] for line in edge.label[:1]) if src != edge.src else edge.label
        key = (src, dst, edge.direction)
        labels.setdefault(key, set()).add(label)
        kept.setdefault(key, replace(edge, src=src, dst=dst, label=label))
    uses = _uses(kept.values())
    out = []
    for (src, dst, direction), edge in kept.items():
        found = labels[(src, dst, direction)]
        if len(found) > 1:
            whole = {tuple(_SHARE.sub("", line) for line in label) for label in found}
            only_use = direction == "backward" and uses.get(dst) == 1   # every share of ∂J/∂dst is in this edge
            edge = replace(edge, label=whole.pop() if len(whole) == 1 and only_use else ())
        out.append(edge)
    return tuple(out)


_SHARE = re.compile(r"\\Big\|_\{\d+\}$|\^\{\(\d+\)\}(?=\}$)")   # ∂J/∂X|₂, ∂J/∂b⁽²⁾: one use's share
