"""What an interactive page shows when a node or an edge is hovered or focused: every number in
full (values, ∂T/∂·, an edge's share and its local Jacobian), the formula and the symbols in
Unicode, and for a parameter the descent step p ← p − η ∂T/∂p tried at each rate η.

It is computed from the graph before anything is written (:func:`graphjac.render.figure_for`
with ``details=True`` puts it into the figure model), so the page's writer reads only the figure.
"""

from __future__ import annotations

import numpy as np

from graphjac.core.training import descent_previews
from graphjac.notation.mathtext import to_unicode
from graphjac.notation.symbols import partial

RATES = (0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0)   # the learning rates η a page offers
JACOBIAN_LIMIT = 4096   # entries of a local Jacobian a page holds (a 784 × 512 W's would be 2·10¹¹)


def details(graph, nodes, edges) -> dict:
    """Figure id -> what hovering it shows. ``nodes``: ``(id, name, sample)`` of the figure's
    nodes; ``edges``: ``(id, op, operand, sample)`` of its backward edges; a sample is numbered
    from 1 (None: the whole node)."""
    annotations = graph.annotate()
    notes = {note.name: note for note in annotations.nodes}
    edge_notes = {(note.src, note.dst): note for note in annotations.edges}
    shown = [(key, name, sample) for key, name, sample in nodes if name is not None and name in graph]
    descents = descent_previews(graph, [name for _, name, _ in shown if _descends(graph, name)], RATES)
    out = {key: _node(graph, annotations, notes.get(name), name, sample, descents.get(name))
           for key, name, sample in shown}
    for key, op, operand, sample in edges:
        if op is not None and operand is not None:
            note = edge_notes.get((graph.node(operand).id, graph.node(op).id))
            out[key] = _edge(graph, note, op, operand, sample)
            out[key]["upstream"] = to_unicode(annotations.grad_symbol(graph.node(op).id))
    return out


def _descends(graph, name) -> bool:
    """Whether a page offers a descent step on ``name``: a parameter with a gradient, towards a target."""
    return graph.record(name).kind == "param" and graph.target is not None and graph.grad(name) is not None


def _node(graph, annotations, note, name, sample, descent) -> dict:
    value, grad = graph.value(name), graph.grad(name)
    if sample is not None and graph.record(name).batch:
        value = value[sample - 1]
        grad = None if grad is None else grad[sample - 1]
    entry = {"kind": "node", "name": name, "formula": to_unicode(note.formula or note.symbol) if note else name,
             "value": _numbers(value), "grad": _numbers(grad), "sample": sample,
             "grad_of": to_unicode(annotations.grad_symbol(note.id)) if note else "gradient"}
    if descent is not None:
        entry["descent"] = descent
        symbol = to_unicode(note.symbol) if note else name
        entry["descent_step"] = f"{symbol} ← {symbol} − η {entry['grad_of']}"
        entry["target"] = to_unicode(annotations.notation.target_symbol())
    return entry


def _edge(graph, note, op, operand, sample) -> dict:
    index = 0 if sample is None else sample - 1
    share = graph.edge_grad(operand, op)
    if share is not None and sample is not None and graph.record(operand).batch:
        share = share[index]
    size = jacobian_size(graph, op, operand)
    jacobian = None
    if size <= JACOBIAN_LIMIT:   # else its VJP's numbers alone
        jacobian = graph.jacobian(op, operand, sample=index) if graph.record(op).batch else graph.jacobian(op, operand)
    symbol = to_unicode(note.symbol if note else partial("J", operand))
    formula = f"{symbol} = {to_unicode(note.formula)}" if note and note.formula else f"{operand} → {op}"
    local = to_unicode(note.local if note and note.local else partial(op, operand))
    return {"kind": "edge", "name": f"{symbol} through the edge {operand} → {op}", "formula": formula,
            "grad": _numbers(share), "jacobian": _numbers(jacobian), "jacobian_size": size, "local": local}


def jacobian_size(graph, dst, src) -> int:
    """Entries of the per-sample local Jacobian ∂dst/∂src."""
    return int(np.prod(graph.record(dst).sample_shape, dtype=np.int64)) * \
        int(np.prod(graph.record(src).sample_shape, dtype=np.int64))


def _numbers(array):
    """An array as nested lists of floats (None for no array), every digit kept."""
    return None if array is None else np.asarray(array, dtype=float).tolist()
