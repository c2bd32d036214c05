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
