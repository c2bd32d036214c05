"""The lecture's elementary functions: x + y, x − y, xy, x², xᵖ, Σ, mean and u⃗·v⃗."""

from __future__ import annotations

import numpy as np

from .base import Op, OpError, Slot, align, broadcast_jacobian, broadcast_shapes, diag_jacobian, unbroadcast


def _identity_local(m):
    return "I" if m.vector_out else "1"


def _elementwise_infer(shapes, attrs):
    return broadcast_shapes(*shapes)


def _same_shape_infer(shapes, attrs):
    return shapes[0]


def _scalar_infer(shapes, attrs):
    return ()


def sum_to(value, shape):
    """Sum the leading axes of ``value`` until it has ``len(shape)`` axes."""
    while value.ndim > len(shape):
        value = value.sum(axis=0)
    return value


# ---------------------------------------------------------------------------- z = u + v


def _passing_slot(name, i):
    """An operand that passes through unchanged (∂z/∂u = I): its gradient is g, summed where u was broadcast."""
    return Slot(name, vjp=lambda ctx, g: unbroadcast(ctx, i, g),
                jacobian=lambda ctx: broadcast_jacobian(ctx.args[i].shape, ctx.out.shape),
                local=_identity_local)


ADD = Op(
    name="add", kind="add", summary="z = u + v",
    forward=lambda ctx: align(ctx, 0) + align(ctx, 1),
    infer=_elementwise_infer,
    latex="$out = $u + $v",
    slots=(_passing_slot("u", 0), _passing_slot("v", 1)),
)

# ---------------------------------------------------------------------------- z = u − v

SUB = Op(
    name="sub", kind="sub", summary="z = u − v",
    forward=lambda ctx: align(ctx, 0) - align(ctx, 1),
    infer=_elementwise_infer,
    latex="$out = $u - $v",
    slots=(
        _passing_slot("u", 0),
        Slot("v", vjp=lambda ctx, g: -unbroadcast(ctx, 1, g),
             jacobian=lambda ctx: -broadcast_jacobian(ctx.args[1].shape, ctx.out.shape),
             local=lambda m: "-I" if m.vector_out else "-1"),
    ),
)

# ---------------------------------------------------------------------------- z = u v


def _mul_jacobian(ctx, i):
    other = np.broadcast_to(ctx.args[1 - i], ctx.out.shape)
    return diag_jacobian(other, ctx.args[i].shape, ctx.out.shape)


MUL = Op(
    name="mul", kind="mul", elementwise=True, summary="z = u v (elementwise)",
    forward=lambda ctx: align(ctx, 0) * align(ctx, 1),
    infer=_elementwise_infer,
    latex=r"$out = $u \, $v",
    slots=(
        Slot("u", vjp=lambda ctx, g: unbroadcast(ctx, 0, g * align(ctx, 1)),
             jacobian=lambda ctx: _mul_jacobian(ctx, 0), local="$v"),
        Slot("v", vjp=lambda ctx, g: unbroadcast(ctx, 1, g * align(ctx, 0)),
             jacobian=lambda ctx: _mul_jacobian(ctx, 1), local="$u"),
    ),
)

# ---------------------------------------------------------------------------- z = u²

SQUARE = Op(
    name="square", kind="square", elementwise=True, summary="z = u²",
    forward=lambda ctx: ctx.args[0] * ctx.args[0],
    infer=_same_shape_infer,
    latex="$out = $u^{2}",
    slots=(
        Slot("u", vjp=lambda ctx, g: g * 2.0 * ctx.args[0],
             jacobian=lambda ctx: np.diag(2.0 * ctx.args[0].reshape(-1)),
             local="2 $u"),
    ),
)

# ---------------------------------------------------------------------------- z = uᵖ


def _format_exponent(p):
    return str(int(p)) if float(p).is_integer() else repr(float(p))


def _pow_forward(ctx):
    u, p = ctx.args[0], ctx.attrs["exponent"]
    if not float(p).is_integer() and np.any(u < 0):
        raise OpError(f"u^{_format_exponent(p)} needs u ≥ 0 for a non-integer exponent; got {u.min():g}")
    if p < 0 and np.any(u == 0):
        raise OpError(f"u^{_format_exponent(p)} is infinite at u = 0")
    return u ** p


def _pow_local(ctx):
    u, p = ctx.args[0], ctx.attrs["exponent"]
    if p == 0:
        return np.zeros_like(u)
    if p < 1 and p != 0 and np.any(u == 0):
        raise OpError(f"the derivative of u^{_format_exponent(p)} is infinite at u = 0")
    return p * u ** (p - 1)


POW = Op(
    name="pow", kind="pow", elementwise=True, summary="z = uᵖ for a number p", attrs=("exponent",),
    forward=_pow_forward,
    infer=_same_shape_infer,
    latex="$out = $u^{$p}",
    slots=(
        Slot("u", vjp=lambda ctx, g: g * _pow_local(ctx),
             jacobian=lambda ctx: np.diag(_pow_local(ctx).reshape(-1)),
             local="$p $u^{$p_minus_1}"),
    ),
)

# ---------------------------------------------------------------------------- z = Σ u


def _reduction_latex(m, scale):
    """Σ (or mean) as the lecture writes it: over samples i, over components k, or both."""
    if m.batch_in and not m.vector_in:
        return "$out = " + scale("N") + r"\sum_{i=1}^{N} $u"
    if m.batch_in:
        return "$out = " + scale(str(m.count)) + r"\sum_{i=1}^{N} \sum_{k} $u_k"
    return "$out = " + scale(str(m.count)) + r"\sum_{k=1}^{" + str(m.count) + "} $u_k"


SUM = Op(
    name="sum", kind="sum", summary="z = Σₖ uₖ (all elements)", reduces_batch=True,
    forward=lambda ctx: ctx.args[0].sum(),
    infer=_scalar_infer,
    latex=lambda m: _reduction_latex(m, lambda n: ""),
    slots=(
        Slot("u", vjp=lambda ctx, g: np.full(ctx.args[0].shape, g),
             jacobian=lambda ctx: np.ones((1, ctx.args[0].size)),
             local=lambda m: _ones_row(m) or "1"),
    ),
)

# ---------------------------------------------------------------------------- z = (1/n) Σ u


def _mean_scale(m):
    return "N" if m.batch_in and not m.vector_in else str(m.count)


def _ones_row(m):
    """The row (1, 1, 1) that ∂(Σₖ uₖ)/∂u⃗ is, for a vector u⃗ (1 for a scalar or a minibatch)."""
    if not m.vector_in or m.batch_in:
        return ""
    ones = ", ".join(["1"] * m.count) if m.count <= 4 else r"1, \ldots, 1"
    return "(" + ones + ")"


def _mean_local(m):
    row = _ones_row(m)
    return r"\frac{1}{" + _mean_scale(m) + "}" + (r" \, " + row if row else "")


MEAN = Op(
    name="mean", kind="mean", summary="z = (1/n) Σₖ uₖ (all elements; over the minibatch: J = (1/N) Σᵢ J₀⁽ⁱ⁾)",
    reduces_batch=True,
    forward=lambda ctx: ctx.args[0].sum() / ctx.args[0].size,
    infer=_scalar_infer,
    latex=lambda m: _reduction_latex(m, lambda n: r"\frac{1}{" + n + "} "),
    slots=(
        Slot("u", vjp=lambda ctx, g: np.full(ctx.args[0].shape, g / ctx.args[0].size),
             jacobian=lambda ctx: np.full((1, ctx.args[0].size), 1.0 / ctx.args[0].size),
             local=_mean_local),
    ),
)

# ---------------------------------------------------------------------------- z = u⃗ · v⃗


def _dot_infer(shapes, attrs):
    u, v = shapes
    if len(u) != 1 or len(v) != 1 or u != v:
        raise OpError(f"u·v needs two vectors of the same length; got shapes {u} and {v}")
    return ()


def _dot_vjp(ctx, g, i):
    """∂J/∂(operand i) = g · (the other operand)ᵀ, summed over samples if operand i is shared."""
    return sum_to(np.asarray(g)[..., None] * ctx.args[1 - i], ctx.args[i].shape)


DOT = Op(
    name="dot", kind="dot", summary="z = u⃗ · v⃗",
    forward=lambda ctx: (ctx.args[0] * ctx.args[1]).sum(axis=-1),
    infer=_dot_infer,
    latex=r"$out = $u \cdot $v",
    slots=(
        Slot("u", vjp=lambda ctx, g: _dot_vjp(ctx, g, 0),
             jacobian=lambda ctx: ctx.args[1].reshape(1, -1), local="$v^{T}"),
        Slot("v", vjp=lambda ctx, g: _dot_vjp(ctx, g, 1),
             jacobian=lambda ctx: ctx.args[0].reshape(1, -1), local="$u^{T}"),
    ),
)

OPS = (ADD, SUB, MUL, SQUARE, POW, SUM, MEAN, DOT)
