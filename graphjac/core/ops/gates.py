r"""The gates of every backprop lecture beyond this one: −u, u/v, eᵘ, log, √, |u|, sin, cos,
max and min (CS231n's circuits, Colah's and d2l's graphs, micrograd), the matrix product and
the transpose.

Elementwise gates broadcast per sample as ``add`` and ``mul`` do. At kinks the derivative is
PyTorch's: abs′(0) = 0, and a tie of ``maximum``/``minimum`` sends half the gradient each way.
Domain errors (log of a number ≤ 0, √ of a negative one, division by zero) name the node.
"""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import (Op, OpError, Slot, align, broadcast_shapes, diag_jacobian, elementwise_slot, first_bad, unbroadcast, uniform)


def _same_shape(shapes, attrs):
    return shapes[0]


def _broadcast(shapes, attrs):
    return broadcast_shapes(*shapes)


def _unary(name, forward, local, latex, local_latex, summary, may_raise=False, domain=uniform((2, 3)), **more):
    """An elementwise gate of one operand: out = f(u), ∂out/∂u = ``local(ctx)`` (diagonal); ``more``:
    the torch functions it stands for and its reference."""
    return Op(name=name, kind=name, summary=summary, elementwise=True, forward=forward, infer=_same_shape,
              latex=latex, slots=(elementwise_slot(name, "u", local, local_latex, may_raise),), domain=domain,
              **more)


# ---------------------------------------------------------------------------- −u

NEG = _unary("neg", lambda ctx: -ctx.args[0], lambda ctx: np.full(ctx.args[0].shape, -1.0),
             "$out = -$u", lambda m: "-I" if m.vector_out else "-1", "z = −u",
             gate=r"\times -1", torch=("torch.neg", "operator.neg", "Tensor.neg"), reference=lambda t, u: -u)

# ---------------------------------------------------------------------------- eᵘ, log u


def _exp(ctx):
    return np.exp(ctx.args[0])


EXP = _unary("exp", _exp, lambda ctx: ctx.out, "$out = e^{$u}", "e^{$u}", "z = eᵘ, ∂z/∂u = eᵘ",
             gate=r"\exp", torch=("torch.exp", "Tensor.exp"), reference=lambda t, u: t.exp(u))


def _log(ctx):
    u = ctx.args[0]
    if np.any(u <= 0):
        raise OpError(f"log u needs u > 0; got {first_bad(u <= 0, u)}")
    return np.log(u)


LOG = _unary("log", _log, lambda ctx: 1.0 / ctx.args[0], r"$out = \log $u", r"\frac{1}{$u}",
             "z = log u (natural), ∂z/∂u = 1/u", domain=uniform((2, 3), low=0.2, high=3.0),
             gate=r"\log", torch=("torch.log", "Tensor.log"), reference=lambda t, u: t.log(u))

# ---------------------------------------------------------------------------- √u


def _sqrt(ctx):
    u = ctx.args[0]
    if np.any(u < 0):
        raise OpError(f"√u needs u ≥ 0; got {first_bad(u < 0, u)}")
    return np.sqrt(u)


def _sqrt_local(ctx):
    if np.any(ctx.out == 0):
        raise OpError("the derivative of √u is infinite at u = 0")
    return 0.5 / ctx.out


SQRT = _unary("sqrt", _sqrt, _sqrt_local, r"$out = \sqrt{$u}", r"\frac{1}{2 \sqrt{$u}}", "z = √u, ∂z/∂u = 1/(2√u)",
               may_raise=True, domain=uniform((2, 3), low=0.2, high=3.0),
               gate=r"\sqrt{\cdot}", torch=("torch.sqrt", "Tensor.sqrt"), reference=lambda t, u: t.sqrt(u))

# ---------------------------------------------------------------------------- |u|, sin u, cos u

ABS = _unary("abs", lambda ctx: np.abs(ctx.args[0]), lambda ctx: np.sign(ctx.args[0]), r"$out = |$u|",
             r"\mathrm{sign}($u)", "z = |u|, ∂z/∂u = sign(u) (0 at u = 0, as PyTorch)",
             domain=uniform((2, 3), away=0.1), gate=r"|\cdot|", torch=("torch.abs", "Tensor.abs", "operator.abs"), reference=lambda t, u: t.abs(u))
SIN = _unary("sin", lambda ctx: np.sin(ctx.args[0]), lambda ctx: np.cos(ctx.args[0]), r"$out = \sin $u",
             r"\cos $u", "z = sin u, ∂z/∂u = cos u", gate=r"\sin", torch=("torch.sin", "Tensor.sin"),
             reference=lambda t, u: t.sin(u))
COS = _unary("cos", lambda ctx: np.cos(ctx.args[0]), lambda ctx: -np.sin(ctx.args[0]), r"$out = \cos $u",
             r"-\sin $u", "z = cos u, ∂z/∂u = −sin u", gate=r"\cos", torch=("torch.cos", "Tensor.cos"),
             reference=lambda t, u: t.cos(u))

# ---------------------------------------------------------------------------- u / v


def _div(ctx):
    v = align(ctx, 1)
    if np.any(v == 0):
        raise OpError(f"division by zero: the divisor is {first_bad(ctx.args[1] == 0, ctx.args[1])}")
    return align(ctx, 0) / v


def _div_vjp_u(ctx, g):
    return unbroadcast(ctx, 0, g / align(ctx, 1))


def _div_vjp_v(ctx, g):
    return unbroadcast(ctx, 1, -g * ctx.out / align(ctx, 1))


def _div_jacobian(ctx, i):
    v = np.broadcast_to(ctx.args[1], ctx.out.shape)
    local = 1.0 / v if i == 0 else -ctx.out / v
    return diag_jacobian(local, ctx.args[i].shape, ctx.out.shape)


DIV = Op(
    name="div", gate=r"\div", broadcasts=True, kind="div", elementwise=True, summary="z = u / v (elementwise), ∂z/∂u = 1/v, ∂z/∂v = −u/v²",
    forward=_div, infer=_broadcast,
    latex=r"$out = \frac{$u}{$v}",
    slots=(
        Slot("u", vjp=_div_vjp_u, jacobian=lambda ctx: _div_jacobian(ctx, 0), local=r"\frac{1}{$v}"),
        Slot("v", vjp=_div_vjp_v, jacobian=lambda ctx: _div_jacobian(ctx, 1), local=r"-\frac{$u}{{$v}^{2}}"),
    ),
    torch=("torch.div", "operator.truediv", "Tensor.div"),
    domain=uniform((2, 3), (3,), away=0.3), reference=lambda t, u, v: u / v,
)

# ---------------------------------------------------------------------------- max(u, v), min(u, v)


def _route(ctx, i, larger):
    """CS231n's max gate: the gradient goes to the larger operand (the smaller for min); a tie splits it."""
    u, v = np.broadcast_arrays(align(ctx, 0), align(ctx, 1))
    mine, other = (u, v) if i == 0 else (v, u)
    wins = mine > other if larger else mine < other
    return np.where(wins, 1.0, np.where(mine == other, 0.5, 0.0))


def _extreme(name, numpy_op, larger, symbol):
    def forward(ctx):
        return numpy_op(align(ctx, 0), align(ctx, 1))

    def slot(i, slot_name):
        def vjp(ctx, g):
            return unbroadcast(ctx, i, g * _route(ctx, i, larger))

        def jacobian(ctx):
            one = np.broadcast_to(ctx.args[i], ctx.out.shape)
            other = np.broadcast_to(ctx.args[1 - i], ctx.out.shape)
            local = np.where(one > other if larger else one < other, 1.0, np.where(one == other, 0.5, 0.0))
            return diag_jacobian(local, ctx.args[i].shape, ctx.out.shape)

        vjp.__name__ = vjp.__qualname__ = f"{name}_vjp_{slot_name}"
        mine, theirs = ("$u", "$v") if i == 0 else ("$v", "$u")
        wins, loses = (">", "<") if larger else ("<", ">")
        local = (rf"\begin{{cases}} 1 & {mine} {wins} {theirs} \\ \frac{{1}}{{2}} & {mine} = {theirs} \\ "
                 rf"0 & {mine} {loses} {theirs} \end{{cases}}")
        return Slot(slot_name, vjp=vjp, jacobian=jacobian, local=local)

    return Op(name=name, kind=name, elementwise=True, broadcasts=True, forward=forward, infer=_broadcast,
              summary=f"z = {symbol}(u, v): the gradient goes to the {'larger' if larger else 'smaller'} "
                      "operand (a tie: half each, as PyTorch)",
              latex=rf"$out = \{symbol}($u, $v)", slots=(slot(0, "u"), slot(1, "v")), gate=rf"\{symbol}",
              torch=(f"torch.{name}",), domain=uniform((2, 3), (3,)),
              reference=lambda t, u, v: getattr(t, name)(u, v))


MAXIMUM = _extreme("maximum", np.maximum, True, "max")
MINIMUM = _extreme("minimum", np.minimum, False, "min")

# ---------------------------------------------------------------------------- A @ B, Aᵀ


def _matmul_infer(shapes, attrs):
    a, b = shapes
    if len(a) == 1 and len(b) == 2 and a[0] == b[0]:     # a row vector times a matrix: x⃗ W
        return (b[1],)
    if len(a) != 2 or len(b) != 2 or a[1] != b[0]:
        raise OpError(f"A @ B needs matrices (m, n) and (n, k), or a vector (n,) and a matrix (n, k); got "
                      f"shapes {a} and {b} (for two vectors u @ v is the dot product)")
    return (a[0], b[1])


def _row_vector(ctx):
    """Whether A's samples are vectors (x⃗ W) rather than matrices."""
    return np.ndim(ctx.args[0]) - ctx.arg_batch[0] == 1


def _matmul(ctx):
    return ctx.args[0] @ align(ctx, 1)      # A as it is: numpy's matmul broadcasts a vector's batch itself


def _matmul_vjp_a(ctx, g):
    return unbroadcast(ctx, 0, g @ np.swapaxes(align(ctx, 1), -1, -2))


def _matmul_vjp_b(ctx, g):
    a = ctx.args[0]
    share = a[..., :, None] * g[..., None, :] if _row_vector(ctx) else np.swapaxes(a, -1, -2) @ g
    return unbroadcast(ctx, 1, share)


def _matmul_jacobian_a(ctx):
    a, b = ctx.args
    if a.ndim == 1:
        return b.T.copy()                          # ∂(x⃗W)_k/∂x_j = W_{jk}
    return np.kron(np.eye(a.shape[0]), b.T)        # ∂(AB)_{ik}/∂A_{ij} = B_{jk}


def _matmul_jacobian_b(ctx):
    a, b = ctx.args
    return np.kron(a, np.eye(b.shape[1]))          # ∂(AB)_{ik}/∂B_{jk} = A_{ij}


MATMUL = Op(
    name="matmul", gate=r"\times", kind="matmul", summary="Z = A B (matrix product, per sample)",
    forward=_matmul, infer=_matmul_infer,
    latex="$out = $A $B",
    slots=(Slot("A", vjp=_matmul_vjp_a, jacobian=_matmul_jacobian_a, local=r"I \otimes {$B}^{T}",
                chain=r"$g \, {$B}^{T}"),
           Slot("B", vjp=_matmul_vjp_b, jacobian=_matmul_jacobian_b, local=r"$A \otimes I",
                chain=r"{$A}^{T} \, $g")),
    torch=("torch.matmul", "operator.matmul", "Tensor.matmul", "torch.mm"),
    domain=lambda rng: [uniform((2, 3), (3, 4))(rng), uniform((3,), (3, 2))(rng)],
    reference=lambda t, a, b: a @ b,
)


def _transpose_infer(shapes, attrs):
    if len(shapes[0]) > 2:
        raise OpError(f"the transpose needs a vector or a matrix per sample; got shape {shapes[0]}")
    return tuple(reversed(shapes[0]))


def _transpose(ctx):
    return np.swapaxes(ctx.args[0], -1, -2) if np.ndim(ctx.args[0]) - ctx.batch >= 2 else ctx.args[0]


def _transpose_vjp(ctx, g):
    return np.swapaxes(g, -1, -2) if np.ndim(g) - ctx.batch >= 2 else g


def _transpose_jacobian(ctx):
    u = ctx.args[0]
    index = np.arange(u.size).reshape(u.shape)
    order = index.T.reshape(-1)
    return np.eye(u.size)[order]


TRANSPOSE = Op(
    name="transpose", gate=r"T", kind="transpose", summary="Z = Aᵀ (per sample)",
    forward=_transpose, infer=_transpose_infer,
    latex="$out = {$u}^{T}",
    slots=(Slot("u", vjp=_transpose_vjp, jacobian=_transpose_jacobian, local=r"\mathrm{perm}",
                chain=r"{$g}^{T}"),),
    torch=("Tensor.t", "torch.t"), domain=lambda rng: [uniform((2, 3))(rng), uniform((3,))(rng)],
    reference=lambda t, u: u.T if u.ndim == 2 else u,
)

OPS = (NEG, DIV, EXP, LOG, SQRT, ABS, SIN, COS, MAXIMUM, MINIMUM, MATMUL, TRANSPOSE)
