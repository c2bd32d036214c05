r"""The notation layer: every formula a figure or the terminal shows, made in one place.

Node formulas, ∂T/∂· for the graph's actual target T, chain rules (with ⊙ and diag(·) for
elementwise ops, Σᵢ for a shared operand of a minibatch), per-sample forms (x⁽ⁱ⁾, x⁽¹⁾ … x⁽ᴺ⁾)
and Jacobian captions are all filled from the ops' LaTeX templates with the nodes' symbols
(:mod:`graphjac.notation.symbols`). A per-sample form is made by filling the template again with the
sample's symbols, never by rewriting a string. Numbers come from the engine; nothing here
differentiates anything.

>>> import graphjac as gj
>>> g = gj.Graph("neuron")
>>> z = g.neuron(g.input("x", [1.0, 2.0]), g.param("w", [0.5, -1.0]), g.param("b", 0.0), name="z")
>>> g.backward(z)
>>> notes = annotate(g)
>>> notes.edge("x", "z").equation
'\\frac{\\partial z}{\\partial \\vec{x}} = \\vec{w}^{T}'
>>> notes.grad_symbol(notes.node("w").id)
'\\frac{\\partial z}{\\partial \\vec{w}}'
"""

from __future__ import annotations

import itertools
import math

from typing import Optional

import numpy as np

from graphjac.core.ops import REGISTRY
from graphjac.core.ops.base import number_latex
from graphjac.core.records import field, record
from graphjac.core.steps import step_families, step_of
from graphjac.errors import GraphjacError
from graphjac.notation.mathtext import to_unicode
from graphjac.notation.symbols import Symbol, fill, lecture_shape, partial

GENERIC = "i"   # the sample superscript of the generic form x⁽ⁱ⁾


@record
class NodeAnnotation:
    """One node: its symbol (per sample), forward formula, value and ∂T/∂node."""

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
    inputs: tuple = ()
    auto_named: bool = False  # named by graphjac (a number in an expression, an unnamed op)
    scope: tuple = ()         # the submodules computing it, outermost first: ((name, kind), …)


@record
class EdgeAnnotation:
    """One edge src -> dst through one argument slot, with ∂T/∂src through it."""

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
    chained: bool = False     # the formula names ∂T/∂dst (false on the target's own edges)
    constant: bool = False    # from a constant: no gradient, no backward edge
    local_value: Optional[float] = None   # ∂dst/∂src where it is one number (scalars, not minibatches)

    @property
    def equation(self) -> Optional[str]:
        """``symbol = formula``, the full label of a backward edge."""
        return None if self.formula is None else f"{self.symbol} = {self.formula}"


@record
class Jacobian:
    """A local Jacobian asked for by a figure: its caption (LaTeX) and its matrix."""

    dst: int
    src: int
    caption: str
    matrix: np.ndarray


@record
class Annotations:
    """The annotated graph: its nodes and edges in build order, and the notation that writes
    them for one sample."""

    name: str
    target: Optional[int]
    nodes: tuple
    edges: tuple
    notation: "Notation" = field(repr=False, compare=False)
    jacobians: tuple = ()
    check: object = None      # the gradient check's result, when a figure asked for it

    def node(self, name: str) -> NodeAnnotation:
        return next(n for n in self.nodes if n.name == name)

    def edge(self, src: str, dst: str) -> EdgeAnnotation:
        ids = {n.name: n.id for n in self.nodes}
        return next(e for e in self.edges if e.src == ids[src] and e.dst == ids[dst])

    # per-sample forms (``sample`` is the superscript's content: "1", "2", "N"; None for "i")

    def symbol(self, node_id, sample=None) -> str:
        return self.notation.symbol(node_id, sample)

    def formula(self, node_id, sample=None) -> Optional[str]:
        return self.notation.formula(node_id, sample)

    def edge_symbol(self, edge, sample=None) -> str:
        return self.notation.share_symbol(edge.src, edge.dst, edge.slot_index, sample)

    def total(self, node_id, sample=None) -> Optional[str]:
        """∂T/∂node as the sum of its uses' shares, for a node used more than once (else None)."""
        return self.notation.total(node_id, sample)

    def share_count(self, node_id) -> int:
        """How many uses a gradient flows back to the node through."""
        return len(self.notation.uses.get(node_id, ()))

    def edge_formula(self, edge, sample=None) -> Optional[str]:
        return self.notation.chain(edge.dst, edge.slot_index, sample)

    def whole_symbol(self, node_id) -> str:
        """The symbol of a node's whole value: a minibatch as the matrix of its samples (X, not x⃗⁽ⁱ⁾)."""
        record = self.notation.records[node_id]
        if not record.batch:
            return self.notation.symbol(node_id)
        symbol = self.notation.symbols[node_id]
        if len(symbol.core) == 1 and symbol.core.islower():   # the samples x⃗⁽ⁱ⁾ stacked are the matrix X
            symbol = Symbol(symbol.core.upper(), symbol.sub, symbol.upright)
        return symbol.latex(vector=False)

    def edge_local(self, edge, sample=None) -> Optional[str]:
        """∂dst/∂src = the local derivative, as Colah's figures label an edge."""
        return self.notation.local(edge.dst, edge.slot_index, sample)

    def grad_symbol(self, node_id, sample=None) -> str:
        """∂T/∂node, with the graph's actual target T."""
        return self.notation.gradient_symbol(node_id, sample)

    def legend_symbol(self) -> str:
        """∂T/∂·"""
        return partial(self.notation.target_symbol(), r"\cdot")


class TemplateSymbols(dict):
    """The mapping an op's templates are filled with, plus facts that choose a template:
    ``constant`` holds the slots whose operand is a constant (its symbol is then its value or
    its name: 0.5, λ), so that a template can write −2s, u + 1 or 1/x as a lecturer does."""

    vector_out = vector_in = batch_in = False
    count = 1
    axis = axis_count = None
    constant = frozenset()
    sample_shapes = {}     # slot name -> the shape of one sample of its operand
    attrs_of = {}          # the op's attribute values (an axis, a key)
    element = None         # (key, j or k) -> the symbol of that element of the key's operand: $x_j, $out_k

    def __missing__(self, key):
        name, _, index = key.rpartition("_")
        if index in ("j", "k") and name in self and self.element is not None:   # i is the sample
            return self.element(name, index)
        raise KeyError(key)


def _reads_as(one: str, other: str) -> bool:
    """Whether two pieces of LaTeX read the same on the page (``K^{T}`` and ``{K}^{T}``)."""
    return "".join(to_unicode(one).split()) == "".join(to_unicode(other).split())


class Notation:
    """Writes the symbols and formulas of one graph, for the generic sample (i) or one sample."""

    def __init__(self, graph, vector_style="arrow"):
        self.records = graph.records()
        self.target = None if graph.target is None else graph.target.id
        self.vector_style = vector_style
        self.symbols = self._symbols()
        self._symbol_cache, self._mapping_cache, self._formula_cache = {}, {}, {}
        self.uses = self._differentiable_uses()
        self.marks, self.stepped = self._share_marks()

    def _symbols(self) -> list:
        """Each node's symbol: its label, its name as math, or for a result graphjac named (add13,
        exp1) a short symbol u numbered in the order the results are computed (u₁, u₂, …), never
        the op's name, skipping any number whose symbol a node of the graph already reads as
        (a node named u1)."""
        unnamed = [r.auto_named and r.op is not None and r.label is None for r in self.records]
        named = [None if u else Symbol.from_name(r.name, self._label(r)) for r, u in zip(self.records, unnamed)]
        taken = {symbol.latex() for symbol in named if symbol is not None}
        free = (Symbol("u", str(k)) for k in itertools.count(1) if f"u_{{{k}}}" not in taken)
        return [next(free) if symbol is None else symbol for symbol in named]

    def _differentiable_uses(self):
        """node id -> the (dst, slot) uses a gradient flows back through, in build order."""
        uses = {}
        for r in self.records:
            if r.op is None:
                continue
            for k, src in enumerate(r.inputs):
                if REGISTRY[r.op].slots[k].differentiable and self.records[src].kind != "const":
                    uses.setdefault(src, []).append((r.id, k))
        return uses

    def _share_marks(self):
        """(node id -> the mark of each of its uses' shares, in :attr:`uses`' order; the nodes
        marked by step): the step a use is taken in, when every use lies in a step of its own
        (W_hh at t = 2 and t = 3: ∂J/∂W_hh⁽²⁾, ∂J/∂W_hh⁽³⁾, as d2l sums over t), else 1, 2, … in
        build order."""
        marks = {src: [str(k) for k in range(1, len(uses) + 1)] for src, uses in self.uses.items()}
        shared = {src: uses for src, uses in self.uses.items() if len(uses) > 1}
        records = self.records
        paths = dict.fromkeys(r.group[:k] for r in records for k in range(1, len(r.group) + 1))
        if not shared or not paths:
            return marks, set()
        families = step_families(list(paths), {r.id: r.group for r in records if r.group},
                                 {r.id for r in records if r.kind == "input"},
                                 [(src, r.id) for r in records for src in r.inputs])
        stepped = set()
        for src, uses in shared.items():
            for family in families:
                steps = [step_of(family, records[dst].group) for dst, _ in uses]
                if all(steps) and len(set(steps)) == len(steps):
                    marks[src] = [str(step) for step in steps]
                    stepped.add(src)
                    break
        return marks, stepped

    @staticmethod
    def _label(record):
        if record.label is None and record.kind == "const" and record.auto_named and record.value.ndim == 0:
            return number_latex(record.value)
        return record.label

    def inlined(self, node_id) -> bool:
        """An unnamed −u or uᵀ of a named u is written so wherever it appears (e^{−x}, Q Kᵀ), not
        as a symbol of its own."""
        r = self.records[node_id]
        return r.auto_named and r.label is None and r.op in ("neg", "transpose") \
            and not self.records[r.inputs[0]].auto_named

    def symbol(self, node_id, sample=None, index=None) -> str:
        """The node's symbol: x⃗⁽ⁱ⁾, or x⃗⁽²⁾ for sample "2"; its element ``index`` (x_k)."""
        key = (node_id, sample, index)
        if key not in self._symbol_cache:
            r = self.records[node_id]
            if self.inlined(node_id) and r.op == "neg":
                self._symbol_cache[key] = "-" + self.symbol(r.inputs[0], sample, index)
            elif self.inlined(node_id):
                inner = self.symbol(r.inputs[0], sample)
                self._symbol_cache[key] = inner[:-4] if inner.endswith("^{T}") else "{" + inner + "}^{T}"
            else:
                superscript = (sample or GENERIC) if r.batch else None
                self._symbol_cache[key] = self.symbols[node_id].latex(
                    vector=len(r.sample_shape) == 1, sample=superscript, index=index, vector_style=self.vector_style)
        return self._symbol_cache[key]

    def target_symbol(self, sample=None) -> str:
        return "J" if self.target is None else self.symbol(self.target, sample)

    def gradient_symbol(self, node_id, sample=None) -> str:
        """∂T/∂node (∂T/∂(−x) for an inlined −x)."""
        return partial(self.target_symbol(), self._operand(node_id, sample))

    def _operand(self, node_id, sample=None) -> str:
        """The symbol as the variable of a derivative: an inlined −x in parentheses."""
        symbol = self.symbol(node_id, sample)
        return "(" + symbol + ")" if self.inlined(node_id) and self.records[node_id].op == "neg" else symbol

    def shared(self, node_id) -> bool:
        """Whether a gradient flows back to the node through more than one use (an RNN's W at
        every step, Colah's b): each use's share is then a term of its own."""
        return len(self.uses.get(node_id, ())) > 1

    def share_symbol(self, src, dst, slot, sample=None) -> str:
        """∂T/∂src through one use: ∂T/∂W⁽ᵏ⁾ for the k-th use of a shared node (∂T/∂x⁽ⁱ⁾|ₖ for a
        minibatch's), plain ∂T/∂src otherwise."""
        if not self.shared(src):
            return self.gradient_symbol(src, sample)
        return self._share(src, self.marks[src][self.uses[src].index((dst, slot))], sample)

    def _share(self, src, k, sample=None):
        if self.records[src].batch:
            return self.gradient_symbol(src, sample) + r"\Big|_{" + k + "}"
        operand = self._operand(src, sample)
        operand = ("{" + operand + "}" if "^" in operand else operand) + "^{(" + k + ")}"
        return partial(self.target_symbol(sample), operand)

    def total(self, src, sample=None) -> Optional[str]:
        """∂T/∂src as the sum of its uses' shares (None for a node used once): ∂T/∂W = ∂T/∂W⁽¹⁾ +
        ∂T/∂W⁽²⁾, or Σₖ₌₁ⁿ ∂T/∂W⁽ᵏ⁾ past three; by step for a weight the steps share (∂T/∂W⁽²⁾ +
        ∂T/∂W⁽³⁾, Σₜ₌₂⁵ ∂T/∂W⁽ᵗ⁾)."""
        marks = self.marks.get(src, ())
        if len(marks) < 2:
            return None
        if src not in self.stepped:
            terms = (" + ".join(self._share(src, mark, sample) for mark in marks) if len(marks) <= 3
                     else r"\sum_{k=1}^{" + str(len(marks)) + "} " + self._share(src, "k", sample))
        else:
            steps = sorted(int(mark) for mark in marks)
            following = steps == list(range(steps[0], steps[0] + len(steps)))
            terms = (rf"\sum_{{t={steps[0]}}}^{{{steps[-1]}}} " + self._share(src, "t", sample)
                     if following and len(steps) > 3 else " + ".join(self._share(src, str(t), sample) for t in steps))
        return self.gradient_symbol(src, sample) + " = " + terms

    def mapping(self, record, sample=None) -> TemplateSymbols:
        """What the op's templates read: $out, the slots' symbols (and their elements $x_j, $x_k),
        $g = ∂T/∂out, the attributes' placeholders and the facts that pick a template (made once
        per node and sample; read, never changed)."""
        key = (record.id, sample)
        if key not in self._mapping_cache:
            self._mapping_cache[key] = self._new_mapping(record, sample)
        return self._mapping_cache[key]

    def _new_mapping(self, record, sample):
        op = REGISTRY[record.op]
        m = TemplateSymbols()
        operands = {"out": record.id, **{s.name: i for s, i in zip(op.slots, record.inputs)}}
        for key, node_id in operands.items():
            m[key] = self.symbol(node_id, sample)
        m.element = lambda key, index: self.symbol(operands[key], sample, index=index)
        if "y" in m:   # a loss's prediction at the label's class: ŷ_y
            for key, node_id in [(s.name, i) for s, i in zip(op.slots, record.inputs) if s.name != "y"]:
                m[f"{key}_at_y"] = self.symbol(node_id, sample, index=m["y"])
        m["g"] = "" if record.id == self.target else self.gradient_symbol(record.id, sample)
        m.update(op.placeholders(record.attrs))
        first = self.records[record.inputs[0]]
        m.vector_out = len(record.sample_shape) >= 1
        m.vector_in = len(first.sample_shape) >= 1
        m.batch_in = first.batch
        m.count = math.prod(first.shape)
        m.axis = record.attrs.get("axis")
        if m.axis is not None:
            m.axis_count = first.sample_shape[m.axis]
        m.constant = frozenset(s.name for s, i in zip(op.slots, record.inputs) if self.records[i].kind == "const")
        m.sample_shapes = {s.name: self.records[i].sample_shape for s, i in zip(op.slots, record.inputs)}
        m.attrs_of = dict(record.attrs)
        return m

    def formula(self, node_id, sample=None) -> Optional[str]:
        """The op's forward formula (None for a leaf); written once per node and sample."""
        key = (node_id, sample)
        if key not in self._formula_cache:
            self._formula_cache[key] = self._new_formula(node_id, sample)
        return self._formula_cache[key]

    def _new_formula(self, node_id, sample):
        record = self.records[node_id]
        if record.op is None:
            return None
        if self.inlined(node_id):   # "−x", not "−x = −x"
            return self.symbol(node_id, sample)
        text = fill(REGISTRY[record.op].latex, self.mapping(record, sample))
        symbol, _, result = text.partition(" = ")
        return symbol if result and _reads_as(symbol, result) else text   # "Kᵀ", not "Kᵀ = Kᵀ"

    def _slot(self, dst, slot_index):
        record = self.records[dst]
        op = REGISTRY[record.op]
        return record, op, op.slots[slot_index], self.records[record.inputs[slot_index]]

    def _diagonal(self, op, record, src):
        return op.elementwise and len(src.sample_shape) >= 1 and src.shape == record.shape

    def carries_gradient(self, dst, slot_index) -> bool:
        """Whether a gradient can flow back through the slot: a differentiable slot whose
        operand is not a constant."""
        record, op, slot, src = self._slot(dst, slot_index)
        return slot.differentiable and src.kind != "const"

    def local(self, dst, slot_index, sample=None) -> Optional[str]:
        """∂dst/∂src = the slot's local derivative (diag(·) for an elementwise op on vectors)."""
        record, op, slot, src = self._slot(dst, slot_index)
        if not self.carries_gradient(dst, slot_index) or slot.local is None:
            return None
        m = self.mapping(record, sample)
        rhs = fill(slot.local, m)
        if self._diagonal(op, record, src) and rhs not in ("I", "-I"):
            rhs = r"\mathrm{diag}(" + rhs + ")"
        return partial(self._operand(record.id, sample), self._operand(src.id, sample)) + " = " + rhs

    def chain(self, dst, slot_index, sample=None) -> Optional[str]:
        """∂T/∂src through the slot, as the chain rule writes it (Σᵢ for a shared operand of a
        minibatch node)."""
        record, op, slot, src = self._slot(dst, slot_index)
        if not self.carries_gradient(dst, slot_index) or slot.local is None and slot.chain is None:
            return None     # an op of one's own without derivative_latex: ∂T/∂src and its value alone
        m = self.mapping(record, sample)
        formula = _chain(slot, m, fill(slot.local, m), self._diagonal(op, record, src))
        spread = _broadcast_axes(op, src.sample_shape, record.sample_shape)
        if spread:       # the operand was repeated over these axes: its gradient sums over them
            formula = _summed(spread, formula)
        if record.batch and not src.batch and sample is None:
            formula = r"\sum_{i=1}^{N} " + formula
        return formula

    def jacobian_caption(self, dst, src, sample=None) -> str:
        """∂dst/∂src (for one sample of a minibatch node)."""
        return partial(self.symbol(dst, sample), self.symbol(src, sample))


INDEX_LETTERS = ("c", "j", "k")   # an element's index by axis, counted from the last axis (k)


def _broadcast_axes(op, src_shape, out_shape) -> tuple:
    """The index letters of the result's axes an operand of ``src_shape`` was broadcast over, in
    a broadcasting op (u + b, u − μ, γ ⊙ x̂); none where the shapes agree.

    >>> _broadcast_axes(REGISTRY["sub"], (), (3,)), _broadcast_axes(REGISTRY["add"], (3,), (2, 3))
    (('k',), ('j',))
    """
    if not op.broadcasts or tuple(src_shape) == tuple(out_shape):
        return ()
    letters = INDEX_LETTERS[-len(out_shape):] if len(out_shape) <= len(INDEX_LETTERS) else \
        tuple(f"a_{{{n}}}" for n in range(len(out_shape)))
    padded = (1,) * (len(out_shape) - len(src_shape)) + tuple(src_shape)
    return tuple(letter for letter, n, m in zip(letters, padded, out_shape) if n == 1 and m != 1)


def _summed(letters, formula) -> str:
    """Σ over the broadcast axes of a chain-rule formula, its sign in front: −Σₖ ∂J/∂d⃗."""
    sign, term = ("-", formula[1:]) if formula.startswith("-") else ("", formula)
    return sign + r"\sum_{" + ", ".join(letters) + "} " + term


def _chain(slot, m, local, diagonal=False):
    """∂T/∂src as the chain rule writes it: ∂T/∂dst · local, ∂T/∂dst ⊙ local for a diagonal
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


def annotate(graph, vector_style: str = "arrow", jacobians=(), check=None, local: bool = True) -> Annotations:
    """Annotate every node and edge of ``graph`` (values and gradients as far as computed).

    ``jacobians`` lists (dst, src) name pairs whose local Jacobian a figure draws; ``check``
    is a gradient check's result to show; ``local=False`` leaves out each edge's local
    derivative, its formula and (for a scalar edge) its number: a figure that does not show
    them need not write them.
    """
    notation = Notation(graph, vector_style)
    values = graph.has_values
    nodes, edges = [], []
    for r in notation.records:
        nodes.append(NodeAnnotation(
            id=r.id, name=r.name, kind=r.kind, op=r.op, symbol=notation.symbol(r.id),
            formula=notation.formula(r.id), value=graph.value(r.name) if values else None,
            grad=graph.grad(r.name), shape=r.shape, sample_shape=r.sample_shape, batch=r.batch, group=r.group,
            value_space=lecture_shape(r.sample_shape, gradient=False), is_target=r.id == notation.target,
            inputs=r.inputs, auto_named=r.auto_named, scope=r.scope))
        if r.op is not None:
            edges.extend(_edges(graph, notation, r, local))
    return Annotations(graph.name, notation.target, tuple(nodes), tuple(edges), notation,
                       tuple(_jacobian(graph, notation, dst, src) for dst, src in jacobians), check)


def _edges(graph, notation, record, local):
    op = REGISTRY[record.op]
    for k, (slot, src) in enumerate(zip(op.slots, record.inputs)):
        carries = notation.carries_gradient(record.id, k)
        yield EdgeAnnotation(
            src=src, dst=record.id, slot=slot.name, slot_index=k, differentiable=carries,
            symbol=notation.share_symbol(src, record.id, k), formula=notation.chain(record.id, k),
            local=notation.local(record.id, k) if local else None, value=graph.slot_grad(record.name, k),
            shape=lecture_shape(notation.records[src].sample_shape),
            chained=carries and record.id != notation.target,
            constant=notation.records[src].kind == "const",
            local_value=_local_value(graph, notation, record, src, carries) if local else None)


def _local_value(graph, notation, record, src, carries):
    """∂dst/∂src as one number, where it is one (a scalar op on scalars, outside a minibatch)."""
    source = notation.records[src]
    if not carries or record.batch or source.batch or record.shape != () or source.shape != () \
            or not graph.has_values:
        return None
    return float(graph.jacobian(record.name, source.name)[0, 0])


def _jacobian(graph, notation, dst, src):
    d, s = graph.record(dst), graph.record(src)
    if s.id not in d.inputs:
        raise GraphjacError(f"render option jacobians: {src!r} is not an operand of {dst!r}")
    sample = "1" if d.batch else None
    return Jacobian(d.id, s.id, notation.jacobian_caption(d.id, s.id, sample), graph.jacobian(dst, src))


def for_figure(graph, options) -> Annotations:
    """The annotated graph a figure with ``options`` draws: the passes it needs run
    (:meth:`Graph.prepare`), the Jacobians it tables computed, the gradient check run if asked."""
    graph.prepare()
    _check_names(graph, options)
    check = None
    if options.gradcheck:
        if graph.target is None:
            raise GraphjacError("render option gradcheck: the graph has no loss J to check; "
                                "call g.backward(J) first or name the target in the spec")
        check = graph.gradcheck()
    return annotate(graph, options.vector_style, options.jacobians, check, local="local" in options.edge_labels)


def _check_names(graph, options):
    """Every node an option names exists (the error names the option and suggests a node)."""
    for option, exc in options.unknown_nodes(graph)[:1]:
        raise GraphjacError(f"render option {option}: {exc}")
