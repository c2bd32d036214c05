"""What an op is: forward, vector-Jacobian products, local Jacobians and LaTeX, side by side.

Every op works on *full* values (the minibatch on axis 0 where ``ctx.batch`` says so) for
``forward`` and ``vjp``, and on *one sample* for ``jacobian``: the engine slices sample ``i``
out of every minibatch operand and calls ``jacobian`` with ``ctx.batch`` false, which is the
lecture's per-sample Jacobian ∂dst⁽ⁱ⁾/∂src⁽ⁱ⁾.
"""

from __future__ import annotations

import math
from typing import Callable, Optional

import numpy as np

from graphjac.core.records import field, record
from graphjac.errors import close_matches


class OpError(Exception):
    """Raised inside an op; the engine re-raises it as a GraphjacError naming the node."""


REQUIRED = object()   # an attribute without a default must be given


def first_bad(bad, values) -> str:
    """'value at index (i, …)' of the first True entry of ``bad`` (just the value for a scalar)."""
    where = tuple(int(i) for i in np.argwhere(bad)[0])
    return f"{np.asarray(values)[where]:g} at index {where}" if where else f"{float(values):g}"


def number_latex(x) -> str:
    r"""A number as a formula writes it: 2, 0.5, 10^{-5}, and an exact value the float stands
    for when it is a simple one (rac{1}{3}, rac{1}{\sqrt{2}}, \sqrt{3}) rather than its digits.

    >>> number_latex(2.0), number_latex(0.01), number_latex(-1.5), number_latex(1e-05), number_latex(2.5e-08)
    ('2', '0.01', '-1.5', '10^{-5}', '2.5 \\times 10^{-8}')
    >>> number_latex(1 / 3), number_latex(2 ** -0.5), number_latex(-(3 ** 0.5)), number_latex(0.1234567)
    ('\\frac{1}{3}', '\\frac{1}{\\sqrt{2}}', '-\\sqrt{3}', '0.123457')
    """
    x = float(x)
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        power = "10^{" + str(int(exponent)) + "}"
        return power if mantissa == "1" else ("-" + power if mantissa == "-1" else mantissa + r" \times " + power)
    if len(text.lstrip("-").replace(".", "").lstrip("0")) < 6:   # short digits say it exactly: 0.5, 0.25
        return text
    return _exact(x) or text


def _exact(x):
    """The simple exact value ``x`` stands for (p/q, √n, 1/√n with small integers), or None."""
    sign, x = ("-", -x) if x < 0 else ("", x)
    for q in range(2, 13):
        p = x * q
        if abs(p - round(p)) < 1e-9 * p and round(p) < 100:
            return sign + r"\frac{" + str(round(p)) + "}{" + str(q) + "}"
    for n in range(2, 101):
        root = math.isqrt(n)
        if root * root == n:
            continue
        if abs(x * x - n) < 1e-9 * n:
            return sign + r"\sqrt{" + str(n) + "}"
        if abs(1 / (x * x) - n) < 1e-9 * n:
            return sign + r"\frac{1}{\sqrt{" + str(n) + "}}"
    return None


def _number(name, kind, value, where):
    """An int or float attribute, checked."""
    expected = "a whole number" if kind is int else "a finite number"
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise OpError(f"{where}: {name} must be {expected}; got {value!r}")
    if kind is int:
        if isinstance(value, (float, np.floating)) and not float(value).is_integer():
            raise OpError(f"{where}: {name} must be {expected}; got {value!r}")
        return int(value)
    try:
        value = float(value)
    except OverflowError:
        raise OpError(f"{where}: {name} must be {expected}; got a number too large") from None
    if not math.isfinite(value):
        raise OpError(f"{where}: {name} must be {expected}; got {value!r}")
    return value


def _flag(name, value, where):
    if not isinstance(value, (bool, np.bool_)):
        raise OpError(f"{where}: {name} must be true or false; got {value!r}")
    return bool(value)


def _whole_numbers(name, value, where):
    """A tuple of whole numbers (a shape, a stride per axis); one number is a tuple of one."""
    items = value if isinstance(value, (list, tuple)) else (value,)
    if not items:
        raise OpError(f"{where}: {name} must be a whole number or a list of them; got {value!r}")
    return tuple(_number(name, int, item, where) for item in items)


def _index_key(name, value, where):
    """A basic index as text (``"0, 1:3, ::2"``), from the text or from Python's ints, slices, tuples."""
    from graphjac.core.ops.indexing import key_text
    try:
        return key_text(value)
    except ValueError as exc:
        raise OpError(f"{where}: {name}: {exc}") from None


CONVERTERS = {bool: _flag, tuple: _whole_numbers, "key": _index_key}
JSON_TYPES = {
    bool: {"type": "boolean"},
    tuple: {"oneOf": [{"type": "integer"}, {"type": "array", "items": {"type": "integer"}}]},
    "key": {"type": "string"},
}


@record
class Attr:
    """A parameter of an op (an exponent, a slope, an axis): its type, default and check, and
    how formulas show it. Everything else (``Graph.apply``'s keywords, the spec fields, the
    notation) is derived from this declaration.

    ``kind`` is ``float``, ``int``, ``bool``, ``tuple`` (whole numbers: a shape, a stride per
    axis) or ``"key"`` (a basic index, kept as text); ``check(value)`` returns what is wrong, or None;
    ``latex(value)`` gives the template placeholders (default: ``$name`` as the number).
    """

    name: str
    kind: type = float
    default: object = REQUIRED
    help: str = ""
    check: Optional[Callable] = None
    latex: Optional[Callable] = None
    optional: bool = False    # None is a value (no axis: every element)
    quiet: bool = False       # left out of a node's attributes while it has its default (an attribute few nodes set)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    def validate(self, value, where: str):
        """``value`` as the attribute's type, or OpError saying what was expected."""
        if value is None and self.optional:
            return None
        if self.kind in CONVERTERS:
            value = CONVERTERS[self.kind](self.name, value, where)
        else:
            value = _number(self.name, self.kind, value, where)
        problem = self.check(value) if self.check else None
        if problem:
            shown = number_latex(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else value
            raise OpError(f"{where}: {self.name} {problem}; got {shown}")
        return value

    @property
    def json_type(self) -> dict:
        """The attribute's JSON Schema (for the shipped spec schema)."""
        return JSON_TYPES.get(self.kind, {"type": "integer" if self.kind is int else "number"})

    def placeholders(self, value) -> dict:
        """What the op's LaTeX templates read for this attribute."""
        if self.latex is not None:
            return self.latex(value)
        if value is None:
            return {self.name: ""}
        if isinstance(value, (bool, str)):
            return {self.name: str(value)}
        if isinstance(value, tuple):
            return {self.name: ", ".join(map(str, value))}
        return {self.name: number_latex(value)}


@record
class Case:
    """Operands to test an op on: one sample's values (``operands``), its attributes, and which
    operands may be a minibatch (the rest are parameters, shared by the samples); ``integer``
    operands hold whole numbers (class labels, ids) and carry no gradient."""

    operands: tuple
    attrs: dict = field(default_factory=dict)
    batchable: tuple = (0,)
    integer: tuple = ()


class Ctx:
    """The operands of one op application: values, minibatch flags and attributes.

    ``out`` is filled in after the forward pass so that backward can reuse it
    (``a(1 − a)`` needs only the output of a sigmoid).
    """

    __slots__ = ("args", "arg_batch", "batch", "attrs", "out", "extra")

    def __init__(self, args, arg_batch, batch, attrs):
        self.args = args
        self.arg_batch = arg_batch
        self.batch = batch
        self.attrs = attrs
        self.out = None
        self.extra = None  # op-private cache (softmax keeps log p here; a sigmoid z and e^{−z})

    def sample_axes(self, value):
        """Axes of ``value`` that belong to one sample (all axes if not a minibatch)."""
        return tuple(range(1 if self.batch else 0, value.ndim if type(value) is np.ndarray else np.ndim(value)))


@record
class Slot:
    """One argument of an op and everything backward needs to know about it.

    ``vjp(ctx, g)`` returns ∂J/∂arg (shape of the argument) from g = ∂J/∂out;
    ``jacobian(ctx)`` the per-sample local Jacobian ∂out/∂arg as a 2-D array, where the op has
    a cheaper one than the rows of its VJP (the engine derives it from ``vjp`` otherwise, and the
    registry tests hold a declared one to the derived one);
    ``local`` the LaTeX of ∂out/∂arg; ``chain`` the LaTeX of ∂J/∂arg when it is not
    simply ``g · local``. ``vjp=None`` says explicitly: no gradient flows here
    (loss targets, class labels).
    """

    name: str
    vjp: Optional[Callable] = None
    jacobian: Optional[Callable] = None
    local: Optional[str] = None
    chain: Optional[str] = None
    may_raise: bool = False   # the VJP checks its operands (u = 0 for √u): backward runs it at once

    @property
    def differentiable(self) -> bool:
        return self.vjp is not None


@record
class Op:
    """A registered operation.

    ``infer(shapes, attrs)`` gets the per-sample shapes of the operands and returns the
    per-sample shape of the result, or raises OpError saying what was expected.
    ``reduces_batch`` marks sum and mean, whose result is one number for the whole batch (a
    function of the attributes where it depends on them: a sum along an axis keeps the batch);
    ``elementwise`` marks ops whose local Jacobian is diagonal (figures write diag(·) and ⊙).
    ``latex`` is the forward formula as a ``string.Template`` (``$out = ...``) or a callable
    taking the template's mapping.
    """

    name: str
    slots: tuple
    forward: Callable
    infer: Callable
    latex: object
    kind: str
    reduces_batch: object = False
    elementwise: bool = False   # ∂out/∂arg is diagonal where the shapes agree: the chain rule is ⊙
    broadcasts: bool = False    # operands repeat over the result's axes (u + b): their gradients sum over them
    batch_from: Optional[int] = None  # only this operand decides whether the result is a minibatch
    summary: str = ""
    attrs: tuple = ()           # the op's Attr declarations
    min_arity: Optional[int] = None   # trailing operands may be left out (a bias, γ and β)
    batch_check: Optional[Callable] = None   # (minibatch flags, sample shapes, attrs) -> what is wrong, or None
    mixes_samples: bool = False # each sample's result reads every sample (batch norm): needs a minibatch
    torch: tuple = ()           # the torch functions and modules it stands for (from_torch, the docs)
    gate: Optional[str] = None  # its sign on a gate of the circuit style (LaTeX; default: its name)
    domain: Optional[Callable] = None      # rng -> Case: operands to test it on (tests/test_registry.py)
    reference: Optional[Callable] = None   # (torch, *operands, **attrs) -> its value, computed by torch

    @property
    def arity(self) -> int:
        return len(self.slots)

    @property
    def fewest(self) -> int:
        """The fewest operands it takes (optional trailing operands left out)."""
        return self.arity if self.min_arity is None else self.min_arity

    def reduces(self, attrs: dict) -> bool:
        """Whether the result is one value for the whole minibatch."""
        return self.reduces_batch(attrs) if callable(self.reduces_batch) else self.reduces_batch

    def attributes(self, given: dict, where: str) -> dict:
        """The op's attributes from keyword arguments: each validated, defaults filled in; an
        unknown keyword or a missing one is an OpError (with a "did you mean")."""
        known = {a.name: a for a in self.attrs}
        for key in given:
            if key not in known:
                close = close_matches(str(key), known)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                takes = f"it takes {', '.join(known)}" if known else "it takes none"
                raise OpError(f"{where}: {self.name} has no attribute {key!r}{hint} ({takes})")
        out = {}
        for attr in self.attrs:
            if attr.name in given:
                out[attr.name] = attr.validate(given[attr.name], where)
            elif attr.required:
                raise OpError(f"{where}: {self.name} needs the attribute {attr.name} ({attr.help})")
            elif not attr.quiet:
                out[attr.name] = attr.default
        return out

    def placeholders(self, attrs: dict) -> dict:
        """The template placeholders of the attribute values ``attrs``."""
        out = {}
        for attr in self.attrs:
            out.update(attr.placeholders(attrs.get(attr.name, attr.default)))
        return out


def elementwise_slot(op_name, slot_name, local, local_latex, may_raise=False) -> Slot:
    """The slot of a one-operand elementwise op whose derivative is ``local(ctx)`` (shape of the
    result): its VJP is g ⊙ local, its per-sample Jacobian diag(local)."""
    def vjp(ctx, g):
        return g * local(ctx)

    def jacobian(ctx):
        return np.diag(np.asarray(local(ctx), dtype=float).reshape(-1))

    vjp.__name__ = vjp.__qualname__ = f"{op_name}_vjp"
    jacobian.__name__ = jacobian.__qualname__ = f"{op_name}_jacobian"
    return Slot(slot_name, vjp=vjp, jacobian=jacobian, local=local_latex, may_raise=may_raise)


# --------------------------------------------------------------------------- test domains


def uniform(*shapes, low=-2.0, high=2.0, away=0.0, attrs=None, batchable=(0,)):
    """A domain: operands of ``shapes`` drawn uniformly from [low, high], at least ``away`` from 0
    (clear of a kink), with the attributes ``attrs``.

    >>> case = uniform((2,), (), away=0.5)(np.random.default_rng(0))
    >>> [x.shape for x in case.operands], bool(np.all(np.abs(case.operands[0]) >= 0.5))
    ([(2,), ()], True)
    """
    def domain(rng):
        operands = []
        for shape in shapes:
            x = rng.uniform(low, high, shape)
            if away:
                x = np.where(np.abs(x) < away, np.copysign(away, x) + x, x)
            operands.append(np.asarray(x, dtype=float))
        return Case(tuple(operands), dict(attrs or {}), batchable)
    return domain


def derived_jacobian(ctx, k, vjp, sample=0):
    """∂out⁽ⁱ⁾/∂(operand k)⁽ⁱ⁾ as the rows of the slot's VJP, one row per element of the result's
    sample ``i`` (the whole result outside a minibatch): what a declared Jacobian must equal.

    >>> from graphjac.core.ops import REGISTRY
    >>> ctx = Ctx((np.array([1.0, 2.0]), np.array([3.0, 5.0])), (False, False), False, {})
    >>> ctx.out = ctx.args[0] * ctx.args[1]
    >>> derived_jacobian(ctx, 0, REGISTRY["mul"].slots[0].vjp).tolist()
    [[3.0, 0.0], [0.0, 5.0]]
    """
    out = ctx.out
    if ctx.batch and not -out.shape[0] <= sample < out.shape[0]:
        raise OpError(f"sample {sample} is out of range for a minibatch of {out.shape[0]}")
    size = out[sample].size if ctx.batch else out.size
    rows = []
    for element in range(size):
        g = np.zeros(out.shape)
        if ctx.batch:
            g.reshape(out.shape[0], -1)[sample, element] = 1.0   # a view: g[sample] of a scalar sample is a copy
        else:
            g.flat[element] = 1.0
        share = np.asarray(vjp(ctx, g), dtype=float)
        rows.append((share[sample] if ctx.arg_batch[k] else share).reshape(-1))
    width = ctx.args[k][sample].size if ctx.arg_batch[k] else np.size(ctx.args[k])
    return np.stack(rows) if rows else np.zeros((0, width))


# --------------------------------------------------------------------------- shape helpers

def broadcast_shapes(*shapes):
    """numpy's broadcast of per-sample shapes, as OpError on failure.

    >>> broadcast_shapes((3,), ())
    (3,)
    """
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise OpError("operand shapes " + " and ".join(map(str, shapes)) + " do not broadcast") from None


def align(ctx, i):
    """Operand ``i`` reshaped so that numpy broadcasting matches per-sample broadcasting.

    A minibatch operand whose samples have fewer axes than the result gets unit axes after
    its batch axis (numpy would otherwise pad on the left, across the batch axis).
    """
    value = ctx.args[i]
    if not ctx.arg_batch[i]:
        return value
    rank = np.ndim(ctx.out) if ctx.out is not None else _result_rank(ctx)
    missing = rank - value.ndim
    if missing <= 0:
        return value
    return value.reshape(value.shape[:1] + (1,) * missing + value.shape[1:])


def _result_rank(ctx):
    per_sample = [a.ndim - (1 if b else 0) for a, b in zip(ctx.args, ctx.arg_batch)]
    return max(per_sample) + (1 if ctx.batch else 0)


def unbroadcast(ctx, i, g):
    """Sum ``g`` (shape of the result) back to the shape of operand ``i``."""
    value = ctx.args[i]
    if g.shape == value.shape:
        return g
    target = align(ctx, i).shape
    while g.ndim > len(target):
        g = g.sum(axis=0)
    for axis, n in enumerate(target):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis=axis, keepdims=True)
    return g.reshape(value.shape)


def broadcast_jacobian(in_shape, out_shape):
    """The 0/1 matrix of ∂ broadcast_to(u, out_shape) / ∂u, numerator layout.

    >>> broadcast_jacobian((), (2,)).tolist()
    [[1.0], [1.0]]
    """
    size = int(np.prod(in_shape, dtype=int))
    index = np.arange(size).reshape(in_shape)
    spread = np.broadcast_to(index, out_shape).ravel()
    jac = np.zeros((spread.size, size))
    jac[np.arange(spread.size), spread] = 1.0
    return jac


def linear_jacobian(linear, shape):
    """The Jacobian of a linear map of an array of ``shape``, one column per basis array."""
    size = int(np.prod(shape, dtype=int))
    columns = [np.asarray(linear(np.eye(size)[j].reshape(shape)), dtype=float).reshape(-1) for j in range(size)]
    return np.stack(columns, axis=1)


def diag_jacobian(local, in_shape, out_shape):
    """Jacobian of an elementwise map whose derivative is ``local`` (shape out_shape)."""
    return np.asarray(local, dtype=float).reshape(-1)[:, None] * broadcast_jacobian(in_shape, out_shape)
