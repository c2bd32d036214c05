r"""Ops of your own: :func:`define_op` registers an elementwise op from its forward and its
derivative (or a VJP for several operands) and the LaTeX of both, like the built-in ones.

>>> import graphjac as gj
>>> cube = gj.define_op("cube", forward=lambda u: u ** 3, derivative=lambda u, out: 3 * u ** 2,
...                     latex=r"{$u}^{3}", derivative_latex=r"3 {$u}^{2}")
>>> g = gj.Graph("cube")
>>> c = g.apply("cube", g.param("x", 2.0), name="c")
>>> g.backward(c)
>>> float(c.value), float(g.grad("x"))
(8.0, 12.0)
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import numpy as np

from ..errors import GraphjacError
from .base import Op, OpError, Slot, align, broadcast_shapes, elementwise_slot, first_bad, unbroadcast

SLOT_NAMES = ("u", "v", "w")
CUSTOM = set()       # names of the ops defined by define_op (they may be defined again)


def _broadcast(shapes, attrs):
    return broadcast_shapes(*shapes)


def _call(name, what, function, *args, shape=None):
    """Call the user's function; anything it raises (a ``sys.exit`` too) or returns that is not
    finite real numbers of the result's shape is an OpError naming the op."""
    try:
        result = function(*map(_read_only, args))
    except OpError:
        raise
    except (Exception, SystemExit) as exc:
        raise OpError(f"the {what} of op {name!r} raised {type(exc).__name__}: {exc}") from None
    return _numbers(name, what, result, shape)


def _numbers(name, what, result, shape=None) -> np.ndarray:
    """``result`` as finite float64 numbers (broadcast to ``shape``), or an OpError saying what it is."""
    told = f"the {what} of op {name!r}"
    array = np.asarray(result) if isinstance(result, (np.ndarray, np.number, int, float, list, tuple)) else None
    if array is None or array.dtype.kind not in "biuf":
        kind = "complex numbers" if array is not None and array.dtype.kind == "c" else \
            f"{type(result).__name__} {str(result)[:40]!r}" if array is None else f"an array of {array.dtype}"
        raise OpError(f"{told} must return real numbers (a float or a numpy array); it returned {kind}")
    array = array.astype(float)
    if not np.all(np.isfinite(array)):
        raise OpError(f"{told} returned {first_bad(~np.isfinite(array), array)}; it must return finite numbers")
    if shape is not None:
        try:
            return np.broadcast_to(array, shape)
        except ValueError:
            raise OpError(f"{told} returned shape {array.shape} where the result has shape {shape}") from None
    return array


_PLACEHOLDER = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _check_template(name, what, template, arity):
    """A template names only the op's operands (``$u`` …, with ``_j`` or ``_k`` for an element)
    and ``$out``, and reads as LaTeX once they are filled in."""
    from ..mathtext import parse
    names = set(SLOT_NAMES[:arity]) | {"out"}
    for found in _PLACEHOLDER.findall(template):
        base, _, index = found.rpartition("_")
        if found not in names and not (index in ("j", "k") and base in names):
            known = ", ".join("$" + n for n in (*SLOT_NAMES[:arity], "out"))
            raise OpError(f"define_op {name!r}: {what} names ${found}, which the op lacks (it has {known})")
    try:
        parse(_PLACEHOLDER.sub("x", template))
    except GraphjacError as exc:
        raise OpError(f"define_op {name!r}: {what}: {exc}") from None


def _read_only(value):
    """A read-only view: a user's function cannot change the graph's arrays in place."""
    view = np.asarray(value).view()
    view.setflags(write=False)
    return view


def _derivative_slot(name, derivative, local_latex):
    """The one slot of an elementwise op: ∂out/∂u = derivative(u, out)."""
    def local(ctx):
        return _call(name, "derivative", derivative, ctx.args[0], ctx.out, shape=ctx.out.shape)

    return elementwise_slot(name, "u", local, local_latex, may_raise=True)


def _vjp_slots(name, vjp, local_latex, arity):
    """One slot per operand from vjp(g, out, *operands) -> (∂J/∂u, ∂J/∂v, …)."""
    def shares(ctx, g):
        operands = [align(ctx, i) for i in range(arity)]
        result = vjp(np.broadcast_to(g, ctx.out.shape), _read_only(ctx.out), *map(_read_only, operands))
        if not isinstance(result, (tuple, list)) or len(result) != arity:
            raise OpError(f"the vjp of op {name!r} must return {arity} arrays, one per operand")
        return result

    def slot(i):
        def slot_vjp(ctx, g):
            try:
                share = shares(ctx, g)[i]
            except OpError:
                raise
            except (Exception, SystemExit) as exc:
                raise OpError(f"the vjp of op {name!r} raised {type(exc).__name__}: {exc}") from None
            return unbroadcast(ctx, i, _numbers(name, "vjp", share, ctx.out.shape))

        def jacobian(ctx):
            rows = [slot_vjp(ctx, np.eye(ctx.out.size)[k].reshape(ctx.out.shape)).reshape(-1)
                    for k in range(ctx.out.size)]
            return np.stack(rows) if rows else np.zeros((0, ctx.args[i].size))

        slot_vjp.__name__ = slot_vjp.__qualname__ = f"{name}_vjp_{SLOT_NAMES[i]}"
        return Slot(SLOT_NAMES[i], vjp=slot_vjp, jacobian=jacobian, local=local_latex[i], may_raise=True)

    return tuple(slot(i) for i in range(arity))


def define_op(name: str, forward, derivative=None, latex=None, derivative_latex=None, vjp=None,
              summary: str = "") -> Op:
    """Register an elementwise op ``name`` (usable as ``g.apply(name, …)`` and as ``kind: name``
    in a spec file read after this call).

    One operand: ``forward(u) -> out`` and ``derivative(u, out) -> ∂out/∂u`` elementwise.
    Several operands (up to three, named u, v, w): ``forward(u, v)`` and
    ``vjp(g, out, u, v) -> (∂J/∂u, ∂J/∂v)`` with g = ∂J/∂out; operands broadcast per sample.
    ``latex`` is the right-hand side of the forward formula (``$out =`` is added) and
    ``derivative_latex`` ∂out/∂u (a tuple, one per operand, with ``vjp``); templates name the
    operands ``$u``, ``$v``, ``$w`` and the result ``$out``. A derivative that is wrong is
    found by :meth:`Graph.gradcheck`, which checks every op of your own on its own.
    """
    from . import ACTIVATIONS, LOSSES, REGISTRY

    if not isinstance(name, str) or not name.isidentifier():
        raise OpError(f"define_op: the name must be an identifier such as 'cube'; got {name!r}")
    if name in REGISTRY and name not in CUSTOM or name in ACTIVATIONS or name in LOSSES \
            or name in ("input", "param", "const", "activation", "loss"):
        raise OpError(f"define_op: {name!r} is a built-in op or node kind; choose another name")
    if not callable(forward) or (derivative is None) == (vjp is None):
        raise OpError(f"define_op {name!r}: give forward and exactly one of derivative (one operand) or vjp")
    arity = 1 if derivative is not None else _arity(forward, name)
    if arity > len(SLOT_NAMES):
        raise OpError(f"define_op {name!r}: at most {len(SLOT_NAMES)} operands")
    local_latex = derivative_latex if isinstance(derivative_latex, (tuple, list)) else (derivative_latex,) * arity
    if len(local_latex) != arity or not all(isinstance(t, str) for t in local_latex):
        raise OpError(f"define_op {name!r}: derivative_latex must be LaTeX text, one per operand ({arity})")
    if not isinstance(latex, str):
        raise OpError(f"define_op {name!r}: latex must be the LaTeX of the result, such as r'{{$u}}^{{3}}'")

    for what, template in (("latex", latex), *(("derivative_latex", t) for t in local_latex)):
        _check_template(name, what, template, arity)

    def run(ctx):
        return _call(name, "forward", forward, *[align(ctx, i) for i in range(arity)], shape=_result_shape(ctx, arity))

    run.__name__ = run.__qualname__ = f"{name}_forward"
    slots = (_derivative_slot(name, derivative, local_latex[0]),) if derivative is not None \
        else _vjp_slots(name, vjp, local_latex, arity)
    op = Op(name=name, kind=name, summary=summary or f"a user's op: $out = {latex}", elementwise=True,
            forward=run, infer=_broadcast, latex="$out = " + latex, slots=slots)
    REGISTRY[name] = op
    CUSTOM.add(name)
    return op


@contextmanager
def scoped_ops():
    """Ops defined inside the ``with`` block are forgotten after it (and ones it redefined come
    back): each figure of a folder build defines its own ops, and none leaks into the next.

    >>> with scoped_ops():
    ...     _ = define_op("twice", forward=lambda u: 2 * u, derivative=lambda u, out: 2 + 0 * u,
    ...                   latex="2 {$u}", derivative_latex="2")
    ...     "twice" in CUSTOM
    True
    >>> "twice" in CUSTOM
    False
    """
    from . import REGISTRY
    registry, custom = dict(REGISTRY), set(CUSTOM)
    try:
        yield
    finally:
        REGISTRY.clear()
        REGISTRY.update(registry)
        CUSTOM.clear()
        CUSTOM.update(custom)


def _result_shape(ctx, arity):
    return np.broadcast_shapes(*[np.shape(align(ctx, i)) for i in range(arity)])


def _arity(function, name):
    import inspect

    try:
        parameters = inspect.signature(function).parameters.values()
    except (TypeError, ValueError):
        raise OpError(f"define_op {name!r}: cannot tell how many operands forward takes") from None
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional)


def check_op_derivatives(graph, eps=1e-6, atol=1e-5, rtol=1e-3):
    """Every node computing an op of your own: its local Jacobian against central differences of
    its own forward, per operand; a list of (node name, op, slot, ok, worst |error|)."""
    from . import REGISTRY

    out = []
    for record in graph.records():
        if record.op not in CUSTOM:
            continue
        op = REGISTRY[record.op]
        for k, src in enumerate(record.inputs):
            src_record = graph.records()[src]
            if src_record.kind == "const":
                continue
            analytic = graph.jacobian(record.name, src_record.name)
            numeric = _numeric_jacobian(graph, record, k, eps)
            error = np.abs(analytic - numeric)
            ok = bool(np.all(error <= atol + rtol * np.abs(numeric)))
            out.append((record.name, op.name, op.slots[k].name, ok, float(error.max(initial=0.0))))
    return out


def _numeric_jacobian(graph, record, k, eps=1e-6):
    """∂record/∂(operand k) of sample 0, by central differences of the op's forward alone."""
    from . import REGISTRY
    from .base import Ctx

    op = REGISTRY[record.op]
    records = graph.records()
    args = [np.array(graph.value(records[i].name)) for i in record.inputs]
    batch = [records[i].batch for i in record.inputs]
    args = [a[0] if b else a for a, b in zip(args, batch)]
    base = args[k]
    columns = []
    for index in np.ndindex(base.shape or ()):
        values = []
        for delta in (eps, -eps):
            moved = [a.copy() for a in args]
            moved[k] = np.array(base, dtype=float)
            moved[k][index] += delta
            ctx = Ctx(tuple(moved), (False,) * len(moved), False, record.attrs)
            values.append(np.asarray(op.forward(ctx), dtype=float).reshape(-1))
        columns.append((values[0] - values[1]) / (2 * eps))
    return np.stack(columns, axis=1)
