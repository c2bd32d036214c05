"""One gradient-descent step on z = (1/3) Σᵢ (xᵢ)²: x⃗ := x⃗ − α(∇ₓ f)ᵀ with α = 0.75, the graph
before the step beside the graph after it (the figure ``lecture:gradient_descent``)."""

import graphjac as gj

alpha = 0.75
g = gj.Graph("one gradient-descent step x := x − α (∇z)ᵀ, with α = 0.75")
with g.group("before the step"):
    x = g.param("x", [1.0, 2.0, 3.0])
    s = g.square(x, name="s")
    z = g.mean(s, name="z")
g.backward(z)
x_new = g.value(x) - alpha * g.grad(x)          # x⃗ := x⃗ − α (∂z/∂x⃗)ᵀ
with g.group("after the step"):
    g.mean(g.square(g.param("x_new", x_new), name="s_new"), name="z_new")
g.target = z
g.render_options = {"math": "typeset", "direction": "BT",
                    "edge_labels": ["symbol", "formula", "value"]}

if __name__ == "__main__":
    print(g.render("gradient_descent.svg"))
