"""A neuron with a = relu(z), ∂a/∂z = 1 if z ≥ 0, else 0, and J = (y − a)²
(the figure ``lecture:neuron_relu``)."""

import graphjac as gj

g = gj.Graph("neuron + ReLU")
x = g.input("x", [1.0, 2.0, -1.0])
w = g.param("w", [0.5, -0.3, 0.8])
b = g.param("b", 1.5)
y = g.input("y", 1.0)
z = g.neuron(x, w, b, name="z")
a = g.activation(z, "relu", name="a")
J = g.loss(a, y, "mse", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("neuron_relu.svg"))
