"""Activations a = g(z), written with their output a as the lecture writes them."""

from __future__ import annotations

import numpy as np

from .base import Op, OpError, Slot


def _elementwise(ctx_local):
    """The Jacobian diag(∂a/∂z) of an elementwise activation."""
    return lambda ctx: np.diag(np.asarray(ctx_local(ctx), dtype=float).reshape(-1))


def _same_shape(shapes, attrs):
    return shapes[0]


def _activation(name, forward, local, local_latex, summary):
    return Op(
        name=name, kind="activation", summary=summary, elementwise=True,
        forward=forward, infer=_same_shape,
        latex=rf"$out = {_FORWARD_LATEX[name]}($z)" if name != "identity" else "$out = $z",
        slots=(Slot("z", vjp=lambda ctx, g: g * local(ctx), jacobian=_elementwise(local), local=local_latex),),
    )


_FORWARD_LATEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "identity": ""}

# ---------------------------------------------------------------------------- σ


def _sigmoid(ctx):
    """σ(z) without overflow: e^{−|z|} never exceeds 1."""
    z = ctx.args[0]
    e = np.exp(-np.abs(z))
    r = 1.0 / (1.0 + e)
    return np.where(z >= 0, r, e * r)


def _sigmoid_local(ctx):
    a = ctx.out
    return a * (1.0 - a)


SIGMOID = _activation("sigmoid", _sigmoid, _sigmoid_local, "$out(1 - $out)", "a = σ(z), ∂a/∂z = a(1 − a)")

# ---------------------------------------------------------------------------- tanh


def _tanh_local(ctx):
    a = ctx.out
    return (1.0 + a) * (1.0 - a)


TANH = _activation("tanh", lambda ctx: np.tanh(ctx.args[0]), _tanh_local, "(1 + $out)(1 - $out)",
                   "a = tanh(z), ∂a/∂z = (1 + a)(1 − a)")

# ---------------------------------------------------------------------------- ReLU (ReLU′(0) = 1, the lecture's choice)

RELU = _activation("relu", lambda ctx: np.maximum(ctx.args[0], 0.0),
                   lambda ctx: (ctx.args[0] >= 0).astype(float),
                   r"\begin{cases} 1 & $z \ge 0 \\ 0 & $z < 0 \end{cases}",
                   "a = max(z, 0), ∂a/∂z = 1 if z ≥ 0 else 0")

# ---------------------------------------------------------------------------- identity

IDENTITY = _activation("identity", lambda ctx: ctx.args[0], lambda ctx: np.ones_like(ctx.args[0]), "1",
                       "a = z")

# ---------------------------------------------------------------------------- softmax


def _softmax_infer(shapes, attrs):
    if len(shapes[0]) != 1:
        raise OpError(f"softmax needs a vector of K scores per sample; got shape {shapes[0]}")
    return shapes[0]


def _softmax(ctx):
    """p = e^{l − max l} / Σ e^{l − max l}; log p is kept for a following CCE."""
    l = ctx.args[0]
    shifted = l - l.max(axis=-1, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=-1, keepdims=True)
    ctx.extra = shifted - np.log(s)
    return e / s


def _softmax_vjp(ctx, g):
    p = ctx.out
    return p * (g - (g * p).sum(axis=-1, keepdims=True))


def _softmax_jacobian(ctx):
    p = ctx.out
    return np.diag(p) - np.outer(p, p)


SOFTMAX = Op(
    name="softmax", kind="activation", summary="pᵢ = e^{lᵢ} / Σₖ e^{lₖ}, ∂pⱼ/∂lₖ = pⱼ(δⱼₖ − pₖ)",
    forward=_softmax, infer=_softmax_infer,
    latex=r"$out = \mathrm{softmax}($z)",
    slots=(Slot("z", vjp=_softmax_vjp, jacobian=_softmax_jacobian,
                local=r"${out_j}(\delta_{jk} - ${out_k})",
                chain=r"$g \, \frac{\partial $out}{\partial $z}"),),
)

OPS = (SIGMOID, TANH, RELU, IDENTITY, SOFTMAX)
