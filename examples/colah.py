"""Colah's "Calculus on Computational Graphs": e = (a + b)(b + 1) at a = 2, b = 1: c = 3,
d = 2, e = 6; ∂e/∂a = 2 and ∂e/∂b = 5, the sum over b's two paths (the figure ``lecture:colah``)."""

import graphjac as gj

g = gj.Graph("e = (a + b)(b + 1)")
a = g.input("a", 2.0)
b = g.input("b", 1.0)
c = (a + b).named("c")
d = (b + 1.0).named("d")
e = (c * d).named("e")
g.target = e
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("colah.svg"))
