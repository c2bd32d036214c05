"""z = f(x, y) = xy: ∂z/∂x = y, ∂z/∂y = x (the figure ``lecture:product``)."""

import graphjac as gj

g = gj.Graph("z = xy")
x = g.input("x", 3.0)
y = g.input("y", 2.0)
z = g.mul(x, y, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("product.svg"))
