"""A two-layer network on a minibatch of three samples: dense → tanh → dense → σ → BCE, and the
mean J over the minibatch (the figure ``lecture:two_layer``; with ``fit: 4:3`` it fills a slide)."""

import graphjac as gj

g = gj.Graph("a two-layer network")
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
J = g.mean(J0, name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("two_layer.svg"))
