"""A dense layer of K = 3 neurons, ŷ⃗ = softmax(l⃗) and the CCE on one-hot labels over N = 4
samples: ∂J/∂l⃗⁽ⁱ⁾ = (ŷ⃗⁽ⁱ⁾ − y⃗⁽ⁱ⁾)ᵀ/N (the figure ``lecture:dense_cce``)."""

import graphjac as gj

g = gj.Graph("dense layer, softmax, CCE")
with g.group("Dataset"):
    x = g.input("x", [[1.0, 2.0], [0.5, -1.5], [-1.0, 0.5], [2.0, 1.0]], batch=True)
    y = g.input("y", [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 0.0]], batch=True)
with g.group("Model"):
    W = g.param("W", [[0.2, -0.5, 0.1], [0.4, 0.3, -0.2]])   # one neuron's w⃗ per column
    B = g.param("B", [0.1, 0.0, -0.1])
    l = g.dense(x, W, B, name="l")
    y_hat = g.activation(l, "softmax", name="y_hat")
J0 = g.loss(y_hat, y, "cce", name="J0")
J = g.mean(J0, name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "LR", "tables": ["W"],
                    "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("dense_cce.svg"))
