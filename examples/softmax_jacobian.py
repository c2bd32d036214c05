"""The softmax p = softmax(l⃗) and its K×K Jacobian ∂pᵢ/∂lⱼ drawn as a table, closed by the CCE
on a one-hot label (the figure ``lecture:softmax_jacobian``)."""

import graphjac as gj

g = gj.Graph("softmax Jacobian")
l = g.input("l", [2.0, 1.0, 0.1])
y = g.input("y", [1.0, 0.0, 0.0])
p = g.activation(l, "softmax", name="p")
J = g.loss(p, y, "cce", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "jacobians": ["p:l"],
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("softmax_jacobian.svg"))
