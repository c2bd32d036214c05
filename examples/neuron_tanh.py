"""A neuron with a = tanh(z), ∂a/∂z = (1 + a)(1 − a), and J = (y − a)²
(the figure ``lecture:neuron_tanh``)."""

import graphjac as gj

g = gj.Graph("neuron + tanh")
x = g.input("x", [1.0, 2.0, -1.0])
w = g.param("w", [0.5, -0.3, 0.8])
b = g.param("b", 1.5)
y = g.input("y", 1.0)
z = g.neuron(x, w, b, name="z")
a = g.activation(z, "tanh", name="a")
J = g.loss(a, y, "mse", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("neuron_tanh.svg"))
