"""Scaled dot-product attention, softmax(QKᵀ/√d)V, for two tokens of width d = 2, and the squared
error J = Σ (Y − O)² against a target Y; the softmax runs along each row of the scores (the figure
``lecture:attention``)."""

import graphjac as gj

g = gj.Graph("scaled dot-product attention")
Q = g.param("Q", [[1.0, 0.0], [0.5, -1.0]])
K = g.param("K", [[0.5, 1.0], [-1.0, 0.5]])
V = g.param("V", [[1.0, 2.0], [0.0, -1.0]])
root_d = g.const(2 ** 0.5, name="sqrt_d", label=r"\sqrt{d}")
KT = g.transpose(K, name="K^T", label="K^{T}")
S = g.div(g.matmul(Q, KT, name="QK^T", label="Q K^{T}"), root_d, name="S")
A = g.softmax(S, axis=-1, name="A")
O = g.matmul(A, V, name="O")
J = g.loss(O, g.input("Y", [[0.5, 1.0], [0.0, 0.0]]), "mse", name="J")
g.target = J
g.render_options = {"math": "typeset", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("attention.svg"))
