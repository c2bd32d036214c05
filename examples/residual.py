"""A residual block on a minibatch of two samples: y⃗ = x⃗ + W₂ᵀ ReLU(W₁ᵀx⃗ + b⃗₁) + b⃗₂, a squared
error and the mean J. ∂J/∂x⃗ is the sum of the skip path and the block's path (the figure
``lecture:residual``)."""

import graphjac as gj

g = gj.Graph("a residual block")
with g.group("Minibatch"):
    X = g.input("X", [[1.0, -0.5], [0.5, 2.0]], batch=True)
    T = g.input("t", [[1.0, 0.0], [0.0, 1.5]], batch=True)
with g.group("Block"):
    W1 = g.param("W1", [[0.5, -0.3], [0.2, 0.4]], label="W_{1}")
    B1 = g.param("B1", [0.1, -0.1], label=r"\vec{b}_{1}")
    W2 = g.param("W2", [[0.3, 0.2], [-0.4, 0.5]], label="W_{2}")
    B2 = g.param("B2", [0.0, 0.05], label=r"\vec{b}_{2}")
    H = g.activation(g.dense(X, W1, B1, name="L1", label=r"\vec{l}_{1}"), "relu", name="H", label=r"\vec{h}")
    F = g.dense(H, W2, B2, name="F", label=r"\vec{f}")
Y = g.add(X, F, name="y", label=r"\vec{y}")
J = g.mean(g.loss(Y, T, "mse", name="J0"), name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("residual.svg"))
