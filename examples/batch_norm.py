"""Batch normalisation over a minibatch of four samples with the training statistics μ_B and
σ_B², a squared error per sample and the mean J (the figure ``lecture:batch_norm``)."""

import graphjac as gj

g = gj.Graph("batch normalisation")
with g.group("Minibatch"):
    X = g.input("X", [[1.0, 2.0], [0.5, -1.0], [-1.5, 0.5], [2.0, 1.0]], batch=True)
    T = g.input("t", [[0.5, 0.0], [0.0, -1.0], [-1.0, 0.5], [1.0, 0.5]], batch=True)
gamma = g.param("gamma", [1.5, 0.5])
beta = g.param("beta", [0.1, -0.1])
Y = g.batch_norm(X, gamma, beta, name="y")
J = g.mean(g.loss(Y, T, "mse", name="J0"), name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("batch_norm.svg"))
