"""z = f(x⃗) = (1/3) Σᵢ xᵢ: the gradient ∂z/∂x⃗ = (1/3 1/3 1/3) (the figure ``lecture:mean``)."""

import graphjac as gj

g = gj.Graph("z = (1/3)(x₁ + x₂ + x₃)")
x = g.input("x", [1.0, 2.0, 3.0])
z = g.mean(x, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value", "shape"]}

if __name__ == "__main__":
    print(g.render("mean.svg"))
