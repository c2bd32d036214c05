"""z = f(x, y) = x² + y²: ∂z/∂x = 2x, ∂z/∂y = 2y (the figure ``lecture:squares``)."""

import graphjac as gj

g = gj.Graph("z = x² + y²")
x = g.input("x", 3.0)
y = g.input("y", 2.0)
u = g.square(x, name="u")
v = g.square(y, name="v")
z = g.add(u, v, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("squares.svg"))
