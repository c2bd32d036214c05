"""The lecture's elementary functions: x + y, x − y, xy, x², xᵖ, Σ, mean and u⃗·v⃗."""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import (Attr, Op, OpError, Slot, align, broadcast_jacobian, broadcast_shapes, diag_jacobian, linear_jacobian, number_latex, unbroadcast, uniform)


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
    def vjp(ctx, g):
        return unbroadcast(ctx, i, g)

    def jacobian(ctx):
        return broadcast_jacobian(ctx.args[i].shape, ctx.out.shape)

    vjp.__name__ = vjp.__qualname__ = f"passing_vjp_{name}"
    return Slot(name, vjp=vjp, jacobian=jacobian, local=_identity_local)


def _add(ctx):
    return align(ctx, 0) + align(ctx, 1)


def _negative_constant(m, slot):
    """Whether the operand in ``slot`` is written with a minus (a constant −1, an inlined −a):
    u + (−1) is u − 1, r + (−a) is r − a."""
    return m[slot].startswith("-")


def _add_latex(m):
    if _negative_constant(m, "v"):
        return "$out = $u - " + m["v"][1:]
    return "$out = $u + $v"


ADD = Op(
    name="add", gate=r"+", broadcasts=True, kind="add", summary="z = u + v",
    forward=_add, infer=_elementwise_infer,
    latex=_add_latex,
    slots=(_passing_slot("u", 0), _passing_slot("v", 1)),
    torch=("torch.add", "operator.add", "Tensor.add"),
    domain=uniform((2, 3), (3,)), reference=lambda t, u, v: u + v,
)

# ---------------------------------------------------------------------------- z = u − v


def _sub(ctx):
    return align(ctx, 0) - align(ctx, 1)


def _sub_latex(m):
    if _negative_constant(m, "v"):
        return "$out = $u + " + m["v"][1:]
    return "$out = $u - $v"


def _sub_vjp_v(ctx, g):
    return -unbroadcast(ctx, 1, g)


def _sub_jacobian_v(ctx):
    return -broadcast_jacobian(ctx.args[1].shape, ctx.out.shape)


SUB = Op(
    name="sub", gate=r"-", broadcasts=True, kind="sub", summary="z = u − v",
    forward=_sub, infer=_elementwise_infer,
    latex=_sub_latex,
    slots=(
        _passing_slot("u", 0),
        Slot("v", vjp=_sub_vjp_v, jacobian=_sub_jacobian_v, local=lambda m: "-I" if m.vector_out else "-1"),
    ),
    torch=("torch.sub", "operator.sub", "Tensor.sub"),
    domain=uniform((2, 3), (3,)), reference=lambda t, u, v: u - v,
)

# ---------------------------------------------------------------------------- z = u v


def _mul(ctx):
    return align(ctx, 0) * align(ctx, 1)


def _mul_latex(m):
    """u v, or a constant written first as a lecturer writes it: 0.5u, −2s, −s (not s · −2), λ u,
    and u ⊙ v for an elementwise product of two arrays (never juxtaposed as if a matrix product)."""
    for constant, other in (("v", "u"), ("u", "v")):
        if constant in m.constant and other not in m.constant:
            coefficient = {"-1": "-", "1": ""}.get(m[constant], "$" + constant + " ")
            if coefficient.endswith(" ") and not _plain_factor(m[constant]):
                coefficient += r"\cdot "   # λ/2 · r, not λ/2r
            elif coefficient.endswith(" ") and m[other].startswith((r"\mathrm", r"\text")):
                coefficient += r"\, "   # 2 add₉, not 2add₉
            return "$out = " + coefficient + "$" + other
    if m.sample_shapes.get("u") and m.sample_shapes.get("v"):
        return r"$out = $u \odot $v"
    return r"$out = $u \, $v"


def _plain_factor(symbol) -> bool:
    """A coefficient that juxtaposes cleanly: a number or one letter (0.5, λ, w₁)."""
    import re
    return bool(re.fullmatch(r"-?[0-9.]+|-?(\\[A-Za-z]+|[A-Za-z])(_\{[^{}]*\})?", symbol))


def _mul_vjp_u(ctx, g):
    return unbroadcast(ctx, 0, g * align(ctx, 1))


def _mul_vjp_v(ctx, g):
    return unbroadcast(ctx, 1, g * align(ctx, 0))


def _mul_jacobian(ctx, i):
    other = np.broadcast_to(ctx.args[1 - i], ctx.out.shape)
    return diag_jacobian(other, ctx.args[i].shape, ctx.out.shape)


MUL = Op(
    name="mul", gate=r"\times", broadcasts=True, kind="mul", elementwise=True, summary="z = u v (elementwise)",
    forward=_mul, infer=_elementwise_infer,
    latex=_mul_latex,
    slots=(
        Slot("u", vjp=_mul_vjp_u, jacobian=lambda ctx: _mul_jacobian(ctx, 0), local="$v"),
        Slot("v", vjp=_mul_vjp_v, jacobian=lambda ctx: _mul_jacobian(ctx, 1), local="$u"),
    ),
    torch=("torch.mul", "operator.mul", "Tensor.mul"),
    domain=uniform((2, 3), (3,)), reference=lambda t, u, v: u * v,
)

# ---------------------------------------------------------------------------- z = u²


def _square(ctx):
    return ctx.args[0] * ctx.args[0]


def _square_vjp(ctx, g):
    return g * 2.0 * ctx.args[0]


def _square_jacobian(ctx):
    return np.diag(2.0 * ctx.args[0].reshape(-1))


SQUARE = Op(
    name="square", gate=r"(\cdot)^{2}", kind="square", elementwise=True, summary="z = u²",
    forward=_square, infer=_same_shape_infer,
    latex="$out = $u^{2}",
    slots=(Slot("u", vjp=_square_vjp, jacobian=_square_jacobian, local="2 $u"),),
    torch=("torch.square",), domain=uniform((2, 3)), reference=lambda t, u: u * u,
)

# ---------------------------------------------------------------------------- z = uᵖ


def _pow_forward(ctx):
    u, p = ctx.args[0], ctx.attrs["exponent"]
    if not float(p).is_integer() and np.any(u < 0):
        raise OpError(f"u^{number_latex(p)} needs u ≥ 0 for a non-integer exponent; got {u.min():g}")
    if p < 0 and np.any(u == 0):
        raise OpError(f"u^{number_latex(p)} is infinite at u = 0")
    return u ** p


def _pow_local(ctx):
    u, p = ctx.args[0], ctx.attrs["exponent"]
    if p == 0:
        return np.zeros_like(u)
    if p < 1 and p != 0 and np.any(u == 0):
        raise OpError(f"the derivative of u^{number_latex(p)} is infinite at u = 0")
    return p * u ** (p - 1)


def _pow_vjp(ctx, g):
    return g * _pow_local(ctx)


def _pow_jacobian(ctx):
    return np.diag(_pow_local(ctx).reshape(-1))


def _power_local(m):
    """p u^{p−1} as a lecturer writes it: −u^{−2} for p = −1 (not −1u⁻²), ½u^{−½} as 0.5 u^{−0.5}."""
    coefficient = {"1": "", "-1": "-"}.get(m["p"], m["p"] + " ")
    return coefficient + ("$u" if m["p_minus_1"] == "1" else "{$u}^{$p_minus_1}")


def _exponent_latex(p):
    return {"p": number_latex(p), "p_minus_1": number_latex(p - 1)}


POW = Op(
    name="pow", kind="pow", elementwise=True, summary="z = uᵖ for a number p",
    attrs=(Attr("exponent", float, help="the power p of u^p, a finite number", latex=_exponent_latex),),
    forward=_pow_forward, infer=_same_shape_infer,
    latex="$out = $u^{$p}",
    slots=(Slot("u", vjp=_pow_vjp, jacobian=_pow_jacobian, local=lambda m: _power_local(m), may_raise=True),),
    torch=("torch.pow", "operator.pow", "Tensor.pow"),
    domain=lambda rng: [uniform((3,), attrs={"exponent": 3.0})(rng),
                        uniform((3,), low=0.5, high=2.0, attrs={"exponent": -1.5})(rng)],
    reference=lambda t, u, exponent: u ** exponent,
)

# ---------------------------------------------------------------------------- z = Σ u, (1/n) Σ u (all elements, or along an axis)


def _reduction_latex(m, scale):
    """Σ (or mean) as the lecture writes it: over samples i, over components k, or both."""
    if m.axis is not None:
        n = str(m.axis_count)
        return "$out = " + scale(n) + r"\sum_{k=1}^{" + n + r"} ($u)_{k}"
    if m.batch_in and not m.vector_in:
        return "$out = " + scale("N") + r"\sum_{i=1}^{N} $u"
    if m.batch_in:
        return "$out = " + scale(str(m.count)) + r"\sum_{i=1}^{N} \sum_{k} $u_k"
    return "$out = " + scale(str(m.count)) + r"\sum_{k=1}^{" + str(m.count) + "} $u_k"


def _along(ctx):
    """The numpy axis of the attribute ``axis`` (which counts the axes of one sample)."""
    axis = ctx.attrs.get("axis")
    return axis if axis is None or axis < 0 or not ctx.arg_batch[0] else axis + 1


def _reduction_infer(shapes, attrs):
    axis = attrs.get("axis")
    if axis is None:
        return ()
    shape = shapes[0]
    if not -len(shape) <= axis < len(shape):
        raise OpError(f"axis {axis} is out of range for one sample of shape {shape} "
                      f"(axis counts the axes of one sample; without it every element is taken)")
    axis %= len(shape)
    kept = (1,) if attrs.get("keepdims") else ()
    return shape[:axis] + kept + shape[axis + 1:]


def _minibatch_axis(batch, shapes, attrs):
    """axis=0 on a minibatch of vectors: a per-sample reduction where numpy's habit means the
    minibatch (a batch norm's mean, not a layer norm's), so it is said rather than guessed."""
    if batch[0] and attrs.get("axis") == 0 and len(shapes[0]) == 1:
        return ("axis counts the axes of one sample, and a sample here is a vector: axis=0 would reduce "
                "each sample's own elements, not the minibatch; write axis=-1 for that, or reduce over the "
                "minibatch with g.batch_norm(...) or with no axis (every element)")
    return None


def _count(ctx):
    axis = _along(ctx)
    return ctx.args[0].size if axis is None else ctx.args[0].shape[axis]


def _sum(ctx):
    axis = _along(ctx)
    return ctx.args[0].sum() if axis is None else ctx.args[0].sum(axis=axis, keepdims=ctx.attrs["keepdims"])


def _spread(ctx, g, scale=1.0):
    """g (times ``scale``) back over the summed elements: everywhere, or repeated along the axis."""
    axis = _along(ctx)
    if axis is None:   # g is one number (np.full costs twice as much for a minibatch's few)
        out = np.empty(ctx.args[0].shape)
        out.fill(float(g) * scale)
        return out
    if scale != 1.0:
        g = g * scale
    if not ctx.attrs["keepdims"]:
        g = np.expand_dims(g, axis)
    return np.broadcast_to(g, ctx.args[0].shape).copy()


def _sum_vjp(ctx, g):
    return _spread(ctx, g)


def _sum_jacobian(ctx):
    if ctx.attrs.get("axis") is None:
        return np.ones((1, ctx.args[0].size))
    return linear_jacobian(lambda u: u.sum(axis=ctx.attrs["axis"]), ctx.args[0].shape)


def _mean(ctx):
    u = ctx.args[0]
    if ctx.attrs.get("axis") is None:
        return u.sum() / u.size
    return _sum(ctx) / _count(ctx)


def _mean_vjp(ctx, g):
    return _spread(ctx, g, 1.0 / _count(ctx))


def _mean_jacobian(ctx):
    return _sum_jacobian(ctx) / _count(ctx)


def _mean_scale(m):
    if m.axis is not None:
        return str(m.axis_count)
    return "N" if m.batch_in and not m.vector_in else str(m.count)


def _ones_row(m):
    """The row (1, 1, 1) that ∂(Σₖ uₖ)/∂u⃗ is, for a vector u⃗ (1 for a scalar or a minibatch)."""
    if not m.vector_in or m.batch_in or m.axis is not None:
        return ""
    ones = ", ".join(["1"] * m.count) if m.count <= 4 else r"1, \ldots, 1"
    return "(" + ones + ")"


def _mean_local(m):
    row = _ones_row(m)
    return r"\frac{1}{" + _mean_scale(m) + "}" + (r" \, " + row if row else "")


def _whole(attrs):
    return attrs.get("axis") is None


AXIS = Attr("axis", int, None, "the axis of one sample to reduce (without it: every element, the minibatch "
                               "included)", optional=True)
KEEPDIMS = Attr("keepdims", bool, False, "keep the reduced axis, of length 1 (with an axis)")


def _reduction_cases(rng):
    return [uniform((2, 3))(rng), uniform((2, 3), attrs={"axis": 1})(rng),
            uniform((2, 3), attrs={"axis": 0, "keepdims": True})(rng), uniform((4,), attrs={"axis": -1})(rng)]


def _torch_reduction(name):
    def reference(t, u, axis=None, keepdims=False):
        reduce = getattr(t, name)
        return reduce(u) if axis is None else reduce(u, dim=axis, keepdim=keepdims)
    return reference


SUM = Op(
    name="sum", gate=r"\Sigma", kind="sum", summary="z = Σₖ uₖ (all elements, or along one axis of a sample)",
    reduces_batch=_whole, attrs=(AXIS, KEEPDIMS), batch_check=_minibatch_axis,
    forward=_sum, infer=_reduction_infer,
    latex=lambda m: _reduction_latex(m, lambda n: ""),
    slots=(Slot("u", vjp=_sum_vjp, jacobian=_sum_jacobian, local=lambda m: _ones_row(m) or "1"),),
    torch=("torch.sum", "Tensor.sum"), domain=_reduction_cases, reference=_torch_reduction("sum"),
)

MEAN = Op(
    name="mean", gate=r"\mathrm{mean}", kind="mean", summary="z = (1/n) Σₖ uₖ (all elements: over the minibatch J = (1/N) Σᵢ J₀⁽ⁱ⁾; "
                                      "or along one axis of a sample)",
    reduces_batch=_whole, attrs=(AXIS, KEEPDIMS), batch_check=_minibatch_axis,
    forward=_mean, infer=_reduction_infer,
    latex=lambda m: _reduction_latex(m, lambda n: r"\frac{1}{" + n + "} "),
    slots=(Slot("u", vjp=_mean_vjp, jacobian=_mean_jacobian, local=_mean_local),),
    torch=("torch.mean", "Tensor.mean"), domain=_reduction_cases, reference=_torch_reduction("mean"),
)

# ---------------------------------------------------------------------------- z = u⃗ · v⃗


def _dot_infer(shapes, attrs):
    u, v = shapes
    if len(u) != 1 or len(v) != 1 or u != v:
        raise OpError(f"u·v needs two vectors of the same length; got shapes {u} and {v}")
    return ()


def _dot(ctx):
    return (ctx.args[0] * ctx.args[1]).sum(axis=-1)


def _dot_vjp(ctx, g, i):
    """∂J/∂(operand i) = g · (the other operand)ᵀ, summed over samples if operand i is shared."""
    return sum_to(np.asarray(g)[..., None] * ctx.args[1 - i], ctx.args[i].shape)


def _dot_vjp_u(ctx, g):
    return _dot_vjp(ctx, g, 0)


def _dot_vjp_v(ctx, g):
    return _dot_vjp(ctx, g, 1)


DOT = Op(
    name="dot", gate=r"\cdot", kind="dot", summary="z = u⃗ · v⃗",
    forward=_dot, infer=_dot_infer,
    latex=r"$out = $u \cdot $v",
    slots=(
        Slot("u", vjp=_dot_vjp_u, jacobian=lambda ctx: ctx.args[1].reshape(1, -1), local="$v^{T}"),
        Slot("v", vjp=_dot_vjp_v, jacobian=lambda ctx: ctx.args[0].reshape(1, -1), local="$u^{T}"),
    ),
    torch=("torch.dot",), domain=uniform((3,), (3,), batchable=(0, 1)), reference=lambda t, u, v: (u * v).sum(),
)

OPS = (ADD, SUB, MUL, SQUARE, POW, SUM, MEAN, DOT)
