"""z = f(x⃗) = (1/3) Σᵢ (xᵢ)²: the gradient ∂z/∂x⃗ = (2x₁/3 2x₂/3 2x₃/3) (``lecture:mean_squares``)."""

import graphjac as gj

g = gj.Graph("z = (1/3)(x₁² + x₂² + x₃²)")
x = g.input("x", [1.0, 2.0, 3.0])
s = g.square(x, name="s")
z = g.mean(s, name="z")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value", "shape"]}

if __name__ == "__main__":
    print(g.render("mean_squares.svg"))
