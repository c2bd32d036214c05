"""z = u⃗ · v⃗ = Σᵢ uᵢvᵢ: ∂z/∂u⃗ = v⃗ᵀ and ∂z/∂v⃗ = u⃗ᵀ (the figure ``lecture:dot``)."""

import graphjac as gj

g = gj.Graph("z = u · v")
u = g.input("u", [1.0, 2.0, 3.0])
v = g.input("v", [4.0, -5.0, 6.0])
z = g.dot(u, v, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value", "shape"]}

if __name__ == "__main__":
    print(g.render("dot.svg"))
