"""Every op and every slot against the oracle: forward values, ∂J/∂node, per-edge shares and
per-sample local Jacobians, for scalars, vectors and minibatches (autograd and finite differences)."""

import numpy as np
import pytest

import graphjac as gj
from oracle import check_all, weighted_sum

N, K = 4, 3   # minibatch size, vector length


def values(rng, *shape, low=-2.0, high=2.0):
    return rng.uniform(low, high, size=shape)


def operand(g, rng, name, kind, low=-2.0, high=2.0):
    """A leaf of the given kind: scalar, vector, matrix, batch (per-sample scalars), batch-vector …"""
    shapes = {"scalar": (), "vector": (K,), "matrix": (2, K), "batch": (N,), "batch-vector": (N, K),
              "batch-row": (N, 1, K), "column": (2, 1)}
    leaf = g.input if kind.startswith("batch") else g.param
    kw = {"batch": True} if kind.startswith("batch") else {}
    return leaf(name, values(rng, *shapes[kind], low=low, high=high), **kw)


BROADCASTS = [
    ("scalar", "scalar"), ("vector", "vector"), ("vector", "scalar"), ("scalar", "vector"),
    ("batch-vector", "vector"), ("vector", "batch-vector"), ("batch", "vector"), ("vector", "batch"),
    ("batch", "scalar"), ("batch-vector", "batch-vector"), ("batch", "batch-vector"),
    ("matrix", "vector"), ("batch-row", "column"), ("batch", "batch"),
]


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
@pytest.mark.parametrize("kinds", BROADCASTS, ids="-".join)
def test_elementwise_binary(op, kinds, rng):
    g = gj.Graph(op)
    u, v = operand(g, rng, "u", kinds[0]), operand(g, rng, "v", kinds[1])
    z = getattr(g, op)(u, v, name="z")
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("op", ["add", "sub", "mul"])
def test_operators_match_named_ops(op, rng):
    g = gj.Graph(op)
    u, v = operand(g, rng, "u", "batch-vector"), operand(g, rng, "v", "vector")
    z = {"add": u + v, "sub": u - v, "mul": u * v}[op]
    assert z.kind == op
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("kind", ["scalar", "vector", "batch", "batch-vector", "matrix"])
@pytest.mark.parametrize("exponent", [2, 3, -1, 0.5, 1, 0])
def test_powers(kind, exponent, rng):
    g = gj.Graph("pow")
    u = operand(g, rng, "u", kind, low=0.5, high=2.0)   # away from 0: u⁻¹ and u^½ stay smooth
    z = u ** exponent
    assert z.kind == ("square" if exponent == 2 else "pow")
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("kind", ["scalar", "vector", "matrix", "batch", "batch-vector"])
def test_reductions(op, kind, rng):
    g = gj.Graph(op)
    u = operand(g, rng, "u", kind)
    z = getattr(g, op)(u, name="z")
    assert z.shape == () and not z.batch
    check_all(g, g.mul(z, 1.7, name="J"))


@pytest.mark.parametrize("kinds", [("vector", "vector"), ("batch-vector", "vector"),
                                   ("vector", "batch-vector"), ("batch-vector", "batch-vector")], ids="-".join)
def test_dot(kinds, rng):
    g = gj.Graph("dot")
    u, v = operand(g, rng, "u", kinds[0]), operand(g, rng, "v", kinds[1])
    z = u @ v if kinds[0] == kinds[1] else g.dot(u, v, name="z")
    assert z.kind == "dot"
    check_all(g, weighted_sum(g, z))


def test_dot_with_itself_is_a_squared_norm(rng):
    g = gj.Graph("u·u")
    u = operand(g, rng, "u", "batch-vector")
    check_all(g, weighted_sum(g, g.dot(u, u, name="z")))


@pytest.mark.parametrize("x_batch", [False, True])
@pytest.mark.parametrize("w_batch", [False, True])
@pytest.mark.parametrize("b_batch", [False, True])
def test_neuron(x_batch, w_batch, b_batch, rng):
    g = gj.Graph("neuron")
    x = operand(g, rng, "x", "batch-vector" if x_batch else "vector")
    w = operand(g, rng, "w", "batch-vector" if w_batch else "vector")
    b = operand(g, rng, "b", "batch" if b_batch else "scalar")
    z = g.neuron(x, w, b, name="z")
    assert z.batch == (x_batch or w_batch or b_batch)
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("x_batch", [False, True])
@pytest.mark.parametrize("w_batch", [False, True])
@pytest.mark.parametrize("b_batch", [False, True])
def test_dense(x_batch, w_batch, b_batch, rng):
    n, k = 3, 2
    g = gj.Graph("dense")
    x = g.input("x", values(rng, *((N, n) if x_batch else (n,))), batch=x_batch)
    W = g.input("W", values(rng, *((N, n, k) if w_batch else (n, k))), batch=w_batch)
    B = g.input("B", values(rng, *((N, k) if b_batch else (k,))), batch=b_batch)
    l = g.dense(x, W, B, name="l")
    assert l.shape == ((N, k) if (x_batch or w_batch or b_batch) else (k,))
    check_all(g, weighted_sum(g, l))


ACTIVATION_CASES = [(f, kind) for f in ["sigmoid", "tanh", "relu", "leaky_relu", "identity", "softmax"]
                    for kind in ["scalar", "vector", "batch", "batch-vector"]
                    if f != "softmax" or kind.endswith("vector")]   # softmax: a vector per sample


@pytest.mark.parametrize("function, kind", ACTIVATION_CASES)
def test_activations(function, kind, rng):
    g = gj.Graph(function)
    z = operand(g, rng, "z", kind, low=-3.0, high=3.0)
    a = g.activation(z, function, name="a")
    check_all(g, weighted_sum(g, a))


@pytest.mark.parametrize("slope", [0.0, 0.2, 0.999])
@pytest.mark.parametrize("kind", ["scalar", "batch-vector"])
def test_leaky_relu_with_its_slope(slope, kind, rng):
    g = gj.Graph("leaky")
    z = operand(g, rng, "z", kind, low=-3.0, high=3.0)
    a = g.activation(z, "leaky_relu", slope=slope, name="a")
    assert g.record(a).attrs == {"slope": slope}
    check_all(g, weighted_sum(g, a))


def test_leaky_relu_at_its_kink_and_by_default():
    g = gj.Graph("kink")
    z = g.param("z", [-2.0, 0.0, 3.0])
    a = g.activation(z, "leaky_relu", name="a")
    assert g.record(a).attrs == {"slope": 0.01}                         # the default
    np.testing.assert_array_equal(a.value, [-0.02, 0.0, 3.0])
    np.testing.assert_array_equal(g.jacobian(a, z), np.diag([0.01, 1.0, 1.0]))   # ′(0) = 1, as ReLU′(0)


@pytest.mark.parametrize("kind", ["scalar", "vector", "batch", "batch-vector"])
def test_mse(kind, rng):
    g = gj.Graph("mse")
    yhat = operand(g, rng, "ŷ", kind)
    y = g.input("y", values(rng, *yhat.shape), batch=yhat.batch)
    J0 = g.loss(yhat, y, "mse", name="J0")
    assert J0.shape == ((N,) if yhat.batch else ())
    check_all(g, weighted_sum(g, J0))


@pytest.mark.parametrize("kind", ["scalar", "vector", "batch", "batch-vector"])
def test_bce(kind, rng):
    g = gj.Graph("bce")
    yhat = operand(g, rng, "ŷ", kind, low=0.1, high=0.9)
    y = g.input("y", rng.integers(0, 2, size=yhat.shape), batch=yhat.batch)
    check_all(g, weighted_sum(g, g.loss(yhat, y, "bce", name="J0")))


@pytest.mark.parametrize("labels", ["one-hot", "indices", "soft"])
@pytest.mark.parametrize("batch", [False, True])
def test_cce_of_probabilities(labels, batch, rng):
    g = gj.Graph("cce")
    p = values(rng, *((N, K) if batch else (K,)), low=0.1, high=1.0)
    yhat = g.input("ŷ", p / p.sum(axis=-1, keepdims=True), batch=batch) if batch else \
        g.param("ŷ", p / p.sum())
    index = rng.integers(0, K, size=p.shape[:-1])
    y = {"one-hot": np.eye(K)[index], "indices": index,
         "soft": values(rng, *p.shape, low=0.0, high=1.0)}[labels]
    check_all(g, weighted_sum(g, g.loss(yhat, g.input("y", y, batch=batch), "cce", name="J0")))


def test_a_constant_number_operand(rng):
    g = gj.Graph("constants")
    x = operand(g, rng, "x", "batch-vector")
    z = 2.5 * x - 1 + (3 - x) * 0.5
    check_all(g, weighted_sum(g, z))


# ------------------------------------------------------------------ the gates of every backprop lecture

UNARY_GATES = {   # op -> operand range (inside each domain, away from kinks)
    "neg": (-2.0, 2.0), "exp": (-2.0, 2.0), "log": (0.2, 3.0), "sqrt": (0.2, 3.0), "abs": (0.2, 2.0),
    "sin": (-2.0, 2.0), "cos": (-2.0, 2.0),
}


@pytest.mark.parametrize("kind", ["scalar", "vector", "batch", "batch-vector"])
@pytest.mark.parametrize("op", sorted(UNARY_GATES))
def test_unary_gates(op, kind, rng):
    g = gj.Graph(op)
    low, high = UNARY_GATES[op]
    u = operand(g, rng, "u", kind, low=low, high=high)
    if op == "abs":   # both signs, away from the kink at 0
        g.set_value(u, g.value(u) * np.where(rng.random(u.shape) < 0.5, -1.0, 1.0))
    z = getattr(g, op)(u, name="z")
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("op", ["div", "maximum", "minimum"])
@pytest.mark.parametrize("kinds", BROADCASTS, ids="-".join)
def test_binary_gates(op, kinds, rng):
    g = gj.Graph(op)
    u = operand(g, rng, "u", kinds[0])
    v = operand(g, rng, "v", kinds[1], low=0.5, high=2.0) if op == "div" else operand(g, rng, "v", kinds[1])
    check_all(g, weighted_sum(g, getattr(g, op)(u, v, name="z")))


def test_max_gate_routes_the_gradient_and_splits_a_tie():
    """CS231n: the max gate passes the gradient to the larger input only; a tie: half each (PyTorch)."""
    g = gj.Graph("max")
    u, v = g.param("u", [3.0, -1.0, 2.0]), g.param("v", [1.0, 4.0, 2.0])
    g.backward(g.sum(g.maximum(u, v)))
    np.testing.assert_array_equal(g.grad(u), [1.0, 0.0, 0.5])
    np.testing.assert_array_equal(g.grad(v), [0.0, 1.0, 0.5])
    g.backward(g.sum(g.minimum(u, v)))
    np.testing.assert_array_equal(g.grad(u), [0.0, 1.0, 0.5])


def test_abs_has_derivative_zero_at_zero():
    g = gj.Graph("abs")
    u = g.param("u", [-2.0, 0.0, 3.0])
    g.backward(g.sum(g.abs(u)))
    np.testing.assert_array_equal(g.grad(u), [-1.0, 0.0, 1.0])


@pytest.mark.parametrize("a_batch, b_batch", [(False, False), (True, False), (False, True), (True, True)])
def test_matmul(a_batch, b_batch, rng):
    g = gj.Graph("matmul")
    A = g.input("A", values(rng, N, 2, 3), batch=True) if a_batch else g.param("A", values(rng, 2, 3))
    B = g.input("B", values(rng, N, 3, 4), batch=True) if b_batch else g.param("B", values(rng, 3, 4))
    Z = A @ B
    assert Z.kind == "matmul" and Z.shape == ((N, 2, 4) if a_batch or b_batch else (2, 4))
    check_all(g, weighted_sum(g, Z))


def test_at_of_two_vectors_stays_the_dot_product(rng):
    g = gj.Graph("dot")
    u, v = g.param("u", values(rng, K)), g.param("v", values(rng, K))
    assert (u @ v).kind == "dot"


@pytest.mark.parametrize("kind", ["matrix", "vector", "batch-row"])
def test_transpose(kind, rng):
    g = gj.Graph("transpose")
    u = operand(g, rng, "u", kind)
    z = g.transpose(u, name="z")
    assert z.shape[-2:] == u.shape[-2:][::-1] or kind == "vector"
    check_all(g, weighted_sum(g, z))


@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("op", ["sum", "mean"])
@pytest.mark.parametrize("batch", [False, True])
def test_reductions_along_an_axis_of_a_sample(op, axis, batch, rng):
    g = gj.Graph(op)
    u = g.input("u", values(rng, N, 2, 3), batch=True) if batch else g.param("u", values(rng, 2, 3))
    z = getattr(g, op)(u, axis=axis, name="z")
    per_sample = (2, 3)[:axis % 2] + (2, 3)[axis % 2 + 1:]
    assert z.shape == ((N,) + per_sample if batch else per_sample) and z.batch == batch
    check_all(g, weighted_sum(g, z))


def test_an_axis_out_of_range_names_the_node():
    g = gj.Graph("axis")
    u = g.param("u", np.ones((2, 3)))
    with pytest.raises(gj.ShapeError, match=r"node 's' .*axis 2 is out of range for one sample of shape \(2, 3\)"):
        g.sum(u, axis=2, name="s")


@pytest.mark.parametrize("kind", ["scalar", "batch-vector"])
def test_softplus(kind, rng):
    g = gj.Graph("softplus")
    z = operand(g, rng, "z", kind, low=-3.0, high=3.0)
    check_all(g, weighted_sum(g, g.activation(z, "softplus", name="a")))


@pytest.mark.parametrize("op, value, message", [
    ("log", [-1.0, 2.0], r"node 'z' \(log of 'u'\): log u needs u > 0; got -1 at index \(0,\)"),
    ("log", [2.0, 0.0], r"node 'z' \(log of 'u'\): log u needs u > 0; got 0 at index \(1,\)"),
    ("sqrt", [4.0, -3.0], r"node 'z' \(sqrt of 'u'\): √u needs u ≥ 0; got -3 at index \(1,\)"),
    ("reciprocal", [0.0, 2.0], r"node 'z' \(div of 'const1', 'u'\): division by zero: the divisor is 0 at index \(0,\)"),
])
def test_domain_errors_name_the_node(op, value, message):
    g = gj.Graph("domains")
    u = g.param("u", value)
    z = g.div(1.0, u, name="z") if op == "reciprocal" else getattr(g, op)(u, name="z")
    with pytest.raises(gj.ValueDomainError, match=message):
        g.value(z)


# ------------------------------------------------------------------ micrograd's operators and methods


def test_operators_and_methods_build_the_named_ops(rng):
    g = gj.Graph("micrograd")
    u, v = g.param("u", values(rng, K, low=0.5, high=2.0)), g.param("v", values(rng, K, low=0.5, high=2.0))
    built = {"neg": -u, "div": u / v, "div·": 2 / u, "div/": u / 2, "sub": u - 3, "sub·": 3 - u,
             "exp": u.exp(), "log": u.log(), "relu": u.relu(), "tanh": u.tanh(), "sigmoid": u.sigmoid(),
             "sum": u.sum(), "mean": u.mean()}
    assert {k: n.kind if n.kind != "activation" else g.record(n).op for k, n in built.items()} == {
        "neg": "neg", "div": "div", "div·": "div", "div/": "div", "sub": "sub", "sub·": "sub", "exp": "exp",
        "log": "log", "relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "sum": "sum", "mean": "mean"}
    np.testing.assert_allclose(built["div·"].value, 2 / u.value)
    np.testing.assert_allclose(built["sub·"].value, 3 - u.value)
    check_all(g, g.sum(sum(list(built.values())[1:], built["neg"]), name="J"))
    assert u.grad is g.grad(u) and u.value is g.value(u)


def test_named_names_the_result_in_place():
    g = gj.Graph("named")
    x, y = g.input("x", 1.0), g.input("y", 2.0)
    z = (x + y).named("z")
    assert z.name == "z" and g.node("z").id == z.id and "add1" not in g
    with pytest.raises(gj.GraphjacError, match="already has a node named 'x'"):
        (x * y).named("x")
