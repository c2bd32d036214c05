"""The artificial neuron z = x⃗ᵀw⃗ + b and the dense layer z⃗ = Wᵀx⃗ + b⃗ (batch: Z = XW + B)."""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import Op, OpError, Slot, uniform
from graphjac.core.ops.elementary import sum_to

# ---------------------------------------------------------------------------- z = x⃗ᵀw⃗ + b


def _neuron_infer(shapes, attrs):
    x, w, b = shapes
    if len(w) != 1:
        raise OpError(f"the weights w must be a vector (n,); got shape {w}")
    if x != w:
        raise OpError(f"each sample x must be a vector of the weights' length {w}; got shape {x}")
    if b != ():
        raise OpError(f"the bias b must be a scalar; got shape {b}")
    return ()


def _neuron_forward(ctx):
    x, w, b = ctx.args
    if ctx.arg_batch[1]:  # one w⃗ per sample
        return (x * w).sum(axis=-1) + b
    return x @ w + b


def _neuron_vjp_w(ctx, g):
    x = ctx.args[0]
    if ctx.arg_batch[0] and not ctx.arg_batch[1]:
        return g @ x  # Σᵢ ∂J/∂z⁽ⁱ⁾ x⃗⁽ⁱ⁾ᵀ
    return sum_to(np.asarray(g)[..., None] * x, ctx.args[1].shape)


def _neuron_vjp_x(ctx, g):
    return sum_to(np.asarray(g)[..., None] * ctx.args[1], ctx.args[0].shape)


def _neuron_vjp_b(ctx, g):
    return sum_to(np.asarray(g), ctx.args[2].shape)


NEURON = Op(
    name="neuron", gate=r"x^{T} w + b", kind="neuron", summary="z = x⃗ᵀw⃗ + b",
    forward=_neuron_forward,
    infer=_neuron_infer,
    latex="$out = $x^{T} $w + $b",
    slots=(
        Slot("x", vjp=_neuron_vjp_x,
             jacobian=lambda ctx: ctx.args[1].reshape(1, -1), local="$w^{T}"),
        Slot("w", vjp=_neuron_vjp_w,
             jacobian=lambda ctx: ctx.args[0].reshape(1, -1), local="$x^{T}"),
        Slot("b", vjp=_neuron_vjp_b,
             jacobian=lambda ctx: np.ones((1, 1)), local="1"),
    ),
    domain=uniform((3,), (3,), ()), reference=lambda t, x, w, b: x @ w + b,
)

# ---------------------------------------------------------------------------- z⃗ = Wᵀx⃗ + b⃗


def _dense_infer(shapes, attrs):
    x, w, b = shapes
    if len(w) != 2:
        raise OpError(f"the weights W must be a matrix (n, K), one neuron per column; got shape {w}")
    if x != w[:1]:
        raise OpError(f"each sample x must be a vector of length n = {w[0]} (W is {w[0]}×{w[1]}); got shape {x}")
    if b != w[1:]:
        raise OpError(f"the bias B must have one entry per neuron, shape ({w[1]},); got shape {b}")
    return (w[1],)


def _dense_forward(ctx):
    x, w, b = ctx.args
    if ctx.arg_batch[1]:  # one W per sample
        return np.einsum("...n,...nk->...k", x, w) + b
    return x @ w + b


def _dense_vjp_x(ctx, g):
    x, w = ctx.args[0], ctx.args[1]
    if ctx.arg_batch[1]:
        return sum_to(np.einsum("...k,...nk->...n", g, w), x.shape)
    return sum_to(g @ w.T, x.shape)


def _dense_vjp_w(ctx, g):
    x, w = ctx.args[0], ctx.args[1]
    if x.ndim == 2 and w.ndim == 2:
        return x.T @ g  # Σᵢ x⃗⁽ⁱ⁾ (∂J/∂l⃗⁽ⁱ⁾)
    return sum_to(x[..., :, None] * g[..., None, :], w.shape)


def _dense_jacobian_w(ctx):
    x, w = ctx.args[0], ctx.args[1]
    n, k = w.shape
    jac = np.zeros((k, n, k))
    for j in range(k):
        jac[j, :, j] = x  # ∂l_j / ∂W_{mj} = x_m
    return jac.reshape(k, n * k)


def _dense_vjp_b(ctx, g):
    return sum_to(g, ctx.args[2].shape)


DENSE = Op(
    name="dense", gate=r"XW + B", kind="dense", summary="z⃗ = Wᵀx⃗ + b⃗ (K neurons, one per column of W)",
    forward=_dense_forward,
    infer=_dense_infer,
    latex="$out = $W^{T} $x + $B",
    slots=(
        Slot("x", vjp=_dense_vjp_x,
             jacobian=lambda ctx: ctx.args[1].T.copy(), local="$W^{T}"),
        Slot("W", vjp=_dense_vjp_w, jacobian=_dense_jacobian_w,
             local=r"$x_j \, \delta_{km}", chain=r"$x \, $g"),  # ∂l_k/∂W_jm
        Slot("B", vjp=_dense_vjp_b,
             jacobian=lambda ctx: np.eye(ctx.args[2].size), local="I"),
    ),
    torch=("nn.Linear", "F.linear"),
    domain=uniform((3,), (3, 2), (2,)), reference=lambda t, x, W, B: x @ W + B,
)

OPS = (NEURON, DENSE)
