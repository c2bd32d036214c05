"""Activations a = g(z), written with their output a as the lecture writes them."""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import Attr, Op, OpError, Slot, derived_jacobian, elementwise_slot, uniform


def _same_shape(shapes, attrs):
    return shapes[0]


def _activation(name, forward, local, local_latex, summary, latex=None, attrs=(), domain=uniform((2, 3)), **more):
    """An elementwise activation: a = g(z) with ∂a/∂z = ``local(ctx)``, diagonal; ``more``: the torch
    functions and modules it stands for and its reference."""
    return Op(
        name=name, kind="activation", summary=summary, elementwise=True, attrs=attrs,
        forward=forward, infer=_same_shape, latex=latex or rf"$out = {_FORWARD_LATEX[name]}($z)",
        slots=(elementwise_slot(name, "z", local, local_latex),), domain=domain, **more,
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


SIGMOID = _activation("sigmoid", _sigmoid, _sigmoid_local, "$out(1 - $out)", "a = σ(z), ∂a/∂z = a(1 − a)",
                      gate=r"\sigma", torch=("torch.sigmoid", "nn.Sigmoid", "F.sigmoid", "Tensor.sigmoid"),
                      reference=lambda t, z: t.sigmoid(z))

# ---------------------------------------------------------------------------- tanh


def _tanh(ctx):
    return np.tanh(ctx.args[0])


def _tanh_local(ctx):
    a = ctx.out
    return (1.0 + a) * (1.0 - a)


TANH = _activation("tanh", _tanh, _tanh_local, "(1 + $out)(1 - $out)", "a = tanh(z), ∂a/∂z = (1 + a)(1 − a)",
                   gate=r"\tanh", torch=("torch.tanh", "nn.Tanh", "F.tanh", "Tensor.tanh"), reference=lambda t, z: t.tanh(z))

# ---------------------------------------------------------------------------- the kink at z = 0
# The lecture takes the derivative of the side z ≥ 0 there (ReLU′(0) = 1); PyTorch takes the side
# z < 0 (0, or a leaky ReLU's slope), and ``from_torch`` asks for that: its gradients are torch's.

TORCH_KINK = Attr("torch_kink", bool, False,
                  "at z = 0, the derivative of the side z < 0, as PyTorch computes it "
                  "(else of z ≥ 0, as the lecture writes it)",
                  latex=lambda left: {"right_side": ">" if left else r"\ge", "left_side": r"\le" if left else "<"},
                  quiet=True)


def _right_side(ctx):
    """Where z takes the derivative of the side z ≥ 0: z ≥ 0, or z > 0 with PyTorch's kink."""
    z = ctx.args[0]
    return z > 0 if ctx.attrs.get("torch_kink") else z >= 0


# ---------------------------------------------------------------------------- ReLU (ReLU′(0) = 1, the lecture's choice)


def _relu(ctx):
    return np.maximum(ctx.args[0], 0.0)


def _relu_local(ctx):
    return _right_side(ctx).astype(float)


RELU = _activation("relu", _relu, _relu_local, r"\begin{cases} 1 & $z $right_side 0 \\ 0 & $z $left_side 0 \end{cases}",
                   "a = max(z, 0), ∂a/∂z = 1 if z ≥ 0 else 0", attrs=(TORCH_KINK,), domain=uniform((2, 3), away=0.1),
                   gate=r"\mathrm{ReLU}", torch=("torch.relu", "nn.ReLU", "F.relu", "Tensor.relu"),
                   reference=lambda t, z, torch_kink=False: t.relu(z))

# ---------------------------------------------------------------------------- leaky ReLU (slope s; ′(0) = 1 as ReLU's)


def _leaky_relu(ctx):
    z = ctx.args[0]
    return np.where(z >= 0, z, ctx.attrs["slope"] * z)


def _leaky_relu_local(ctx):
    return np.where(_right_side(ctx), 1.0, ctx.attrs["slope"])


def _slope_check(s):
    return None if 0 <= s < 1 else "must lie in [0, 1) (the slope for z < 0)"


LEAKY_RELU = _activation(
    "leaky_relu", _leaky_relu, _leaky_relu_local,
    r"\begin{cases} 1 & $z $right_side 0 \\ $slope & $z $left_side 0 \end{cases}",
    "a = z if z ≥ 0 else s·z, ∂a/∂z = 1 if z ≥ 0 else s",
    latex=r"$out = \mathrm{LReLU}_{$slope}($z)",
    attrs=(Attr("slope", float, 0.01, "the slope s for z < 0, in [0, 1)", _slope_check), TORCH_KINK),
    domain=uniform((2, 3), away=0.1, attrs={"slope": 0.2}),
    gate=r"\mathrm{LReLU}", torch=("nn.LeakyReLU", "F.leaky_relu"),
    reference=lambda t, z, slope, torch_kink=False: t.nn.functional.leaky_relu(z, slope))

# ---------------------------------------------------------------------------- softplus log(1 + eᶻ), ′ = σ(z)


def _softplus(ctx):
    return np.logaddexp(0.0, ctx.args[0])


def _softplus_local(ctx):
    return _sigmoid(ctx)


SOFTPLUS = _activation("softplus", _softplus, _softplus_local, r"\sigma($z)",
                       "a = log(1 + eᶻ), ∂a/∂z = σ(z)", latex=r"$out = \log(1 + e^{$z})",
                       gate=r"\mathrm{softplus}", torch=("nn.Softplus", "F.softplus"), reference=lambda t, z: t.nn.functional.softplus(z))

# ---------------------------------------------------------------------------- identity


def _identity(ctx):
    return ctx.args[0]


def _identity_local(ctx):
    return np.ones_like(ctx.args[0])


IDENTITY = _activation("identity", _identity, _identity_local, "1", "a = z", latex="$out = $z",
                       gate=r"\mathrm{id}", torch=("nn.Identity",), reference=lambda t, z: z * 1.0)

# ---------------------------------------------------------------------------- softmax


AXIS = Attr("axis", int, -1, "the axis of one sample along which the result sums to 1 (the last: each row)")


def _softmax_infer(shapes, attrs):
    shape, axis = shapes[0], attrs["axis"]
    if not shape:
        raise OpError("softmax needs a vector of K scores per sample (or a matrix, along one axis); got a scalar")
    if not -len(shape) <= axis < len(shape):
        raise OpError(f"axis {axis} is out of range for one sample of shape {shape} (axis counts the axes of one sample)")
    return shape


def _numpy_axis(ctx):
    """The attribute ``axis`` (an axis of one sample) as an axis of the stored value."""
    axis = ctx.attrs["axis"]
    return axis if axis < 0 or not ctx.batch else axis + 1


def _softmax(ctx):
    """p = e^{l − max l} / Σ e^{l − max l} along the axis; log p is kept for a following CCE."""
    l, axis = ctx.args[0], _numpy_axis(ctx)
    shifted = l - l.max(axis=axis, keepdims=True)
    e = np.exp(shifted)
    s = e.sum(axis=axis, keepdims=True)
    ctx.extra = shifted - np.log(s)
    return e / s


def _softmax_vjp(ctx, g):
    """p ⊙ (g − rowsum(g ⊙ p)): the softmax Jacobian applied to each row, never built."""
    p = ctx.out
    return p * (g - (g * p).sum(axis=_numpy_axis(ctx), keepdims=True))


def _softmax_jacobian(ctx):
    p = ctx.out
    if p.ndim != 1:      # a matrix's rows: block diagonal, from the VJP
        return derived_jacobian(ctx, 0, _softmax_vjp)
    return np.diag(p) - np.outer(p, p)


def _along_rows(m):
    return len(m.sample_shapes.get("z", ())) > 1


SOFTMAX = Op(
    name="softmax", gate=r"\mathrm{softmax}", kind="activation", summary="pᵢ = e^{lᵢ} / Σₖ e^{lₖ}, ∂pⱼ/∂lₖ = pⱼ(δⱼₖ − pₖ) (along one axis)",
    forward=_softmax, infer=_softmax_infer, attrs=(AXIS,),
    latex=r"$out = \mathrm{softmax}($z)",
    slots=(Slot("z", vjp=_softmax_vjp, jacobian=_softmax_jacobian,
                local=lambda m: r"\mathrm{diag}($out) - $out {$out}^{T}" if _along_rows(m)
                else r"${out_j}(\delta_{jk} - ${out_k})",
                chain=lambda m: r"$out \odot ($g - \mathrm{rowsum}($g \odot $out))" if _along_rows(m)
                else r"$g \, \frac{\partial $out}{\partial $z}"),),
    torch=("torch.softmax", "nn.Softmax", "F.softmax", "Tensor.softmax"),
    domain=lambda rng: [uniform((4,))(rng), uniform((3, 4))(rng), uniform((3, 4), attrs={"axis": 0})(rng)],
    reference=lambda t, z, axis=-1: t.softmax(z, dim=axis),
)

# ---------------------------------------------------------------------------- log-softmax


def _log_softmax(ctx):
    l, axis = ctx.args[0], _numpy_axis(ctx)
    shifted = l - l.max(axis=axis, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _log_softmax_vjp(ctx, g):
    """g − softmax ⊙ Σ g along the axis."""
    return g - np.exp(ctx.out) * g.sum(axis=_numpy_axis(ctx), keepdims=True)


LOG_SOFTMAX = Op(
    name="log_softmax", kind="activation", gate=r"\log \mathrm{softmax}", summary="log pᵢ = lᵢ − log Σₖ e^{lₖ} (along one axis)",
    forward=_log_softmax, infer=_softmax_infer, attrs=(AXIS,),
    latex=r"$out = \log \mathrm{softmax}($z)",
    slots=(Slot("z", vjp=_log_softmax_vjp, local=r"I - \mathbf{1} \, \mathrm{softmax}($z)^{T}",
                chain=r"$g - \mathrm{softmax}($z) \odot \mathrm{rowsum}($g)"),),
    torch=("torch.log_softmax", "nn.LogSoftmax", "F.log_softmax", "Tensor.log_softmax"),
    domain=lambda rng: [uniform((4,))(rng), uniform((3, 4))(rng)],
    reference=lambda t, z, axis=-1: t.log_softmax(z, dim=axis),
)

OPS = (SIGMOID, TANH, RELU, LEAKY_RELU, SOFTPLUS, IDENTITY, SOFTMAX, LOG_SOFTMAX)
