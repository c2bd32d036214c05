"""The annotated graph renderers read: per node and per edge, symbols, LaTeX formulas and numbers.

Formulas come from the ops' templates filled with the nodes' symbols; numbers come from the
engine. Nothing here differentiates anything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from .ops import REGISTRY
from .symbols import Symbol, fill, lecture_shape, partial


@dataclass(frozen=True)
class NodeAnnotation:
    """One node: its symbol (per sample), forward formula, value and ∂J/∂node."""

    id: int
    name: str
    kind: str                 # input | param | const | op kind
    op: Optional[str]         # sigmoid, bce, … (None for leaves)
    symbol: str               # LaTeX, e.g. \vec{x}^{(i)}
    formula: Optional[str]    # LaTeX, e.g. z = \vec{x}^{T} \vec{w} + b
    value: Optional[np.ndarray]
    grad: Optional[np.ndarray]
    shape: tuple              # shape of the stored value
    sample_shape: tuple       # shape of one sample
    batch: bool
    group: tuple
    value_space: str          # the lecture's space of the value, e.g. \mathbb{R}^{3}
    is_target: bool


@dataclass(frozen=True)
class EdgeAnnotation:
    """One edge src -> dst through one argument slot, with ∂J/∂src through it."""

    src: int
    dst: int
    slot: str
    slot_index: int
    differentiable: bool
    symbol: str               # \frac{\partial J}{\partial \vec{x}}
    formula: Optional[str]    # \frac{\partial J}{\partial z} \cdot \vec{w}^{T}
    local: Optional[str]      # \frac{\partial z}{\partial \vec{x}} = \vec{w}^{T}
    value: Optional[np.ndarray]
    shape: str                # the lecture's shape of the gradient, \mathbb{R}^{1 \times 3}

    @property
    def equation(self) -> Optional[str]:
        """``symbol = formula``, the full label of a backward edge."""
        return None if self.formula is None else f"{self.symbol} = {self.formula}"


@dataclass(frozen=True)
class Annotations:
    """The annotated graph: its nodes and edges in build order."""

    name: str
    target: Optional[int]
    nodes: tuple
    edges: tuple

    def node(self, name: str) -> NodeAnnotation:
        return next(n for n in self.nodes if n.name == name)

    def edge(self, src: str, dst: str) -> EdgeAnnotation:
        ids = {n.name: n.id for n in self.nodes}
        return next(e for e in self.edges if e.src == ids[src] and e.dst == ids[dst])


class TemplateSymbols(dict):
    """The mapping an op's templates are filled with, plus facts that choose a template."""

    vector_out = vector_in = batch_in = False
    count = 1


def _symbols(graph):
    """id -> (Symbol, whether one sample is a vector, the sample index or None) for every node."""
    table = {}
    for r in graph._records:
        label = r.label
        if label is None and r.kind == "const" and r.value.ndim == 0:
            label = _number(float(r.value))
        sym = Symbol.from_name(r.name, label)
        vector = len(r.sample_shape) == 1
        table[r.id] = (sym, vector, "i" if r.batch else None)
    return table


def _render(table, node_id, vector_style, index=None):
    sym, vector, sample = table[node_id]
    return sym.latex(vector=vector, sample=sample, index=index, vector_style=vector_style)


def _template_mapping(graph, record, table, target, target_symbol, vector_style):
    op = REGISTRY[record.op]
    m = TemplateSymbols()
    for key, node_id in [("out", record.id)] + [(s.name, i) for s, i in zip(op.slots, record.inputs)]:
        m[key] = _render(table, node_id, vector_style)
        for index in "jk":  # element indices; i is the sample
            m[f"{key}_{index}"] = _render(table, node_id, vector_style, index=index)
    out_symbol = m["out"]
    m["g"] = "" if record.id == target else partial(target_symbol, out_symbol)
    if "exponent" in record.attrs:
        p = record.attrs["exponent"]
        m["p"] = _number(p)
        m["p_minus_1"] = _number(p - 1)
    first = graph._records[record.inputs[0]]
    m.vector_out = len(record.sample_shape) >= 1
    m.vector_in = len(first.sample_shape) >= 1
    m.batch_in = first.batch
    m.count = int(np.prod(first.shape, dtype=int))
    return m


def _number(x):
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def _chain(slot, m, local, diagonal=False):
    """∂J/∂src as the chain rule writes it: ∂J/∂dst · local, ∂J/∂dst ⊙ local for a diagonal
    local Jacobian, or the slot's own form."""
    if slot.chain is not None and m["g"]:
        return fill(slot.chain, m)
    if not m["g"]:
        return "1" if local == "I" else local
    if local in ("1", "I"):
        return m["g"]
    if local in ("-1", "-I"):
        return "-" + m["g"]
    if local.startswith("-"):
        local = r"\left(" + local + r"\right)"
    return m["g"] + (r" \odot " if diagonal else r" \cdot ") + local


def annotate(graph, vector_style: str = "arrow") -> Annotations:
    """Annotate every node and edge of ``graph`` (values and gradients as far as computed)."""
    table = _symbols(graph)
    target = graph._target
    target_symbol = _render(table, target, vector_style) if target is not None else "J"
    values = graph._values
    nodes, edges = [], []
    for r in graph._records:
        sample_shape = r.sample_shape
        formula = None
        if r.op is not None:
            m = _template_mapping(graph, r, table, target, target_symbol, vector_style)
            formula = fill(REGISTRY[r.op].latex, m)
            edges.extend(_edges(graph, r, m, table, target_symbol, vector_style))
        nodes.append(NodeAnnotation(
            id=r.id, name=r.name, kind=r.kind, op=r.op, symbol=_render(table, r.id, vector_style),
            formula=formula, value=None if values is None else values[r.id], grad=None if graph._grads is None else graph._grads[r.id],
            shape=r.shape, sample_shape=sample_shape, batch=r.batch, group=r.group,
            value_space=lecture_shape(sample_shape, gradient=False), is_target=r.id == target))
    return Annotations(graph.name, target, tuple(nodes), tuple(edges))


def _edges(graph, record, m, table, target_symbol, vector_style):
    op = REGISTRY[record.op]
    for k, (slot, src) in enumerate(zip(op.slots, record.inputs)):
        src_record = graph._records[src]
        src_symbol = _render(table, src, vector_style)
        sample_shape = src_record.sample_shape
        symbol = partial(target_symbol, src_symbol)
        formula = local = None
        if slot.differentiable:
            local_rhs = fill(slot.local, m)
            diagonal = op.elementwise and len(sample_shape) >= 1 and src_record.shape == record.shape
            shown = r"\mathrm{diag}(" + local_rhs + ")" if diagonal and local_rhs not in ("I", "-I") else local_rhs
            local = partial(m["out"], src_symbol) + " = " + shown
            formula = _chain(slot, m, local_rhs, diagonal)
            if record.batch and not src_record.batch:
                formula = r"\sum_{i=1}^{N} " + formula
        share = graph._edge_grads.get((src, record.id, k))
        yield EdgeAnnotation(src=src, dst=record.id, slot=slot.name, slot_index=k,
                             differentiable=slot.differentiable, symbol=symbol, formula=formula,
                             local=local, value=share, shape=lecture_shape(sample_shape))
