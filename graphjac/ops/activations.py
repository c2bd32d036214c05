"""Activations a = g(z), written with their output a as the lecture writes them."""

from __future__ import annotations

import numpy as np

from .base import Attr, Op, OpError, Slot, elementwise_slot


def _same_shape(shapes, attrs):
    return shapes[0]


def _activation(name, forward, local, local_latex, summary, latex=None, attrs=()):
    """An elementwise activation: a = g(z) with ∂a/∂z = ``local(ctx)``, diagonal."""
    return Op(
        name=name, kind="activation", summary=summary, elementwise=True, attrs=attrs,
        forward=forward, infer=_same_shape, latex=latex or rf"$out = {_FORWARD_LATEX[name]}($z)",
        slots=(elementwise_slot(name, "z", local, local_latex),),
    )


_FORWARD_LATEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\mathrm{ReLU}"}

# ---------------------------------------------------------------------------- σ


def _sigmoid(ctx):
    """σ(z) = 1/(1 + e^{−z}), exact to rounding; below z = −700, where e^{−z} would overflow,
    as e^{z}/(1 + e^{z})."""
    z = ctx.args[0]
    if z.size and z.min() < -700.0:
        ctx.extra = (z, None)   # for a BCE straight after it, which is exact from z (the logits)
        e = np.exp(-np.abs(z))
        r = 1.0 / (1.0 + e)
        return np.where(z >= 0, r, e * r)
    e = np.exp(-z)
    ctx.extra = (z, e)          # … and from e^{−z}: log(1 + e^{−z}) is log1p(e)
    return 1.0 / (1.0 + e)


def _sigmoid_local(ctx):
    a = ctx.out
    return a * (1.0 - a)


SIGMOID = _activation("sigmoid", _sigmoid, _sigmoid_local, "$out(1 - $out)", "a = σ(z), ∂a/∂z = a(1 − a)")

# ---------------------------------------------------------------------------- tanh


def _tanh(ctx):
    return np.tanh(ctx.args[0])


def _tanh_local(ctx):
    a = ctx.out
    return (1.0 + a) * (1.0 - a)


TANH = _activation("tanh", _tanh, _tanh_local, "(1 + $out)(1 - $out)", "a = tanh(z), ∂a/∂z = (1 + a)(1 − a)")

# ---------------------------------------------------------------------------- ReLU (ReLU′(0) = 1, the lecture's choice)


def _relu(ctx):
    return np.maximum(ctx.args[0], 0.0)


def _relu_local(ctx):
    return (ctx.args[0] >= 0).astype(float)


RELU = _activation("relu", _relu, _relu_local, r"\begin{cases} 1 & $z \ge 0 \\ 0 & $z < 0 \end{cases}",
                   "a = max(z, 0), ∂a/∂z = 1 if z ≥ 0 else 0")

# ---------------------------------------------------------------------------- leaky ReLU (slope s; ′(0) = 1 as ReLU's)


def _leaky_relu(ctx):
    z = ctx.args[0]
    return np.where(z >= 0, z, ctx.attrs["slope"] * z)


def _leaky_relu_local(ctx):
    return np.where(ctx.args[0] >= 0, 1.0, ctx.attrs["slope"])


def _slope_check(s):
    return None if 0 <= s < 1 else "must lie in [0, 1) (the slope for z < 0)"


LEAKY_RELU = _activation(
    "leaky_relu", _leaky_relu, _leaky_relu_local,
    r"\begin{cases} 1 & $z \ge 0 \\ $slope & $z < 0 \end{cases}",
    "a = z if z ≥ 0 else s·z, ∂a/∂z = 1 if z ≥ 0 else s",
    latex=r"$out = \mathrm{LReLU}_{$slope}($z)",
    attrs=(Attr("slope", float, 0.01, "the slope s for z < 0, in [0, 1)", _slope_check),))

# ---------------------------------------------------------------------------- softplus log(1 + eᶻ), ′ = σ(z)


def _softplus(ctx):
    return np.logaddexp(0.0, ctx.args[0])


def _softplus_local(ctx):
    return _sigmoid(ctx)


SOFTPLUS = _activation("softplus", _softplus, _softplus_local, r"\sigma($z)",
                       "a = log(1 + eᶻ), ∂a/∂z = σ(z)", latex=r"$out = \log(1 + e^{$z})")

# ---------------------------------------------------------------------------- identity


def _identity(ctx):
    return ctx.args[0]


def _identity_local(ctx):
    return np.ones_like(ctx.args[0])


IDENTITY = _activation("identity", _identity, _identity_local, "1", "a = z", latex="$out = $z")

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

OPS = (SIGMOID, TANH, RELU, LEAKY_RELU, SOFTPLUS, IDENTITY, SOFTMAX)
