"""Backpropagation through time, as d2l.ai's chapter draws it: a recurrent layer unrolled over
three steps, hₜ = tanh(xₜ W_xh + hₜ₋₁ W_hh + b) with h₀ = 0, the weights shared by every step,
and a squared error on the last output o = h₃ᵀw + c. Each step's share of ∂J/∂W_xh is an edge of
its own; the figure states their sum (the figure ``lecture:rnn_bptt``)."""

import graphjac as gj

g = gj.Graph("backpropagation through time")
with g.group("Shared"):
    W_xh = g.param("W_xh", [[0.5, -0.3], [0.2, 0.4]])
    W_hh = g.param("W_hh", [[0.1, 0.6], [-0.5, 0.3]])
    b = g.param("b", [0.0, 0.1], label=r"\vec{b}")
h = None
for t, x_t in enumerate(([1.0, -0.5], [0.5, 2.0], [-1.0, 1.0]), start=1):
    with g.group(f"t = {t}"):
        x = g.input(f"x{t}", x_t, label=rf"\vec{{x}}_{{{t}}}")
        a = g.add(g.matmul(x, W_xh, name=f"u{t}", label=rf"\vec{{u}}_{{{t}}}"), b, name=f"a{t}",
                  label=rf"\vec{{a}}_{{{t}}}") if h is None else \
            g.add(g.add(g.matmul(x, W_xh, name=f"u{t}", label=rf"\vec{{u}}_{{{t}}}"),
                        g.matmul(h, W_hh, name=f"v{t}", label=rf"\vec{{v}}_{{{t}}}"), name=f"s{t}",
                        label=rf"\vec{{s}}_{{{t}}}"), b, name=f"a{t}", label=rf"\vec{{a}}_{{{t}}}")
        h = g.activation(a, "tanh", name=f"h{t}", label=rf"\vec{{h}}_{{{t}}}")
w = g.param("w", [0.7, -0.4], label=r"\vec{w}")
c = g.param("c", 0.1)
o = g.neuron(h, w, c, name="o")
J = g.loss(o, g.input("y", 0.5), "mse", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("rnn_bptt.svg"))
