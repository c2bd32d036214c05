"""micrograd's README expression, written as that README writes it: g = 24.7041,
∂g/∂a = 138.8338, ∂g/∂b = 645.5773 (the figure ``lecture:micrograd``). Every unnamed
intermediate gets a name that says its op (add₁, mul₂, …)."""

import graphjac as gj

G = gj.Graph("micrograd's README expression")
a = G.param("a", -4.0)
b = G.param("b", 2.0)
c = a + b
d = a * b + b**3
c += c + 1
c += 1 + c + (-a)
d += d * 2 + (b + a).relu()
d += 3 * d + (b - a).relu()
e = c - d
f = e**2
g = f / 2.0
g += 10.0 / f
g.named("g")
G.target = g
G.render_options = {"math": "typeset", "direction": "LR", "edge_labels": ["value"], "node_labels": ["formula", "value"]}

if __name__ == "__main__":
    print(G.render("micrograd.svg"))
