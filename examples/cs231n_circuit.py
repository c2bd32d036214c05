"""CS231n's first circuit, f(x, y, z) = (x + y) z at x = −2, y = 5, z = −4: q = x + y = 3,
f = qz = −12; backward ∂f/∂q = z = −4, ∂f/∂z = q = 3, ∂f/∂x = ∂f/∂y = ∂f/∂q · 1 = −4
(the figure ``lecture:cs231n_circuit``)."""

import graphjac as gj

g = gj.Graph("f = (x + y) z")
x = g.input("x", -2.0)
y = g.input("y", 5.0)
z = g.input("z", -4.0)
q = (x + y).named("q")
f = (q * z).named("f")
g.target = f
g.render_options = {"math": "typeset", "direction": "LR", "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("cs231n_circuit.svg"))
