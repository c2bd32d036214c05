"""A minibatch of N = 4 samples, ŷ = σ(x⃗ᵀw⃗ + b), the BCE J₀⁽ⁱ⁾ and J = (1/N) Σᵢ J₀⁽ⁱ⁾
(the figure ``lecture:minibatch_bce``)."""

import graphjac as gj

g = gj.Graph("minibatch, BCE")
with g.group("Dataset"), g.group("Minibatch"):
    x = g.input("x", [[1.0, 2.0], [0.5, -1.5], [-1.0, 0.5], [2.0, 1.0]], batch=True)
    y = g.input("y", [1.0, 0.0, 0.0, 1.0], batch=True)
with g.group("Model"):
    w = g.param("w", [0.4, 0.3])
    b = g.param("b", 0.1)
    z = g.neuron(x, w, b, name="z")
    y_hat = g.activation(z, "sigmoid", name="y_hat")
J0 = g.loss(y_hat, y, "bce", name="J0")
J = g.mean(J0, name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "LR", "samples": 2,
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("minibatch_bce.svg"))
