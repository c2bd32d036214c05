"""CS231n's 2-D neuron f(w, x) = 1 / (1 + e^{−(w₀x₀ + w₁x₁ + w₂)}) gate by gate — ×, +, ×−1,
exp, +1, 1/x — at w = (2, −3, −3), x = (−1, −2): f = 0.73, ∂f/∂w = (−0.20, −0.39, 0.20),
∂f/∂x = (0.39, −0.59) (the figure ``lecture:cs231n_sigmoid``)."""

import graphjac as gj

g = gj.Graph("f = σ(w₀x₀ + w₁x₁ + w₂), gate by gate")
w0, x0 = g.param("w0", 2.0), g.input("x0", -1.0)
w1, x1 = g.param("w1", -3.0), g.input("x1", -2.0)
w2 = g.param("w2", -3.0)
a = (w0 * x0).named("a")
b = (w1 * x1).named("b")
c = (a + b).named("c")
d = (c + w2).named("d")
t = (d * -1.0).named("t")
h = t.exp().named("h")
k = (h + 1.0).named("k")
f = (1.0 / k).named("f")
g.target = f
g.render_options = {"math": "typeset", "direction": "LR", "edge_labels": ["symbol", "value"]}

if __name__ == "__main__":
    print(g.render("cs231n_sigmoid.svg"))
