r"""Normalisation: layer norm (over the last axis of each sample), batch norm (over the minibatch,
with the training statistics) and the norm ‖u‖.

The backward passes are the compact forms lecturers derive, with x̂ the normalised input,
σ = √(var + ε) and ĝ = γ ⊙ ∂J/∂y:  ∂J/∂x = (ĝ − mean(ĝ) − x̂ ⊙ mean(ĝ ⊙ x̂)) / σ, the means
over what the statistics were taken over.

>>> import graphjac as gj
>>> g = gj.Graph("ln")
>>> y = g.layer_norm(g.input("x", [1.0, 2.0, 3.0]), name="y")
>>> [round(v, 4) for v in y.value.tolist()]
[-1.2247, 0.0, 1.2247]
"""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import Attr, Case, Op, OpError, Slot, uniform


def _epsilon_check(eps):
    return None if eps > 0 else "must be positive (it keeps the division finite)"


EPS = Attr("eps", float, 1e-5, "added to the variance before the square root", _epsilon_check,
           latex=lambda value: {"eps": r"\epsilon"})


def _standardised(x, axes, eps):
    """(x̂, 1/σ) along ``axes``."""
    mean = x.mean(axis=axes, keepdims=True)
    centred = x - mean
    inverse = 1.0 / np.sqrt((centred * centred).mean(axis=axes, keepdims=True) + eps)
    return centred * inverse, inverse


def _normalised_vjp(xhat, inverse, ghat, axes):
    """The compact backward of x̂ = (x − μ)/σ with both statistics taken along ``axes``."""
    return inverse * (ghat - ghat.mean(axis=axes, keepdims=True)
                      - xhat * (ghat * xhat).mean(axis=axes, keepdims=True))


def _affine_latex(core):
    def latex(m):
        formula = core
        if "gamma" in m:
            formula = r"$gamma \odot " + formula
        if "beta" in m:
            formula += " + $beta"
        return "$out = " + formula
    return latex


def _affine_infer(what, channel):
    def infer(shapes, attrs):
        u = shapes[0]
        if not u:
            raise OpError(f"{what} needs a vector (or more axes) per sample; got a scalar")
        width = channel(u)
        for name, shape in zip(("gamma", "beta"), shapes[1:]):
            if shape != (width,):
                raise OpError(f"{name} must have one number per feature ({width},); got {shape}")
        return u
    return infer


def _shared_scale(batch, shapes, attrs):
    return "gamma and beta are parameters, shared by the samples: not a minibatch" if any(batch[1:]) else None


# ---------------------------------------------------------------------------- layer norm


def _layer_norm(ctx):
    xhat, inverse = _standardised(ctx.args[0], -1, ctx.attrs["eps"])
    ctx.extra = (xhat, inverse)
    return _scaled(ctx, xhat)


def _scaled(ctx, xhat, shape=None):
    out = xhat
    if len(ctx.args) > 1:
        out = out * _channel(ctx.args[1], shape)
    if len(ctx.args) > 2:
        out = out + _channel(ctx.args[2], shape)
    return out


def _channel(value, shape):
    return value if shape is None else value.reshape(shape)


def _layer_norm_vjp_u(ctx, g):
    xhat, inverse = ctx.extra
    ghat = g * ctx.args[1] if len(ctx.args) > 1 else g
    return _normalised_vjp(xhat, inverse, ghat, -1)


def _feature_sum(ctx, value):
    """Σ over everything but the last axis (the samples and a sample's other axes)."""
    return value.reshape(-1, value.shape[-1]).sum(axis=0)


def _layer_norm_vjp_gamma(ctx, g):
    return _feature_sum(ctx, g * ctx.extra[0])


def _layer_norm_vjp_beta(ctx, g):
    return _feature_sum(ctx, g)


def _norm_cases(rng):
    return [uniform((4,), (4,), (4,))(rng), uniform((3, 4), (4,))(rng), uniform((3, 4))(rng)]


def _layer_norm_reference(t, u, gamma=None, beta=None, eps=1e-5):
    return t.nn.functional.layer_norm(u, u.shape[-1:], gamma, beta, eps)


XHAT = r"\frac{$u - \mu}{\sqrt{\sigma^{2} + $eps}}"
GHAT = lambda m: r"$g \odot $gamma" if "gamma" in m else "$g"      # noqa: E731

LAYER_NORM = Op(
    name="layer_norm", kind="layer_norm", min_arity=1, attrs=(EPS,),
    summary="y = γ ⊙ (x − μ)/√(σ² + ε) + β, μ and σ² over the last axis of each sample",
    forward=_layer_norm, infer=_affine_infer("layer_norm", lambda u: u[-1]), batch_check=_shared_scale,
    latex=_affine_latex(XHAT),
    slots=(Slot("u", vjp=_layer_norm_vjp_u, local=r"\frac{1}{\sigma}(I - \frac{1}{d} - \frac{\hat{x} \hat{x}^{T}}{d})",
                chain=lambda m: r"\frac{1}{\sigma}(\hat{g} - \mathrm{mean}(\hat{g}) - \hat{x} \odot "
                                r"\mathrm{mean}(\hat{g} \odot \hat{x})), \; \hat{g} = " + GHAT(m)),
           Slot("gamma", vjp=_layer_norm_vjp_gamma, local=r"\hat{x}", chain=r"$g \odot \hat{x}"),
           Slot("beta", vjp=_layer_norm_vjp_beta, local="I", chain="$g")),
    torch=("nn.LayerNorm", "F.layer_norm"), gate=r"\mathrm{LN}",
    domain=_norm_cases, reference=_layer_norm_reference,
)

# ---------------------------------------------------------------------------- batch norm


def _batch_axes(x):
    """The minibatch axis and a sample's axes past its first (the channels): what a batch norm
    averages over, as BatchNorm1d and BatchNorm2d do."""
    return (0,) + tuple(range(2, x.ndim))


def _channel_shape(x):
    return (1, -1) + (1,) * (x.ndim - 2)


def _needs_minibatch(batch, shapes, attrs):
    if not batch[0]:
        return "batch_norm normalises over the minibatch: its input must be a minibatch (batch=True)"
    return _shared_scale(batch, shapes, attrs)


def _batch_norm(ctx):
    x = ctx.args[0]
    if x.shape[0] < 2:
        raise OpError("batch_norm needs at least 2 samples (the variance of one is 0)")
    xhat, inverse = _standardised(x, _batch_axes(x), ctx.attrs["eps"])
    ctx.extra = (xhat, inverse)
    return _scaled(ctx, xhat, _channel_shape(x))


def _batch_norm_vjp_u(ctx, g):
    xhat, inverse = ctx.extra
    x = ctx.args[0]
    ghat = g * ctx.args[1].reshape(_channel_shape(x)) if len(ctx.args) > 1 else g
    return _normalised_vjp(xhat, inverse, ghat, _batch_axes(x))


def _batch_norm_vjp_gamma(ctx, g):
    return (g * ctx.extra[0]).sum(axis=_batch_axes(g))


def _batch_norm_vjp_beta(ctx, g):
    return g.sum(axis=_batch_axes(g))


def _batch_norm_cases(rng):
    return [Case((rng.uniform(-2, 2, (4,)), rng.uniform(0.5, 2, 4), rng.uniform(-1, 1, 4))),
            Case((rng.uniform(-2, 2, (2, 3, 2)), rng.uniform(0.5, 2, 2))),
            Case((rng.uniform(-2, 2, (3,)),), {"eps": 1e-3})]


def _batch_norm_reference(t, u, gamma=None, beta=None, eps=1e-5):
    return t.nn.functional.batch_norm(u, None, None, gamma, beta, training=True, eps=eps)


XHAT_BATCH = r"\frac{$u - \mu_{B}}{\sqrt{\sigma_{B}^{2} + $eps}}"

BATCH_NORM = Op(
    name="batch_norm", kind="batch_norm", min_arity=1, attrs=(EPS,), mixes_samples=True,
    summary="y = γ ⊙ (x − μ_B)/√(σ_B² + ε) + β, μ_B and σ_B² over the minibatch (training statistics)",
    forward=_batch_norm, infer=_affine_infer("batch_norm", lambda u: u[0]), batch_check=_needs_minibatch,
    latex=_affine_latex(XHAT_BATCH),
    slots=(Slot("u", vjp=_batch_norm_vjp_u,
                local=r"\frac{1}{\sigma_{B}}(1 - \frac{1}{N} - \frac{\hat{x}^{2}}{N})",
                chain=lambda m: r"\frac{1}{\sigma_{B}}(\hat{g} - \mathrm{mean}_{B}(\hat{g}) - \hat{x} \odot "
                                r"\mathrm{mean}_{B}(\hat{g} \odot \hat{x})), \; \hat{g} = " + GHAT(m)),
           Slot("gamma", vjp=_batch_norm_vjp_gamma, local=r"\hat{x}", chain=r"$g \odot \hat{x}"),
           Slot("beta", vjp=_batch_norm_vjp_beta, local="I", chain="$g")),
    torch=("nn.BatchNorm1d", "nn.BatchNorm2d", "F.batch_norm"), gate=r"\mathrm{BN}",
    domain=_batch_norm_cases, reference=_batch_norm_reference,
)

# ---------------------------------------------------------------------------- ‖u‖


def _norm(ctx):
    u = ctx.args[0]
    axes = ctx.sample_axes(u)
    out = np.sqrt((u * u).sum(axis=axes)) if axes else np.abs(u)
    if np.any(out == 0):
        raise OpError("the derivative of ‖u‖ is undefined at u = 0")
    return out


def _norm_vjp(ctx, g):
    out = ctx.out.reshape(ctx.out.shape + (1,) * (ctx.args[0].ndim - ctx.out.ndim))
    g = np.asarray(g).reshape(out.shape)
    return g * ctx.args[0] / out


NORM = Op(
    name="norm", kind="norm", summary="‖u‖: the L2 norm of a vector, the Frobenius norm of a matrix (per sample)",
    forward=_norm, infer=lambda shapes, attrs: (),
    latex=r"$out = \| $u \|",
    slots=(Slot("u", vjp=_norm_vjp, local=r"\frac{{$u}^{T}}{$out}", chain=r"$g \, \frac{$u}{$out}", may_raise=True),),
    torch=("torch.norm", "Tensor.norm", "torch.linalg.norm", "torch.linalg.vector_norm"), gate=r"\|\cdot\|",
    domain=lambda rng: [uniform((3,), away=0.2)(rng), uniform((2, 3), away=0.2)(rng)],
    reference=lambda t, u: t.linalg.vector_norm(u),
)

OPS = (LAYER_NORM, BATCH_NORM, NORM)
