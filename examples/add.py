"""z = f(x, y) = x + y: each partial derivative is 1 (the figure ``lecture:add``)."""

import graphjac as gj

g = gj.Graph("z = x + y")
x = g.input("x", 3.0)
y = g.input("y", 2.0)
z = g.add(x, y, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("add.svg"))
