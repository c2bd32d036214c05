"""A 1-D convolution as CS231n and d2l.ai draw it: a signal x⃗ of six numbers, a kernel k⃗ of
three and a bias b, y⃗ = x⃗ ⋆ k⃗ + b (cross-correlation, as PyTorch), and J = ½ Σ yₖ²; the
kernel's gradient is the correlation of x⃗ with ∂J/∂y⃗ (the figure ``lecture:conv1d``)."""

import graphjac as gj

g = gj.Graph("a 1-D convolution")
x = g.input("x", [[1.0, 2.0, -1.0, 0.5, 3.0, -2.0]])
k = g.param("k", [[[0.5, -1.0, 0.25]]], label=r"\vec{k}")
b = g.param("b", [0.1])
y = g.conv1d(x, k, b, name="y", label=r"\vec{y}")
J = g.mul(0.5, g.sum(g.square(y, name="q", label=r"\vec{q}"), name="s"), name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("conv1d.svg"))
