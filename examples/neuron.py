"""The neuron z = x⃗ᵀw⃗ + b, a = σ(z) and the BCE loss J, bottom to top (the figure ``lecture:neuron``).

Backward: ∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ, ∂J/∂w⃗ = ∂J/∂z · x⃗ᵀ, ∂J/∂b = ∂J/∂z, with ∂J/∂z = a − y.
"""

import graphjac as gj

g = gj.Graph("neuron")
x = g.input("x", [1.0, 2.0, -1.0])
w = g.param("w", [0.5, -0.3, 0.8])
b = g.param("b", 0.1)
y = g.input("y", 1.0)
z = g.neuron(x, w, b, name="z")
a = g.activation(z, "sigmoid", name="a")
J = g.loss(a, y, "bce", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("neuron.svg"))
