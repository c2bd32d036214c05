"""Time steps: which groups of a graph are the steps of an unrolled network (an RNN's t = 1, 2, 3).

One rule for every layer that asks: the notation numbers a shared weight's shares by the step
they are taken in (∂J/∂W_hh⁽²⁾ at t = 2, as d2l's Σₜ does), the layout stands the steps side by
side in order, and a figure folds the middle ones into an ellipsis.

>>> paths = [("t = 1",), ("t = 2",), ("Shared",)]
>>> member = {"x1": ("t = 1",), "x2": ("t = 2",), "W": ("Shared",)}
>>> step_families(paths, member, own_inputs={"x1", "x2"}, forward=[])
[[('t = 1',), ('t = 2',)]]
"""

from __future__ import annotations


def step_families(paths, member, own_inputs, forward) -> list:
    """The families of group paths that are steps of a repeated structure, each in the order of
    ``paths`` (every group path, in the order the graph defines them): sibling groups, two or
    more, each holding a node of ``own_inputs`` (its xₜ); or else sibling groups that one node
    outside them feeds every one of (a shared weight) and that each feed the next (the
    recurrence), as ``from_torch`` unrolls a recurrent layer. ``member``: node -> its group path;
    ``forward``: the (src, dst) of every forward edge. A network's layers, a block or the shared
    parameters are neither."""
    stepping = {member[node] for node in own_inputs if member.get(node)}
    siblings = {}
    for path in paths:
        if path in stepping:
            siblings.setdefault(path[:-1], []).append(path)
    return [family for family in siblings.values() if len(family) >= 2] or _recurrences(paths, member, forward)


def _recurrences(paths, member, forward) -> list:
    """The families of sibling groups chained by the recurrence and all fed by one shared node."""
    found = []
    for parent in dict.fromkeys(path[:-1] for path in paths):
        family = [path for path in paths if path[:-1] == parent]
        if len(family) < 2:
            continue
        where = {node: group[:len(parent) + 1] for node, group in member.items() if len(group) > len(parent)}
        feeds, chained = {}, set()
        for src, dst in forward:
            tail, head = where.get(src), where.get(dst)
            if head in family and tail not in family:
                feeds.setdefault(src, set()).add(head)
            elif head in family and tail in family and family.index(head) == family.index(tail) + 1:
                chained.add(head)
        if chained >= set(family[1:]) and any(len(fed) == len(family) for fed in feeds.values()):
            found.append(family)
    return found


def step_of(family, group) -> int:
    """The step (1, 2, …) of ``family`` that ``group`` lies in, or 0 for none."""
    return next((k for k, path in enumerate(family, start=1) if group[:len(path)] == path), 0)
