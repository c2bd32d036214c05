"""The gallery of built-in lecture figures: ``lecture:NAME`` wherever a spec file is accepted.

The spec files live in the repository's ``examples/`` folder, installed as the data package
``graphjac.lecture``; :func:`graphjac.load` (``lecture:NAME``) and
:func:`graphjac.io.loaders.load_example` read them.

>>> catalog()["dot"]
'the dot product z = u⃗·v⃗, with ∂z/∂u⃗ = v⃗ᵀ and ∂z/∂v⃗ = u⃗ᵀ'
>>> spec_path("dot").name
'dot.yaml'
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from graphjac.errors import GraphjacError, close_matches

PREFIX = "lecture:"
PACKAGE = "graphjac.lecture"

# In the lecture's order.
_CATALOG = {
    "add": "z = x + y, with ∂z/∂x = ∂z/∂y = 1",
    "squares": "z = x² + y², with ∂z/∂x = 2x and ∂z/∂y = 2y",
    "product": "z = xy, with ∂z/∂x = y and ∂z/∂y = x",
    "mean": "z = (1/3) Σᵢ xᵢ, with the gradient (1/3 1/3 1/3)",
    "mean_squares": "z = (1/3) Σᵢ xᵢ², with the gradient (2x₁/3 2x₂/3 2x₃/3)",
    "dot": "the dot product z = u⃗·v⃗, with ∂z/∂u⃗ = v⃗ᵀ and ∂z/∂v⃗ = u⃗ᵀ",
    "neuron": "the neuron z = x⃗ᵀw⃗ + b, σ and BCE, bottom to top with its three backward edges",
    "neuron_sigmoid": "a neuron with the activation σ: ∂a/∂z = a(1 − a)",
    "neuron_tanh": "a neuron with the activation tanh: ∂a/∂z = (1 + a)(1 − a)",
    "neuron_relu": "a neuron with the activation ReLU: ∂a/∂z = 1 if z ≥ 0, else 0",
    "minibatch_mse": "a minibatch of N samples, MSE per sample and its mean J, left to right",
    "minibatch_bce": "a minibatch of N samples, σ, BCE per sample and its mean J, left to right",
    "dense_cce": "a dense layer W, B with softmax and CCE on one-hot labels, W as a table",
    "softmax_jacobian": "the softmax and its K×K Jacobian ∂pᵢ/∂lⱼ, drawn as a table",
    "gradient_descent": "one gradient-descent step x⃗ := x⃗ − α(∇ₓ z)ᵀ: the graph before and after",
    # beyond this lecture: the figures of every backprop lecture
    "cs231n_circuit": "CS231n's circuit f = (x + y)z at x = −2, y = 5, z = −4: ∂f/∂x = ∂f/∂y = −4, ∂f/∂z = 3",
    "cs231n_sigmoid": "CS231n's neuron σ(w₀x₀ + w₁x₁ + w₂) gate by gate (×, +, ×−1, exp, +1, 1/x): f = 0.73",
    "colah": "Colah's e = (a + b)(b + 1): ∂e/∂b = 5, summed over b's two paths",
    "micrograd": "micrograd's README expression: g = 24.7041, ∂g/∂a = 138.8338, ∂g/∂b = 645.5773",
    "two_layer": "a two-layer network on a minibatch: dense, tanh, dense, σ, BCE and the mean J",
    "two_layer_l2": "two layers with L2 regularisation (d2l.ai): ∂J/∂W₁ sums the loss path and the penalty path",
    # beyond the MLP: the ops of a whole course
    "conv1d": "a 1-D convolution y⃗ = x⃗ ⋆ k⃗ + b (cross-correlation), ∂J/∂k⃗ = x⃗ ⋆ ∂J/∂y⃗",
    "cnn": "a small CNN: conv2d, ReLU, 2 × 2 max pooling, flatten, dense, softmax and CCE",
    "rnn_bptt": "backpropagation through time (d2l.ai): 3 steps, shared W_xh, W_hh, b; ∂J/∂W = Σₜ of the steps' shares",
    "attention": "scaled dot-product attention softmax(QKᵀ/√d)V, the softmax along each row",
    "layer_norm": "layer normalisation γ⃗ ⊙ (x⃗ − μ)/√(σ² + ε) + β⃗ over one vector's components",
    "batch_norm": "batch normalisation over a minibatch with the training statistics μ_B, σ_B²",
    "residual": "a residual block y⃗ = x⃗ + F(x⃗): ∂J/∂x⃗ sums the skip path and the block's path",
}


_VARIANTS = {
    "cs231n_sigmoid.circuit": ("cs231n_sigmoid", {"style": "circuit"}),
    "cs231n_circuit.circuit": ("cs231n_circuit", {"style": "circuit"}),
    "micrograd.circuit": ("micrograd", {"style": "circuit"}),
    "neuron.exercise": ("neuron", {"blank": "values,grads", "edge_labels": "symbol,formula,value"}),
    "neuron.answers": ("neuron", {"blank": "values,grads", "answers": True, "edge_labels": "symbol,formula,value"}),
    "colah.local": ("colah", {"edge_labels": "local"}),
    "two_layer.slide": ("two_layer", {"fit": "4:3"}),
}


def variants() -> dict:
    """figure stem -> (built-in figure, render options): the gallery's figures drawn other ways
    (the circuit style, an exercise sheet and its key, local derivatives on the edges, a slide)."""
    return {stem: (name, dict(options)) for stem, (name, options) in _VARIANTS.items()}


def catalog() -> dict:
    """name -> one-line description of every built-in lecture figure, in the lecture's order."""
    return dict(_CATALOG)


def spec_path(name: str):
    """The installed spec file of the built-in lecture figure ``name``."""
    if name not in _CATALOG:
        close = close_matches(str(name), _CATALOG)
        hint = f"; did you mean {PREFIX}{close[0]}?" if close else ""
        what = "no such lecture example" if name else "needs the name of a lecture example, as in lecture:neuron"
        raise GraphjacError(f"{PREFIX}{name}: {what}{hint} "
                            f"(known: {', '.join(_CATALOG)}; `graphjac examples` lists them)")
    return Path(str(resources.files(PACKAGE) / f"{name}.yaml"))
