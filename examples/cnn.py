"""A small CNN on one 1 × 4 × 4 image: a convolution with two 3 × 3 kernels, ReLU, 2 × 2 max
pooling, flatten, a dense layer to three classes, softmax and the cross-entropy at the label
(the figure ``lecture:cnn``)."""

import graphjac as gj

g = gj.Graph("a convolutional network")
x = g.input("X", [[[0.5, -1.0, 2.0, 0.0], [1.5, 0.5, -0.5, 1.0], [0.0, 2.0, 1.0, -1.5], [1.0, -0.5, 0.5, 2.0]]])
y = g.input("y", 2.0)
with g.group("Model"):
    K = g.param("K", [[[[0.2, -0.1, 0.3], [0.0, 0.4, -0.2], [0.1, 0.1, -0.3]]],
                      [[[-0.3, 0.2, 0.1], [0.2, -0.1, 0.0], [0.3, 0.2, 0.1]]]])
    b = g.param("b", [0.05, -0.05], label=r"\vec{b}")
    C = g.conv2d(x, K, b, name="C")
    H = g.activation(C, "relu", name="H")
    P = g.max_pool2d(H, 2, name="P")
    f = g.flatten(P, name="f", label=r"\vec{f}")
    W = g.param("W", [[0.5, -0.3, 0.2], [-0.4, 0.6, 0.1]])
    B = g.param("B", [0.0, 0.1, -0.1], label=r"\vec{b}_{2}")
    l = g.dense(f, W, B, name="l", label=r"\vec{l}")
    p = g.activation(l, "softmax", name="p", label=r"\hat{y}")
J = g.loss(p, y, "cce", name="J")
g.target = J
g.render_options = {"math": "typeset", "direction": "BT", "edge_labels": ["symbol", "formula"]}

if __name__ == "__main__":
    print(g.render("cnn.svg"))
