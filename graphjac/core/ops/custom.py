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

from graphjac.core.ops.base import Op, OpError, Slot, align, broadcast_shapes, elementwise_slot, first_bad
from graphjac.errors import GraphjacError

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
    from graphjac.notation.mathtext import parse
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


def _samples(ctx):
    """The operands of each sample in turn (the whole operands outside a minibatch)."""
    if not ctx.batch:
        return [ctx.args]
    n = next(len(a) for a, b in zip(ctx.args, ctx.arg_batch) if b)
    return [tuple(a[i] if b else a for a, b in zip(ctx.args, ctx.arg_batch)) for i in range(n)]


def _summed_to(name, share, shape):
    """A share the user's vjp gave broadcast (as ``g * v`` often is) summed back to its operand's
    shape; a shape that does not broadcast to it is an OpError."""
    share = np.asarray(share)
    if share.shape == tuple(shape):
        return share
    try:
        np.broadcast_shapes(share.shape, shape)
    except ValueError:
        raise OpError(f"the vjp of op {name!r} returned shape {share.shape} for an operand of shape {tuple(shape)}") from None
    while share.ndim > len(shape):
        share = share.sum(axis=0)
    for axis, n in enumerate(shape):
        if n == 1 and share.shape[axis] != 1:
            share = share.sum(axis=axis, keepdims=True)
    return np.broadcast_to(share, shape)


def _vjp_forward(name, forward):
    """An op of any shape: ``forward`` applied to each sample, its result's shape its own."""
    def run(ctx):
        results = [_call(name, "forward", forward, *operands) for operands in _samples(ctx)]
        return np.stack(results) if ctx.batch else results[0]
    run.__name__ = run.__qualname__ = f"{name}_forward"
    return run


def _vjp_slots(name, vjp, local_latex, arity):
    """One slot per operand from vjp(g, out, *operands) -> (∂J/∂u, ∂J/∂v, …), sample by sample."""
    def shares(g, out, operands):
        try:
            result = vjp(_read_only(g), _read_only(out), *map(_read_only, operands))
        except OpError:
            raise
        except (Exception, SystemExit) as exc:
            raise OpError(f"the vjp of op {name!r} raised {type(exc).__name__}: {exc}") from None
        if not isinstance(result, (tuple, list)) or len(result) != arity:
            raise OpError(f"the vjp of op {name!r} must return {arity} arrays, one per operand (a tuple)")
        return result

    def slot(i):
        def slot_vjp(ctx, g):
            samples = _samples(ctx)
            outs = ctx.out if ctx.batch else [ctx.out]
            gs = g if ctx.batch else [g]
            parts = [_summed_to(name, _numbers(name, "vjp", shares(gk, ok, operands)[i]), np.shape(operands[i]))
                     for gk, ok, operands in zip(gs, outs, samples)]
            if not ctx.batch:
                return np.array(parts[0], dtype=float)
            return np.stack(parts) if ctx.arg_batch[i] else np.sum(parts, axis=0)

        slot_vjp.__name__ = slot_vjp.__qualname__ = f"{name}_vjp_{SLOT_NAMES[i]}"
        return Slot(SLOT_NAMES[i], vjp=slot_vjp, local=local_latex[i], may_raise=True)

    return tuple(slot(i) for i in range(arity))


def _probed_shape(name, forward):
    """The per-sample shape of the result, from the forward pass on operands of the samples' shapes."""
    def infer(shapes, attrs):
        last = None
        for fill in (0.5, 1.0, 0.25, 2.0):
            try:
                result = forward(*[np.full(shape, fill) for shape in shapes])
                return tuple(np.shape(np.asarray(result, dtype=float)))
            except Exception as exc:   # a domain the probe missed: try another value
                last = exc
        raise OpError(f"op {name!r}: cannot tell the shape of its result; its forward raised "
                      f"{type(last).__name__}: {last}")
    return infer


def define_op(name: str, forward, derivative=None, latex=None, derivative_latex=None, vjp=None,
              summary: str = "") -> Op:
    """Register an elementwise op ``name`` (usable as ``g.apply(name, …)`` and as ``kind: name``
    in a spec file read after this call).

    One elementwise operand: ``forward(u) -> out`` and ``derivative(u, out) -> ∂out/∂u``
    elementwise (operands broadcast per sample). Any shapes, up to three operands (named u, v, w):
    ``forward(u, v) -> out`` of one sample, whatever its shape (a norm, a matrix product), and
    ``vjp(g, out, u, v) -> (∂J/∂u, ∂J/∂v)`` with g = ∂J/∂out, one array per operand; the result's
    shape is the forward's, never broadcast. ``latex`` is the right-hand side of the forward
    formula (``$out =`` is added) and ``derivative_latex`` ∂out/∂u (a tuple, one per operand,
    with ``vjp``; optional there: without it a backward edge shows ∂J/∂u and its value);
    templates name the operands ``$u``, ``$v``, ``$w`` and the result ``$out``. A derivative
    that is wrong is found by :meth:`Graph.gradcheck`, which checks every op of your own on its own.
    """
    from graphjac.core.ops import ACTIVATIONS, LOSSES, REGISTRY

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
    if vjp is not None and derivative_latex is None:
        local_latex = (None,) * arity
    elif len(local_latex) != arity or not all(isinstance(t, str) for t in local_latex):
        raise OpError(f"define_op {name!r}: derivative_latex must be LaTeX text, one per operand ({arity})")
    if not isinstance(latex, str):
        raise OpError(f"define_op {name!r}: latex must be the LaTeX of the result, such as r'{{$u}}^{{3}}'")

    for what, template in (("latex", latex), *(("derivative_latex", t) for t in local_latex if t is not None)):
        _check_template(name, what, template, arity)

    if derivative is not None:
        def run(ctx):
            return _call(name, "forward", forward, align(ctx, 0), shape=_result_shape(ctx, 1))

        run.__name__ = run.__qualname__ = f"{name}_forward"
        op = Op(name=name, kind=name, summary=summary or f"a user's op: $out = {latex}", elementwise=True,
                broadcasts=True, forward=run, infer=_broadcast, latex="$out = " + latex,
                slots=(_derivative_slot(name, derivative, local_latex[0]),))
    else:
        op = Op(name=name, kind=name, summary=summary or f"a user's op: $out = {latex}",
                forward=_vjp_forward(name, forward), infer=_probed_shape(name, forward), latex="$out = " + latex,
                slots=_vjp_slots(name, vjp, local_latex, arity))
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
    from graphjac.core.ops import REGISTRY
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
    from graphjac.core.ops import REGISTRY

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
    from graphjac.core.ops import REGISTRY
    from graphjac.core.ops.base import Ctx

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
