"""The graph builder: nodes, edges per argument slot, names, groups and the public API.

>>> import graphjac as gj
>>> g = gj.Graph("xy")
>>> x = g.input("x", 3.0)
>>> y = g.input("y", 2.0)
>>> z = g.mul(x, y, name="z")
>>> g.backward(z)
>>> float(g.grad(x)), float(g.grad(y))
(2.0, 3.0)
"""

from __future__ import annotations

import contextlib
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from graphjac.core import engine
from graphjac.core.ops import ACTIVATIONS, LOSSES, REGISTRY, OpError
from graphjac.errors import GraphjacError, NodeError, ShapeError, ValueDomainError, close_matches


@dataclass
class NodeRecord:
    """Everything the graph knows about one node; ``id`` is its place in build order."""

    id: int
    name: str
    kind: str                      # input | param | const | an op kind (add, neuron, activation, loss, …)
    op: Optional[str] = None       # registry name of the op (sigmoid, bce, …); None for leaves
    inputs: tuple = ()
    attrs: dict = field(default_factory=dict)
    value: Optional[np.ndarray] = None   # leaves only
    batch: bool = False
    shape: tuple = ()
    group: tuple = ()
    scope: tuple = ()              # the submodules it is computed in, outermost first: ((name, kind), …)
    label: Optional[str] = None    # LaTeX symbol chosen by the user
    auto_named: bool = False
    origin: Optional[str] = None   # where a spec file defines the node (file:line:column)

    @property
    def sample_shape(self) -> tuple:
        """The shape of one sample (the whole shape when the node is not a minibatch)."""
        return self.shape[1:] if self.batch else self.shape


class Node:
    """A handle on one node of a graph, with micrograd's operators and methods:
    ``u + v``, ``u - v``, ``u * v``, ``u / v``, ``-u``, ``u ** p``, ``u @ v`` (numbers on either
    side become constants), ``u.exp()``, ``u.log()``, ``u.relu()``, ``u.tanh()``,
    ``u.sigmoid()``, ``u.sum()``, ``u.mean()``, and ``u.value``, ``u.grad``.

    >>> g = Graph("micrograd")
    >>> a = g.param("a", -4.0)
    >>> f = ((a * 2 + 1).relu() + 10 / (a * a)).named("f")
    >>> float(f.value), f.name
    (0.625, 'f')
    """

    __slots__ = ("graph", "id")
    __array_ufunc__ = None  # numpy defers to us: 2.0 * u is a constant times u, never an object array

    def __init__(self, graph, node_id):
        self.graph = graph
        self.id = node_id

    @property
    def _record(self):
        return self.graph._records[self.id]

    name = property(lambda self: self._record.name, doc="The node's name (a label, any text).")
    kind = property(lambda self: self._record.kind, doc="input, param, const or the op kind.")
    shape = property(lambda self: self._record.shape, doc="Shape of the value (minibatch on axis 0).")
    batch = property(lambda self: self._record.batch, doc="True for a minibatch node.")
    value = property(lambda self: self.graph.value(self), doc="The forward value (computed if needed).")
    grad = property(lambda self: self.graph.grad(self), doc="∂J/∂node after backward, else None.")

    def __repr__(self):
        r = self._record
        kind = r.op if r.op and r.op != r.kind else r.kind
        return f"<Node {r.name!r} {kind} shape={r.shape}{' batch' if r.batch else ''}>"

    def named(self, name: str) -> "Node":
        """Give the node ``name`` (for the result of an expression: ``(x + y).named("z")``)."""
        self.graph.rename(self, name)
        return self

    def __add__(self, other):
        return self.graph.add(self, other)

    def __radd__(self, other):
        return self.graph.add(other, self)

    def __sub__(self, other):
        return self.graph.sub(self, other)

    def __rsub__(self, other):
        return self.graph.sub(other, self)

    def __mul__(self, other):
        return self.graph.mul(self, other)

    def __rmul__(self, other):
        return self.graph.mul(other, self)

    def __truediv__(self, other):
        return self.graph.div(self, other)

    def __rtruediv__(self, other):
        return self.graph.div(other, self)

    def __neg__(self):
        return self.graph.neg(self)

    def __matmul__(self, other):
        return self.graph.matmul(self, other)

    def __rmatmul__(self, other):
        return self.graph.matmul(other, self)

    def __pow__(self, exponent):
        return self.graph.pow(self, exponent)

    def exp(self, **kw):
        return self.graph.exp(self, **kw)

    def log(self, **kw):
        return self.graph.log(self, **kw)

    def relu(self, **kw):
        return self.graph.activation(self, "relu", **kw)

    def tanh(self, **kw):
        return self.graph.activation(self, "tanh", **kw)

    def sigmoid(self, **kw):
        return self.graph.activation(self, "sigmoid", **kw)

    def sum(self, axis=None, **kw):
        return self.graph.sum(self, axis=axis, **kw)

    def __getitem__(self, key):
        return self.graph.index(self, key)

    @property
    def data(self):
        """The forward value, by micrograd's name (the same array as ``value``)."""
        return self.value

    def softmax(self, axis=-1, **kw):
        return self.graph.softmax(self, axis=axis, **kw)

    def flatten(self, **kw):
        return self.graph.flatten(self, **kw)

    def reshape(self, *shape, **kw):
        return self.graph.reshape(self, shape[0] if len(shape) == 1 else shape, **kw)

    def norm(self, **kw):
        return self.graph.norm(self, **kw)

    def mean(self, axis=None, **kw):
        return self.graph.mean(self, axis=axis, **kw)


def _as_float_array(value, what):
    """``value`` as a read-only float64 array; non-numeric or non-finite input is an error."""
    if isinstance(value, Node) or value is None:
        got = "None" if value is None else f"the node {value.name!r}"
        raise GraphjacError(f"{what}: expected a number or a (nested) list of numbers, got {got}")
    try:
        array = np.array(value, dtype=np.float64)
    except OverflowError:
        raise ValueDomainError(f"{what}: a number too large for a value (float64)") from None
    except (TypeError, ValueError) as exc:
        raise GraphjacError(f"{what}: expected a number or a (nested) list of numbers; {exc}") from None
    if array.size == 0:
        raise ShapeError(f"{what}: the value is empty")
    bad = ~np.isfinite(array)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueDomainError(f"{what}: non-finite value {array[where]} at index {where}")
    array.setflags(write=False)
    return array


def _leaf_array(value, what, batch):
    """A leaf's value; a minibatch needs at least one axis, the samples."""
    array = _as_float_array(value, what)
    if batch and array.ndim == 0:
        raise ShapeError(f"{what}: batch=True needs the samples on axis 0; got a scalar")
    return array


class Graph:
    """A computational graph of the lecture: build it, run forward/backward, render it.

    Every function takes node handles or node names; docs/architecture.md shows where each
    concept lives.
    """

    def __init__(self, name: str = "graph"):
        self.name = _nfc(str(name))
        self._records: list[NodeRecord] = []
        self._by_name: dict[str, int] = {}
        self._group_stack: list[str] = []
        self._scope: tuple = ()
        self._target: Optional[int] = None
        self._render_options: dict = {}
        self.sources: tuple = ()   # the files gj.load read it from, which no output may replace
        self._invalidate(structure=True)

    # ------------------------------------------------------------------ node access

    @property
    def render_options(self) -> dict:
        """The options a figure of this graph is drawn with unless told otherwise (a spec's
        ``render:``): option names and values, such as ``{"direction": "BT"}``."""
        return self._render_options

    @render_options.setter
    def render_options(self, options):
        from graphjac.options import RenderOptions
        if not isinstance(options, Mapping):
            raise GraphjacError(f"render_options must be a mapping of option names to values, such as "
                                f"{{'direction': 'BT'}}; got {type(options).__name__} {options!r}"[:300])
        RenderOptions.from_mapping(dict(options))     # unknown names and bad values are said now
        self._render_options = dict(options)

    def __len__(self):
        return len(self._records)

    def __iter__(self):
        return iter(self.nodes)

    def __contains__(self, ref):
        try:
            self._id(ref)
        except GraphjacError:
            return False
        return True

    def __repr__(self):
        return f"<Graph {self.name!r}: {len(self._records)} nodes>"

    @property
    def nodes(self) -> list:
        """Handles of all nodes, in build order."""
        return [Node(self, r.id) for r in self._records]

    @property
    def edges(self) -> list:
        """(src, dst, slot name) for every argument slot, in build order."""
        return [(Node(self, src), Node(self, r.id), REGISTRY[r.op].slots[k].name)
                for r in self._records for k, src in enumerate(r.inputs)]

    def node(self, ref) -> Node:
        """The handle of a node given by name or handle."""
        return Node(self, self._id(ref))

    def record(self, ref) -> NodeRecord:
        """The stored description of a node (read it, do not change it)."""
        return self._records[self._id(ref)]

    def set_origin(self, ref, where: str) -> None:
        """Say where the node is defined (``file:line:column``), for errors found while computing."""
        self._records[self._id(ref)].origin = where
        self._plan = None

    def records(self) -> tuple:
        """The stored description of every node, in build order (read them, do not change them)."""
        return tuple(self._records)

    def _id(self, ref) -> int:
        if isinstance(ref, Node):
            if ref.graph is not self:
                raise NodeError(f"node {ref.name!r} belongs to graph {ref.graph.name!r}, not to {self.name!r}")
            return ref.id
        if isinstance(ref, str):
            ref = _nfc(ref)
            if ref in self._by_name:
                return self._by_name[ref]
            close = close_matches(ref, self._by_name)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise NodeError(f"graph {self.name!r} has no node named {ref!r}{hint}")
        raise NodeError(f"expected a node handle or a node name, got {type(ref).__name__} {ref!r}")

    # ------------------------------------------------------------------ building

    @contextlib.contextmanager
    def group(self, name: str):
        """Nodes created inside ``with g.group("Model"):`` are drawn in a box named Model.

        ``g.group("Dataset/Minibatch")`` is a box inside a box, as two nested ``with`` would be.
        """
        parts = self._group_path(name)
        self._group_stack.extend(parts)
        try:
            yield self
        finally:
            del self._group_stack[len(self._group_stack) - len(parts):]

    @contextlib.contextmanager
    def scope(self, name: str, kind: str):
        """Operations created inside ``with g.scope("rnn", "LSTM"):`` are computed by that
        submodule (a scope inside a scope is a submodule of it): a figure fitted to a page too
        small for every operation draws each submodule as one node (its inputs, parameters and
        output kept), as ``from_torch(depth=…)`` would. Nothing is boxed."""
        outer = self._scope
        self._scope = outer + ((str(name), str(kind)),)
        try:
            yield self
        finally:
            self._scope = outer

    def input(self, name, value, batch: bool = False, *, label=None, group=None) -> Node:
        """A data leaf; ``batch=True`` makes axis 0 the minibatch (samples x⁽¹⁾ … x⁽ᴺ⁾)."""
        return self._leaf("input", name, value, batch, label, group)

    def param(self, name, value, *, label=None, group=None) -> Node:
        """A trainable leaf, updated by :meth:`step`."""
        return self._leaf("param", name, value, False, label, group)

    def const(self, value, name=None, *, label=None, group=None) -> Node:
        """A constant leaf (Python numbers in expressions become one)."""
        return self._leaf("const", name, value, False, label, group)

    def _leaf(self, kind, name, value, batch, label, group):
        array = _leaf_array(value, f"{kind} {name!r}" if name is not None else f"unnamed {kind}", batch)
        record = NodeRecord(id=len(self._records), name="", kind=kind, value=array, batch=bool(batch),
                            shape=array.shape, label=_label(label, f"{kind} {name!r}"),
                            group=self._group_path(group))
        return self._append(record, name, base=kind)

    def _group_path(self, group):
        """The group of a new node: ``group`` ("A/B" or a list of names), else the enclosing ``with``."""
        if group is None:
            return tuple(self._group_stack)
        if isinstance(group, str):
            return tuple(_nfc(part) for part in group.split("/") if part)
        if not isinstance(group, (list, tuple)) or not all(isinstance(part, str) for part in group):
            raise GraphjacError(f"group must be a name such as 'Dataset/Minibatch' or a list of names; got {group!r}")
        return tuple(group)

    def _append(self, record, name, base):
        record.name, record.auto_named = self._claim_name(name, base)
        self._records.append(record)
        self._by_name[record.name] = record.id
        self._invalidate(structure=True)
        return Node(self, record.id)

    def _claim_name(self, name, base):
        if name is None:
            return self._fresh_name(base), True
        name = _nfc(name)
        if not isinstance(name, str) or not name:
            raise GraphjacError(f"a node name must be a non-empty string; got {name!r}")
        taken = self._by_name.get(name)
        if taken is not None:
            if not self._records[taken].auto_named:
                raise GraphjacError(f"graph {self.name!r} already has a node named {name!r}")
            self._rename(taken, self._fresh_name(self._records[taken].op or self._records[taken].kind))
        return name, False

    def _fresh_name(self, base):
        k = 1
        while f"{base}{k}" in self._by_name:
            k += 1
        return f"{base}{k}"

    def rename(self, ref, name: str) -> None:
        """Give a node a new name (an unnamed node that holds the name moves aside)."""
        node_id = self._id(ref)
        record = self._records[node_id]
        name = _nfc(name)
        if name == record.name:
            record.auto_named = False
            return
        if not isinstance(name, str) or not name:
            raise GraphjacError(f"a node name must be a non-empty string; got {name!r}")
        taken = self._by_name.get(name)
        if taken is not None:
            if not self._records[taken].auto_named:
                raise GraphjacError(f"graph {self.name!r} already has a node named {name!r}")
            self._rename(taken, self._fresh_name(self._records[taken].op or self._records[taken].kind))
        self._rename(node_id, name)
        record.auto_named = False

    def _rename(self, node_id, new):
        del self._by_name[self._records[node_id].name]
        self._records[node_id].name = new
        self._by_name[new] = node_id
        self._plan = None

    def _operand(self, ref):
        """The id of an operand: a node, a node name, or a number (which becomes a constant)."""
        if isinstance(ref, (int, float, np.number)) and not isinstance(ref, bool):
            return self.const(ref).id
        if isinstance(ref, (list, tuple, np.ndarray)):
            raise NodeError(f"an operand is a node, a node name or a number; make the array a node first, "
                            f"e.g. g.const({np.asarray(ref).tolist()!r}, name=...)")
        return self._id(ref)

    def apply(self, op_name, *operands, name=None, label=None, group=None, **attrs) -> Node:
        """Add a node applying the registered op ``op_name`` to ``operands``; keywords beyond
        ``name``, ``label`` and ``group`` are the op's attributes (``slope=0.2``), each checked."""
        op = REGISTRY[_choose(op_name, REGISTRY, "op")]
        shown = f"node {name!r}" if name is not None else f"unnamed {op.name} node"
        if not op.fewest <= len(operands) <= op.arity:
            count = str(op.arity) if op.fewest == op.arity else f"{op.fewest} to {op.arity}"
            raise GraphjacError(f"{shown}: {op.name} takes {count} operand{'s' if op.arity > 1 else ''} "
                                f"({', '.join(s.name for s in op.slots)}); got {len(operands)}")
        try:
            values = op.attributes(attrs, shown)
        except OpError as exc:
            raise GraphjacError(str(exc)) from None
        size = len(self._records)
        try:
            inputs = tuple(self._operand(o) for o in operands)
            record = NodeRecord(id=len(self._records), name="", kind=op.kind, op=op.name, inputs=inputs,
                                attrs=values, label=_label(label, shown), group=self._group_path(group),
                                scope=self._scope)
            record.batch, record.shape = self._infer(record, shown)
            return self._append(record, name, base=op.name)
        except GraphjacError:
            self._truncate(size)
            raise

    def truncate(self, size: int) -> None:
        """Forget the nodes made after the first ``size`` (a builder's attempt that failed half-way)."""
        self._truncate(size)

    def _truncate(self, size):
        """Forget the nodes made after the first ``size`` (the constants of a failed :meth:`apply`)."""
        if len(self._records) > size:
            for r in self._records[size:]:
                del self._by_name[r.name]
            del self._records[size:]
            self._invalidate(structure=True)

    def _infer(self, record, shown):
        """(batch, shape) of an op node from its operands, or a ShapeError naming them (and ``shown``)."""
        op = REGISTRY[record.op]
        args = [self._records[i] for i in record.inputs]
        where = f"{shown} ({op.name} of {', '.join(repr(a.name) for a in args)})"
        sizes = {a.shape[0] for a in args if a.batch}
        if len(sizes) > 1:
            raise ShapeError(f"{where}: the minibatch operands have different sample counts {sorted(sizes)}")
        if op.batch_from is not None:
            lead = args[op.batch_from]
            for a in args:
                if a.batch != lead.batch:
                    need = "a minibatch" if lead.batch else "not a minibatch"
                    raise ShapeError(f"{where}: {a.name!r} must be {need}, like {lead.name!r}")
        try:
            per_sample = op.infer([a.sample_shape for a in args], record.attrs)
        except OpError as exc:
            raise ShapeError(f"{where}: {exc}") from None
        problem = op.batch_check and op.batch_check([a.batch for a in args], [a.sample_shape for a in args],
                                                    record.attrs)
        if problem:
            raise ShapeError(f"{where}: {problem}")
        batch = bool(sizes) and not op.reduces(record.attrs)
        return batch, ((sizes.pop(),) + tuple(per_sample) if batch else tuple(per_sample))

    # the lecture's nodes -------------------------------------------------

    def neuron(self, x, w, b, name=None, **kw) -> Node:
        """z = x⃗ᵀw⃗ + b (per sample)."""
        return self.apply("neuron", x, w, b, name=name, **kw)

    def dense(self, x, W, B, name=None, **kw) -> Node:
        """K neurons side by side: l⃗ = Wᵀx⃗ + b⃗ (batch: L = XW + B)."""
        return self.apply("dense", x, W, B, name=name, **kw)

    def activation(self, z, function="sigmoid", name=None, **kw) -> Node:
        """a = g(z) for g in sigmoid, tanh, relu, softmax, identity."""
        return self.apply(_choose(function, ACTIVATIONS, "activation"), z, name=name, **kw)

    def loss(self, yhat, y, function="mse", name=None, **kw) -> Node:
        """Per-sample loss J₀ = L(y, ŷ) for L in mse, bce, cce (one value per sample)."""
        return self.apply(_choose(function, LOSSES, "loss"), yhat, y, name=name, **kw)

    def mean(self, u, name=None, axis=None, **kw) -> Node:
        """The mean of all elements (over the minibatch: J = (1/N) Σᵢ J₀⁽ⁱ⁾), or along ``axis`` of a sample."""
        return self.apply("mean", u, name=name, axis=axis, **kw)

    def sum(self, u, name=None, axis=None, **kw) -> Node:
        """The sum of all elements, or along ``axis`` of a sample."""
        return self.apply("sum", u, name=name, axis=axis, **kw)

    def add(self, u, v, name=None, **kw) -> Node:
        """z = u + v (elementwise, numpy broadcasting per sample)."""
        return self.apply("add", u, v, name=name, **kw)

    def sub(self, u, v, name=None, **kw) -> Node:
        """z = u − v."""
        return self.apply("sub", u, v, name=name, **kw)

    def mul(self, u, v, name=None, **kw) -> Node:
        """z = u v (elementwise)."""
        return self.apply("mul", u, v, name=name, **kw)

    def square(self, u, name=None, **kw) -> Node:
        """z = u²."""
        return self.apply("square", u, name=name, **kw)

    def pow(self, u, exponent, name=None, **kw) -> Node:
        """z = uᵖ for a number p (``u ** 2`` is :meth:`square`)."""
        if isinstance(exponent, (int, float, np.number)) and not isinstance(exponent, bool) and exponent == 2:
            return self.square(u, name=name, **kw)
        return self.apply("pow", u, name=name, exponent=exponent, **kw)

    def dot(self, u, v, name=None, **kw) -> Node:
        """z = u⃗ · v⃗ (per sample)."""
        return self.apply("dot", u, v, name=name, **kw)

    # the gates of every backprop lecture ---------------------------------

    def neg(self, u, name=None, **kw) -> Node:
        """z = −u."""
        return self.apply("neg", u, name=name, **kw)

    def div(self, u, v, name=None, **kw) -> Node:
        """z = u / v (elementwise; either may be a number: 1/x, u/2)."""
        return self.apply("div", u, v, name=name, **kw)

    def exp(self, u, name=None, **kw) -> Node:
        """z = eᵘ."""
        return self.apply("exp", u, name=name, **kw)

    def log(self, u, name=None, **kw) -> Node:
        """z = log u (natural logarithm; u > 0)."""
        return self.apply("log", u, name=name, **kw)

    def sqrt(self, u, name=None, **kw) -> Node:
        """z = √u (u ≥ 0)."""
        return self.apply("sqrt", u, name=name, **kw)

    def abs(self, u, name=None, **kw) -> Node:
        """z = abs(u), the absolute value (abs′(0) = 0, as PyTorch)."""
        return self.apply("abs", u, name=name, **kw)

    def sin(self, u, name=None, **kw) -> Node:
        """z = sin u."""
        return self.apply("sin", u, name=name, **kw)

    def cos(self, u, name=None, **kw) -> Node:
        """z = cos u."""
        return self.apply("cos", u, name=name, **kw)

    def maximum(self, u, v, name=None, **kw) -> Node:
        """z = max(u, v), elementwise: CS231n's max gate sends the gradient to the larger (a tie: half each)."""
        return self.apply("maximum", u, v, name=name, **kw)

    def minimum(self, u, v, name=None, **kw) -> Node:
        """z = min(u, v), elementwise: the gradient goes to the smaller (a tie: half each)."""
        return self.apply("minimum", u, v, name=name, **kw)

    def matmul(self, A, B, name=None, **kw) -> Node:
        """Z = A B for matrices (per sample); for two vectors, u⃗ · v⃗ (:meth:`dot`)."""
        if all(not isinstance(x, (int, float, np.number)) and len(self.record(x).sample_shape) == 1 for x in (A, B)):
            return self.dot(A, B, name=name, **kw)
        return self.apply("matmul", A, B, name=name, **kw)

    def transpose(self, A, name=None, **kw) -> Node:
        """Z = Aᵀ (per sample)."""
        return self.apply("transpose", A, name=name, **kw)

    # the ops of a whole course ---------------------------------------------

    def conv1d(self, x, k, b=None, stride=1, padding=0, name=None, **kw) -> Node:
        """Y = X ⋆ K + b: cross-correlation of one sample x (C_in, L) with k (C_out, C_in, K), as PyTorch."""
        return self.apply("conv1d", *_present(x, k, b), stride=stride, padding=padding, name=name, **kw)

    def conv2d(self, x, k, b=None, stride=1, padding=0, name=None, **kw) -> Node:
        """Y = X ⋆ K + b for one sample x (C_in, H, W) and k (C_out, C_in, KH, KW), as PyTorch."""
        return self.apply("conv2d", *_present(x, k, b), stride=stride, padding=padding, name=name, **kw)

    def max_pool1d(self, x, size, stride=None, name=None, **kw) -> Node:
        """The largest of each window of x (C, L); ``stride`` defaults to ``size``, as PyTorch."""
        return self.apply("max_pool1d", x, size=size, stride=stride, name=name, **kw)

    def max_pool2d(self, x, size, stride=None, name=None, **kw) -> Node:
        """The largest of each window of x (C, H, W); ``stride`` defaults to ``size``."""
        return self.apply("max_pool2d", x, size=size, stride=stride, name=name, **kw)

    def avg_pool1d(self, x, size, stride=None, name=None, **kw) -> Node:
        """The mean of each window of x (C, L); ``stride`` defaults to ``size``."""
        return self.apply("avg_pool1d", x, size=size, stride=stride, name=name, **kw)

    def avg_pool2d(self, x, size, stride=None, name=None, **kw) -> Node:
        """The mean of each window of x (C, H, W); ``stride`` defaults to ``size``."""
        return self.apply("avg_pool2d", x, size=size, stride=stride, name=name, **kw)

    def flatten(self, x, name=None, **kw) -> Node:
        """One sample's numbers as one vector, row by row (torch's ``flatten(start_dim=1)``)."""
        return self.apply("flatten", x, name=name, **kw)

    def reshape(self, x, shape, name=None, **kw) -> Node:
        """One sample's numbers in ``shape`` (one entry may be -1)."""
        return self.apply("reshape", x, shape=shape, name=name, **kw)

    def permute(self, x, axes, name=None, **kw) -> Node:
        """One sample's axes in the order ``axes``."""
        return self.apply("permute", x, axes=axes, name=name, **kw)

    def concat(self, operands, axis=0, name=None, **kw) -> Node:
        """The operands one after another along ``axis`` of one sample."""
        return self.apply("concat", *_listed(operands, "concat"), axis=axis, name=name, **kw)

    def stack(self, operands, axis=0, name=None, **kw) -> Node:
        """The operands side by side along a new ``axis`` of one sample."""
        return self.apply("stack", *_listed(operands, "stack"), axis=axis, name=name, **kw)

    def index(self, u, key, name=None, **kw) -> Node:
        """``u[key]`` of one sample: ints and slices (basic indexing), or their text ``"0, 1:3"``."""
        return self.apply("index", u, key=key, name=name, **kw)

    def embedding(self, ids, E, name=None, **kw) -> Node:
        """The rows of E (V, d) that the integer ``ids`` pick (no gradient flows to the ids); ``ids``
        may be a node or the ids themselves (a list or an array: one sample's)."""
        if isinstance(ids, (list, tuple, np.ndarray)):
            ids = self.const(ids)
        return self.apply("embedding", ids, E, name=name, **kw)

    def softmax(self, u, axis=-1, name=None, **kw) -> Node:
        """p = softmax(u) along ``axis`` of one sample (each row of an attention score matrix)."""
        return self.apply("softmax", u, axis=axis, name=name, **kw)

    def log_softmax(self, u, axis=-1, name=None, **kw) -> Node:
        """log softmax(u) along ``axis`` of one sample."""
        return self.apply("log_softmax", u, axis=axis, name=name, **kw)

    def layer_norm(self, u, gamma=None, beta=None, eps=1e-5, name=None, **kw) -> Node:
        """γ ⊙ (u − μ)/√(σ² + ε) + β, μ and σ² over the last axis of each sample."""
        return self.apply("layer_norm", *_present(u, gamma, beta), eps=eps, name=name, **kw)

    def batch_norm(self, u, gamma=None, beta=None, eps=1e-5, name=None, **kw) -> Node:
        """γ ⊙ (u − μ_B)/√(σ_B² + ε) + β over the minibatch (training statistics; per channel for
        samples (C, …), as BatchNorm1d/2d)."""
        return self.apply("batch_norm", *_present(u, gamma, beta), eps=eps, name=name, **kw)

    def norm(self, u, name=None, **kw) -> Node:
        """‖u‖: the L2 norm of a vector, the Frobenius norm of a matrix (per sample)."""
        return self.apply("norm", u, name=name, **kw)

    def dropout(self, u, mask, p, name=None, **kw) -> Node:
        """u ⊙ mask / (1 − p) with a fixed 0/1 ``mask`` (a node or an array, as training drew it)."""
        if not isinstance(mask, (Node, str)):
            mask = self.const(mask)
        return self.apply("dropout", u, mask, p=p, name=name, **kw)

    # ------------------------------------------------------------------ values

    def set_value(self, ref, value) -> None:
        """Give a leaf a new value (a new minibatch may have another sample count)."""
        self.set_values({ref: value})

    def set_values(self, values: dict) -> None:
        """Give several leaves new values at once, e.g. a new minibatch ``{"X": X, "y": y}``."""
        records = [self.record(ref) for ref in values]
        arrays = [self._new_value(r, value) for r, value in zip(records, values.values())]
        old = [r.value for r in records]
        for r, array in zip(records, arrays):
            r.value, r.shape = array, array.shape
        try:
            if any(r.shape != value.shape for r, value in zip(records, old)):
                self._reinfer()
        except ShapeError:
            for r, value in zip(records, old):
                r.value, r.shape = value, value.shape
            self._reinfer()
            raise
        self._invalidate()

    def _new_value(self, record, value):
        if record.kind not in engine.LEAF_KINDS:
            raise GraphjacError(f"node {record.name!r} is of kind {record.kind}; only inputs, params and "
                                f"constants hold values")
        return _leaf_array(value, f"{record.kind} {record.name!r}", record.batch)

    def _reinfer(self):
        """Shapes of every op node again, after leaf values changed shape."""
        for r in self._records:
            if r.op is not None:
                r.batch, r.shape = self._infer(r, f"node {r.name!r}")

    def _invalidate(self, structure=False):
        if structure:
            self._plan = None
        self._values = self._ctxs = None
        self._clear_grads()

    def _clear_grads(self):
        self._grads = None      # engine.Gradients of the last backward

    @property
    def plan(self) -> engine.Plan:
        """The cached topological order (rebuilt after the graph changes)."""
        if self._plan is None:
            self._plan = engine.Plan(self._records, {r.id: REGISTRY[r.op] for r in self._records if r.op})
        return self._plan

    def leaf_values(self) -> dict:
        """Leaf id -> value, as the engine takes them."""
        records = self._records
        return {i: records[i].value for i in self.plan.leaves}

    def prepare(self) -> "Graph":
        """Run the passes that a figure or a report needs: forward if values are missing, backward
        if the graph has a target J (given, or its one scalar sink) but no gradients. The one
        place that decides it."""
        if self._records and self._values is None:
            self.forward()
        if self._target is None and self.target is not None:
            self._target = self.target.id
        if self._target is not None and self._grads is None:
            self.backward(self.target)
        return self

    def target_candidates(self) -> list:
        """The nodes that could be the loss J: scalar results no other node uses (leaves aside).

        >>> g = Graph("two")
        >>> x = g.input("x", [1.0, 2.0])
        >>> [n.name for n in g.target_candidates()], [n.name for n in (g.sum(x, name="s"), g.target_candidates())[1]]
        ([], ['s'])
        """
        used = {i for r in self._records for i in r.inputs}
        return [Node(self, r.id) for r in self._records
                if r.op is not None and r.id not in used and r.shape == ()]

    def evaluate(self, ref, leaves: dict) -> np.ndarray:
        """The value of node ``ref`` computed afresh with some leaves replaced (``{leaf: array}``);
        the graph's own values are left as they are (finite differences use this)."""
        values = self.leaf_values()
        values.update({self._id(k): v for k, v in leaves.items()})
        return engine.forward(self.plan, values)[0][self._id(ref)]

    def forward(self) -> "Graph":
        """Compute the value of every node."""
        self._values, self._ctxs = engine.forward(self.plan, self.leaf_values())
        self._clear_grads()
        return self

    def _ensure_values(self):
        if self._values is None:
            self.forward()

    @property
    def has_values(self) -> bool:
        return self._values is not None

    def value(self, ref) -> np.ndarray:
        """The forward value of a node (runs forward if values are missing)."""
        node_id = self._id(ref)
        self._ensure_values()
        return engine.frozen(self._values[node_id])

    # ------------------------------------------------------------------ gradients

    @property
    def target(self) -> Optional[Node]:
        """The loss J that backward differentiates: the last backward target, or the spec's, or
        else the graph's one scalar sink (None when there are several or none)."""
        if self._target is None:
            candidates = self.target_candidates()
            return candidates[0] if len(candidates) == 1 else None
        return Node(self, self._target)

    @target.setter
    def target(self, ref):
        if ref is None:
            self._target = None
            return
        node_id = self._id(ref)
        record = self._records[node_id]
        if record.shape != ():
            raise GraphjacError(f"the target J must be a scalar; node {record.name!r} has shape {record.shape} "
                                f"(take g.mean(...) or g.sum(...) of it first)")
        self._target = node_id

    def backward(self, J=None) -> None:
        """∂J/∂· for every node and every edge, seeded with ∂J/∂J = 1 (J must be a scalar)."""
        if J is None and self._target is None:
            candidates = self.target_candidates()
            if len(candidates) != 1:
                found = (f"; the scalar results {', '.join(repr(n.name) for n in candidates)} could each be J"
                         if candidates else "")
                raise GraphjacError(f"backward needs the loss J: call g.backward(J) with a scalar node{found}")
            J = candidates[0]
        target = self._target if J is None else self._id(J)
        self._ensure_values()
        self._grads = engine.backward(self.plan, self._ctxs, self._values, target)
        self._target = target

    @property
    def has_grads(self) -> bool:
        return self._grads is not None

    def grad(self, ref) -> Optional[np.ndarray]:
        """∂J/∂node (shape of the value), or None if J does not depend on it or no backward ran."""
        node_id = self._id(ref)
        return None if self._grads is None else _frozen(self._grads.grad(node_id))

    def edge_grad(self, src, dst) -> Optional[np.ndarray]:
        """∂J/∂src through the edge src -> dst only (summed over the slots src feeds)."""
        s, d = self._id(src), self._id(dst)
        slots = [k for k, i in enumerate(self._records[d].inputs) if i == s]
        if not slots:
            raise NodeError(f"there is no edge {self._records[s].name!r} -> {self._records[d].name!r}")
        shares = [self._share(s, d, k) for k in slots]
        shares = [share for share in shares if share is not None]
        if not shares:
            return None
        return shares[0] if len(shares) == 1 else engine.frozen(sum(shares[1:], shares[0]))

    def slot_grad(self, dst, slot: int) -> Optional[np.ndarray]:
        """∂J/∂(operand ``slot`` of ``dst``) through that argument slot alone, or None."""
        d = self._id(dst)
        inputs = self._records[d].inputs
        if not 0 <= slot < len(inputs):
            raise NodeError(f"node {self._records[d].name!r} has no operand slot {slot}")
        return self._share(inputs[slot], d, slot)

    def _share(self, src, dst, slot):
        if self._grads is None:
            return None
        return _frozen(self._grads.share(self.plan.edge_number[(src, dst, slot)]))

    def edge_grads(self) -> dict:
        """(src id, dst id, slot) -> ∂J/∂src through that slot, for every edge with a gradient."""
        if self._grads is None:
            return {}
        return {key: engine.frozen(share) for key, share in self._grads.all_shares().items()}

    def jacobian(self, dst, src, sample: int = 0) -> np.ndarray:
        """Local Jacobian ∂dst/∂src, 2-D in numerator layout; per sample i for minibatch nodes."""
        if isinstance(sample, bool) or not isinstance(sample, (int, np.integer)):
            raise GraphjacError(f"jacobian: sample must be a whole number (the sample's index from 0); got {sample!r}")
        d, s = self._id(dst), self._id(src)
        self._ensure_values()
        return engine.local_jacobian(self.plan, self._ctxs, d, s, sample)

    def gradcheck(self, inputs: bool = False, **tolerances):
        """Finite differences against backward for every param (and inputs on request)."""
        from graphjac.core.gradcheck import gradcheck
        return gradcheck(self, inputs=inputs, **tolerances)

    def step(self, lr: float = 0.1, ascent: bool = False) -> float:
        """p := p − lr·(∂J/∂p) for every param (p + … with ``ascent``); returns the new J."""
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.number)) or not math.isfinite(_as_float(lr)):
            raise GraphjacError(f"step needs a finite number lr (the learning rate α); got {_shown_number(lr)}")
        if self._grads is None or self._target is None:
            raise GraphjacError("step needs gradients: call g.backward(J) first")
        sign = 1.0 if ascent else -1.0
        for r in self._records:
            grad = self._grads.grad(r.id) if r.kind == "param" else None
            if grad is not None:
                updated = r.value + sign * lr * grad
                updated.setflags(write=False)
                r.value = updated
        self.forward()
        return float(self._values[self._target])

    # ------------------------------------------------------------------ specs and figures

    def to_spec(self) -> dict:
        """Plain JSON-serialisable data that :meth:`from_spec` reads back into this graph."""
        from graphjac.io.spec import graph_to_spec
        return graph_to_spec(self)

    @classmethod
    def from_spec(cls, spec: dict, source: str = "<spec>", locate=None) -> "Graph":
        """Build a graph from spec data (see :mod:`graphjac.io.spec` for the schema)."""
        from graphjac.io.spec import graph_from_spec
        return graph_from_spec(spec, cls, source=source, locate=locate)

    def annotate(self, vector_style: str = "arrow"):
        """The annotated graph: symbols, formulas, values and gradients per node and per edge."""
        from graphjac.notation.formulas import annotate
        return annotate(self, vector_style=vector_style)

    def figure(self, options=None, **overrides):
        """The renderer-neutral figure model (see :mod:`graphjac.render.model.figure`)."""
        from graphjac.render import figure_for
        return figure_for(self, options, **overrides)

    def to_dot(self, options=None, **overrides) -> str:
        """The figure as Graphviz DOT text; options as in :class:`graphjac.render.RenderOptions`."""
        from graphjac.render import to_dot
        return to_dot(self, options, **overrides)

    def render(self, path, format=None, options=None, **overrides):
        """Write the figure to ``path`` (format from the suffix: dot, gv, svg, png, pdf, …)."""
        from graphjac.render import render
        return render(self, path, format, options, **overrides)

    def to_graphviz(self, options=None, **overrides):
        """The figure as a ``graphviz.Source``, for users of the graphviz package's API
        (``.render()``, ``.pipe()``; it raises ``graphviz.ExecutableNotFound`` without Graphviz)."""
        import graphviz
        return graphviz.Source(self.to_dot(options, **overrides), filename=f"{self.name}.gv", format="svg")

    def to_networkx(self):
        """The graph as a ``networkx.MultiDiGraph`` keyed by node name: one edge per argument
        slot (``key`` = slot index, ``slot`` = its name), with ``grad`` (∂J/∂src through that slot)
        after backward; nodes carry kind, op, shape, batch, group and value.

        >>> g = Graph("xx")
        >>> x = g.input("x", 3.0)
        >>> dag = g.mul(x, x, name="z").graph.to_networkx()
        >>> sorted(dag.edges(keys=True))
        [('x', 'z', 0), ('x', 'z', 1)]
        """
        import networkx as nx

        dag = nx.MultiDiGraph(name=self.name)
        for r in self._records:
            dag.add_node(r.name, kind=r.kind, op=r.op, shape=r.shape, batch=r.batch, group="/".join(r.group),
                         value=None if self._values is None else self.value(r.id))
        for r in self._records:
            for slot, src in enumerate(r.inputs):
                dag.add_edge(self._records[src].name, r.name, key=slot, slot=REGISTRY[r.op].slots[slot].name,
                             grad=self._share(src, r.id, slot))
        return dag

    def _repr_mimebundle_(self, include=None, exclude=None):
        """Jupyter: the figure as SVG when Graphviz is installed, else as DOT text."""
        from graphjac.integrations.jupyter import mimebundle
        return mimebundle(self, include, exclude)


def _frozen(array):
    return None if array is None else engine.frozen(array)


def define_op(name, forward, derivative=None, latex=None, derivative_latex=None, vjp=None, summary=""):
    """Register an op of your own (see :func:`graphjac.core.ops.custom.define_op`); errors are GraphjacErrors."""
    from graphjac.core.ops.custom import define_op as define
    try:
        return define(name, forward, derivative=derivative, latex=latex, derivative_latex=derivative_latex,
                      vjp=vjp, summary=summary)
    except OpError as exc:
        raise GraphjacError(str(exc)) from None


def _listed(operands, what):
    if isinstance(operands, (str, Node)) or not isinstance(operands, (list, tuple)):
        raise GraphjacError(f"{what} takes a list of operands, such as g.{what}([u, v], axis=0); got {operands!r}")
    return list(operands)


def _present(*operands):
    """The operands given: optional trailing ones (a bias, γ, β) left out when None."""
    operands = list(operands)
    while operands and operands[-1] is None:
        operands.pop()
    if any(o is None for o in operands):
        raise GraphjacError("an optional operand may be left out only after the ones before it")
    return operands


def _label(label, shown):
    """A node's LaTeX label: None (the name decides) or math text that reads (checked now, so a
    label no figure could set is refused where it is given)."""
    if label is None:
        return None
    if not isinstance(label, str):
        raise GraphjacError(f"{shown}: label must be LaTeX math text such as '\\hat{{y}}'; got {label!r}")
    from graphjac.notation.mathtext import parse
    label = unicodedata.normalize("NFC", label)
    try:
        parse(label)
    except GraphjacError as exc:
        raise GraphjacError(f"{shown}: label: {exc}") from None
    return label


def _as_float(number) -> float:
    """``number`` as a float; an integer too large for one is infinite."""
    try:
        return float(number)
    except OverflowError:
        return math.inf


def _shown_number(number) -> str:
    text = repr(number)
    return text if len(text) <= 40 else f"a number of {len(text)} digits"


def _nfc(name):
    """A name as one spelling: ``é`` and ``e`` + U+0301 (as macOS writes file names) are one name."""
    return unicodedata.normalize("NFC", name) if isinstance(name, str) else name


def _choose(function, table, what):
    if not isinstance(function, str) or function.lower() not in table:
        close = close_matches(str(function).lower(), table)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise GraphjacError(f"unknown {what} {function!r}: expected one of {', '.join(sorted(table))}{hint}")
    return function.lower()

