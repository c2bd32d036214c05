"""Per-sample losses J₀⁽ⁱ⁾ = L(y⁽ⁱ⁾, ŷ⁽ⁱ⁾): MSE, BCE and CCE.

Each takes the prediction ŷ (differentiable) and the target y (no gradient) and gives one
number per sample for minibatch input. BCE and CCE clamp like PyTorch: every log term is at
least −100 and a backward denominator at least 1e−12, so ŷ = 0 or 1 stays finite.
"""

from __future__ import annotations

import numpy as np

from graphjac.core.ops.base import Case, Op, OpError, Slot, first_bad

LOG_FLOOR = np.exp(-100.0)   # log(max(ŷ, e^−100)) == max(log ŷ, −100), without a warning
DENOMINATOR_FLOOR = 1e-12


def _per_sample(ctx, g, like):
    """g (one entry per sample) with unit axes to broadcast over each sample's components."""
    g = np.asarray(g)
    return g if g.ndim == like.ndim else g.reshape(g.shape + (1,) * (like.ndim - g.ndim))


def _sum_per_sample(ctx, value):
    """One number per sample: the sum over each sample's components (if it has any)."""
    if value.ndim == (1 if ctx.batch else 0):   # one number per sample already
        return value
    return value.sum(axis=ctx.sample_axes(value))


def _same_shape_infer(shapes, attrs):
    yhat, y = shapes
    if yhat != y:
        raise OpError(f"the target y must have the prediction's shape {yhat} per sample; got {y}")
    return ()


def _vector_loss_latex(scalar, vector):
    return lambda m: vector if m.vector_in else scalar


# ---------------------------------------------------------------------------- operands to test them on


def _probabilities(rng, k):
    p = np.exp(rng.uniform(-1.0, 1.0, k))
    return p / p.sum()


def _mse_cases(rng):
    return [Case((rng.uniform(-2, 2, 3), rng.uniform(-2, 2, 3)), batchable=(0, 1)),
            Case((np.asarray(rng.uniform(-2, 2)), np.asarray(rng.uniform(-2, 2))), batchable=(0, 1))]


def _bce_cases(rng):
    return [Case((rng.uniform(0.05, 0.95, 3), rng.integers(0, 2, 3).astype(float)), batchable=(0, 1)),
            Case((np.asarray(rng.uniform(0.05, 0.95)), np.asarray(rng.uniform(0.0, 1.0))), batchable=(0, 1))]


def _cce_cases(rng):
    return [Case((_probabilities(rng, 4), np.eye(4)[rng.integers(0, 4)]), batchable=(0, 1)),
            Case((_probabilities(rng, 4), np.asarray(float(rng.integers(0, 4)))), batchable=(0, 1), integer=(1,))]


def _cce_reference(t, yhat, y):
    if y.shape == yhat.shape:
        return -(y * t.log(yhat)).sum()
    return t.nn.functional.nll_loss(t.log(yhat)[None], y.long()[None], reduction="sum")


# ---------------------------------------------------------------------------- MSE: (y − ŷ)²


def _mse(ctx):
    d = ctx.args[1] - ctx.args[0]
    return _sum_per_sample(ctx, d * d)


def _mse_local(ctx):
    return -2.0 * (ctx.args[1] - ctx.args[0])


def _mse_vjp(ctx, g):
    return _per_sample(ctx, g, ctx.args[0]) * _mse_local(ctx)


MSE = Op(
    name="mse", gate=r"\mathrm{MSE}", kind="loss", batch_from=0, summary="J₀ = Σₖ (yₖ − ŷₖ)², ∂J₀/∂ŷ = −2(y − ŷ)",
    forward=_mse, infer=_same_shape_infer,
    latex=_vector_loss_latex("$out = ($y - $yhat)^{2}", r"$out = \sum_{k} ($y_k - $yhat_k)^{2}"),
    slots=(
        Slot("yhat", vjp=_mse_vjp,
             jacobian=lambda ctx: _mse_local(ctx).reshape(1, -1),
             local=_vector_loss_latex("-2($y - $yhat)", "-2($y - $yhat)^{T}")),
        Slot("y"),
    ),
    torch=("nn.MSELoss", "F.mse_loss"), domain=_mse_cases,
    reference=lambda t, yhat, y: t.nn.functional.mse_loss(yhat, y, reduction="sum"),
)

# ---------------------------------------------------------------------------- BCE


def _check_probability(yhat):
    if yhat.size and (yhat.min() < 0.0 or yhat.max() > 1.0):
        raise OpError(f"ŷ must lie in [0, 1] (a probability); got {first_bad((yhat < 0) | (yhat > 1), yhat)}")


def _check_labels(y, what):
    """Targets of BCE (and one-hot or soft CCE labels) are probabilities: in [0, 1], as PyTorch
    requires of BCELoss's; a label of 2 or −1 would give a J and no word otherwise."""
    if y.size and (y.min() < 0.0 or y.max() > 1.0):
        raise OpError(f"the {what} must lie in [0, 1] (a class label 0 or 1, or a probability); "
                      f"got {first_bad((y < 0) | (y > 1), y)}")


def _bce(ctx):
    _check_probability(ctx.args[0])
    _check_labels(ctx.args[1], "target y")
    return bce_of_probabilities(ctx)


def bce_of_probabilities(ctx):
    """BCE of probabilities ŷ, each log clamped at ≥ −100 (as PyTorch's BCELoss clamps them)."""
    yhat, y = ctx.args
    log_p = np.log(np.maximum(yhat, LOG_FLOOR))
    log_q = np.log(np.maximum(1.0 - yhat, LOG_FLOOR))
    return _sum_per_sample(ctx, -(y * log_p + (1.0 - y) * log_q))


def bce_of_logits(ctx):
    """BCE straight after a sigmoid ŷ = σ(z), from z (the sigmoid's ``extra``), exact where ŷ
    rounds to 0 or 1 (as PyTorch's BCEWithLogitsLoss): log(1 + e^{−z}) + (1 − y) z."""
    (z, e), y = ctx.extra, ctx.args[1]
    _check_labels(y, "target y")
    softplus = np.log1p(e) if e is not None else np.logaddexp(0.0, -z)   # log(1 + e^{−z})
    return _sum_per_sample(ctx, softplus + (1.0 - y) * z)


def _bce_local(ctx):
    yhat, y = ctx.args
    return (yhat - y) / np.maximum(yhat * (1.0 - yhat), DENOMINATOR_FLOOR)


def sigmoid_bce_vjp(ctx, g):
    """∂J/∂z for BCE straight after a sigmoid a = σ(z): g (a − y), with no division by a(1 − a)."""
    yhat, y = ctx.args
    return _per_sample(ctx, g, yhat) * (yhat - y)


def _bce_vjp(ctx, g):
    return _per_sample(ctx, g, ctx.args[0]) * _bce_local(ctx)


BCE = Op(
    name="bce", gate=r"\mathrm{BCE}", kind="loss", batch_from=0,
    summary="J₀ = −[y log ŷ + (1 − y) log(1 − ŷ)], ∂J₀/∂ŷ = (ŷ − y)/(ŷ(1 − ŷ))",
    forward=_bce, infer=_same_shape_infer,
    latex=_vector_loss_latex(r"$out = -[$y \log $yhat + (1 - $y) \log(1 - $yhat)]",
                             r"$out = -\sum_{k} [$y_k \log $yhat_k + (1 - $y_k) \log(1 - $yhat_k)]"),
    slots=(
        Slot("yhat", vjp=_bce_vjp,
             jacobian=lambda ctx: _bce_local(ctx).reshape(1, -1),
             local=r"\frac{$yhat - $y}{$yhat(1 - $yhat)}"),
        Slot("y"),
    ),
    torch=("nn.BCELoss", "F.binary_cross_entropy"), domain=_bce_cases,
    reference=lambda t, yhat, y: t.nn.functional.binary_cross_entropy(yhat, y, reduction="sum"),
)

# ---------------------------------------------------------------------------- CCE: −Σₖ yₖ log ŷₖ


def _cce_infer(shapes, attrs):
    yhat, y = shapes
    if len(yhat) != 1:
        raise OpError(f"CCE needs a vector of K class probabilities per sample; got shape {yhat}")
    if y != yhat and y != ():
        raise OpError(f"the labels y must be one-hot {yhat} or one class index () per sample; got {y}")
    return ()


def one_hot(ctx):
    """The targets as an array of ŷ's shape: one-hot rows from class indices, else as given."""
    yhat, y = ctx.args
    if y.shape == yhat.shape:
        return y
    k = yhat.shape[-1]
    bad = (y != np.round(y)) | (y < 0) | (y >= k)
    if bad.any():
        raise OpError(f"class indices must be integers in 0…{k - 1}; got {first_bad(bad, y)}")
    return (np.arange(k) == y[..., None]).astype(float)


def _cce(ctx):
    yhat = ctx.args[0]
    y = one_hot(ctx)
    if ctx.args[1].shape == yhat.shape:
        _check_labels(y, "labels y (one-hot rows or probabilities)")
    if ctx.extra is not None:  # straight from a softmax: its log p, computed stably
        log_p = ctx.extra
    else:
        _check_probability(yhat)
        log_p = np.log(np.maximum(yhat, LOG_FLOOR))
    return -(y * log_p).sum(axis=-1)


def _cce_local(ctx):
    return -one_hot(ctx) / np.maximum(ctx.args[0], DENOMINATOR_FLOOR)


def softmax_cce_vjp(ctx, g):
    """∂J/∂l for CCE straight after a softmax: g (p Σy − y), with no division by p."""
    p = ctx.args[0]
    y = one_hot(ctx)
    return np.asarray(g)[..., None] * (p * y.sum(axis=-1, keepdims=True) - y)


def _class_index(m):
    """The labels are class indices (one number per sample), not one-hot vectors."""
    return m.sample_shapes.get("y") == () and len(m.sample_shapes.get("yhat", ())) == 1


def _cce_vjp(ctx, g):
    return np.asarray(g)[..., None] * _cce_local(ctx)


CCE = Op(
    name="cce", gate=r"\mathrm{CCE}", kind="loss", batch_from=0,
    summary="J₀ = −Σₖ yₖ log ŷₖ, ∂J₀/∂ŷⱼ = −yⱼ/ŷⱼ (labels one-hot or class indices)",
    forward=_cce, infer=_cce_infer,
    latex=lambda m: r"$out = -\log $yhat_at_y" if _class_index(m) else r"$out = -\sum_{k} $y_k \log $yhat_k",
    slots=(
        Slot("yhat", vjp=_cce_vjp,
             jacobian=lambda ctx: _cce_local(ctx).reshape(1, -1),
             local=lambda m: r"-\frac{[k = $y]}{$yhat_at_y}" if _class_index(m) else r"-\frac{$y_k}{$yhat_k}"),
        Slot("y"),
    ),
    torch=("nn.NLLLoss",), domain=_cce_cases, reference=_cce_reference,
)

OPS = (MSE, BCE, CCE)
