"""A two-layer network with L2 regularisation, as d2l.ai's backpropagation chapter draws it:
dense → tanh → dense → σ → BCE → mean, plus λ(ΣW₁² + ΣW₂²), so that ∂J/∂W₁ is the sum of
two paths, through the loss and through the penalty (the figure ``lecture:two_layer_l2``)."""

import graphjac as gj

g = gj.Graph("two layers with L2 regularisation")
with g.group("Minibatch"):
    X = g.input("X", [[1.0, 2.0], [0.5, -1.5], [-1.0, 0.5]], batch=True)
    y = g.input("y", [[1.0], [0.0], [1.0]], batch=True)
with g.group("Model"):
    W1 = g.param("W1", [[0.5, -0.4, 0.3], [0.2, 0.1, -0.6]], label="W_{1}")
    B1 = g.param("B1", [0.0, 0.1, -0.1], label="B_{1}")
    W2 = g.param("W2", [[0.7], [-0.5], [0.2]], label="W_{2}")
    B2 = g.param("B2", [0.05], label="B_{2}")
    L1 = g.dense(X, W1, B1, name="L1", label=r"\vec{l}_{1}")
    H = g.activation(L1, "tanh", name="H", label=r"\vec{h}")
    L2 = g.dense(H, W2, B2, name="L2", label=r"\vec{l}_{2}")
    P = g.activation(L2, "sigmoid", name="p", label=r"\hat{y}")
J0 = g.loss(P, y, "bce", name="J0")
lam = g.const(0.01, name="lambda")
penalty = (g.sum(g.square(W1, name="q1"), name="s1") + g.sum(g.square(W2, name="q2"), name="s2")).named("R")
J = (g.mean(J0, name="J_data", label=r"J_{\mathrm{data}}") + (lam * penalty).named("s")).named("J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("two_layer_l2.svg"))
