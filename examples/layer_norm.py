"""Layer normalisation of one vector, y⃗ = γ⃗ ⊙ (x⃗ − μ)/√(σ² + ε) + β⃗ with μ and σ² over its
components, then a squared error against t⃗ (the figure ``lecture:layer_norm``)."""

import graphjac as gj

g = gj.Graph("layer normalisation")
x = g.input("x", [1.0, 2.0, 4.0, -1.0])
gamma = g.param("gamma", [1.0, 0.5, 2.0, 1.5])
beta = g.param("beta", [0.0, 0.1, -0.1, 0.2])
y = g.layer_norm(x, gamma, beta, name="y")
J = g.loss(y, g.input("t", [0.5, 0.0, 1.0, -0.5]), "mse", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("layer_norm.svg"))
