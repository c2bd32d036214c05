"""Random graphs (hypothesis): random shapes, batch sizes and compositions with fan-out, each
checked against the autograd oracle and finite differences."""

import numpy as np
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import mutually_broadcastable_shapes

import graphjac as gj
from oracle import check_all, evaluate

SETTINGS = settings(max_examples=150, deadline=None)

OPS = ["square", "cube", "tanh", "sigmoid", "identity", "softmax", "sum", "mean",
       "add", "sub", "mul", "self-mul", "dot", "neuron", "dense", "mse", "bce", "cce",
       "neg", "div", "exp", "log", "sqrt", "sin", "cos", "maximum", "softplus", "leaky_relu", "constant"]


@st.composite
def recipes(draw):
    """A random graph as data: sizes, leaves, then op steps that pick earlier nodes as operands."""
    n = draw(st.one_of(st.none(), st.integers(1, 4)))
    k = draw(st.integers(1, 3))
    leaves = draw(st.lists(st.tuples(st.sampled_from(["scalar", "vector"]), st.booleans()), min_size=2, max_size=4))
    steps = draw(st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 99), st.integers(0, 99)),
                          min_size=1, max_size=7))
    return n, k, leaves, steps, draw(st.integers(0, 2**32 - 1))


def build(recipe):
    """The graph of a recipe; J adds the means of the last node and of one more (fan-out)."""
    n, k, leaves, steps, seed = recipe
    rng = np.random.default_rng(seed)
    g = gj.Graph("random")

    def leaf(kind, batch, name, scale=0.8):
        batch = batch and n is not None
        shape = ((n,) if batch else ()) + ((k,) if kind == "vector" else ())
        make = g.input if batch else g.param
        return make(name, rng.normal(scale=scale, size=shape), **({"batch": True} if batch else {}))

    nodes = [leaf(kind, batch, f"x{i}") for i, (kind, batch) in enumerate(leaves)]
    for o, i, j in steps:
        op = OPS[(o + int(rng.integers(len(OPS)))) % len(OPS)]   # a seeded offset: every op equally often
        u, v = nodes[i % len(nodes)], nodes[j % len(nodes)]
        nodes.append(_step(g, op, u, v, leaf, rng, k))
    other = nodes[int(rng.integers(len(nodes) - 1))] if len(nodes) > 1 else nodes[0]
    return g, g.add(g.mean(nodes[-1]), g.mean(other), name="J")


def _is_vector(node):
    return len(node.shape) - node.batch == 1


def _step(g, op, u, v, leaf, rng, k):
    """One op on u (and v); an op that needs a vector where u or v is not one gets a new vector leaf."""
    def vector(node):
        return node if _is_vector(node) else leaf("vector", rng.random() < 0.5, f"v{len(g)}")

    if op in ("add", "sub", "mul"):
        return getattr(g, op)(u, v)
    if op in ("neg", "exp", "sin", "cos"):
        return getattr(g, op)(u * 0.5 if op == "exp" else u)
    if op in ("log", "sqrt"):                         # kept inside the domain: 1 + u²
        return getattr(g, op)(1.0 + u * u)
    if op == "div":
        return u / (1.5 + g.sin(v))                   # a divisor in [0.5, 2.5]
    if op == "maximum":
        return g.maximum(u, v)
    if op in ("softplus", "leaky_relu"):
        return g.activation(u, op, **({"slope": 0.3} if op == "leaky_relu" else {}))
    if op == "constant":
        return 2.5 * u - 1.0
    if op == "self-mul":
        return u * u                                  # one node in both slots of one op
    if op in ("square", "cube"):
        return u ** (2 if op == "square" else 3)
    if op in ("sum", "mean"):
        return getattr(g, op)(u)
    if op in ("tanh", "sigmoid", "identity"):
        return g.activation(u, op)
    if op == "softmax":
        return g.activation(vector(u), op)
    if op == "dot":
        return g.dot(vector(u), vector(v))
    if op == "neuron":
        return g.neuron(vector(u), vector(v), leaf("scalar", rng.random() < 0.5, f"b{len(g)}"))
    if op == "dense":
        W = g.param(f"W{len(g)}", rng.normal(scale=0.8, size=(k, k)))
        return g.dense(vector(u), W, leaf("vector", rng.random() < 0.5, f"B{len(g)}"))
    if op == "mse":
        return g.loss(u, g.input(f"y{len(g)}", rng.normal(size=u.shape), batch=u.batch), "mse")
    if op == "bce":
        p = g.activation(u, "sigmoid")
        return g.loss(p, g.input(f"y{len(g)}", rng.integers(0, 2, u.shape), batch=u.batch), "bce")
    u = vector(u)   # cce: of a softmax (the fused path) or of sigmoids (probabilities, not fused)
    p = g.activation(u, "softmax" if rng.random() < 0.7 else "sigmoid")
    labels = rng.integers(0, k, u.shape[:-1])
    return g.loss(p, g.input(f"y{len(g)}", labels if rng.random() < 0.5 else np.eye(k)[labels], batch=u.batch), "cce")


def _tame(g):
    """Keep finite differences of the oracle meaningful: no overflow, and probabilities at least
    1e−6 away from 0 and 1 (nearer, −y/p and 1 − ŷ lose the digits a difference quotient needs;
    those extremes are tested exactly in test_engine)."""
    values, _ = evaluate(g)
    assume(all(np.all(np.abs(v) < 25) for v in values))
    for node, v in zip(g.nodes, values):
        record = g.record(node)
        if record.op in ("sigmoid", "softmax"):
            assume(np.all(np.minimum(v, 1 - v) > 1e-6))
        if record.op in ("leaky_relu", "relu", "abs", "maximum"):   # no difference quotient at a kink (x − x = 0)
            operands = [_per_sample(values[i], g.record(g.nodes[i]).batch, np.ndim(v)) for i in record.inputs]
            gap = operands[0] - operands[1] if record.op == "maximum" else operands[0]
            assume(np.all(np.abs(gap) > 1e-4))


def _per_sample(value, batch, ndim):
    """A minibatch operand with trailing unit axes, to broadcast sample by sample as the op does."""
    return np.reshape(value, np.shape(value) + (1,) * (ndim - np.ndim(value))) if batch else value


@SETTINGS
@given(recipes())
def test_random_compositions_match_autograd_and_finite_differences(recipe):
    g, J = build(recipe)
    _tame(g)
    check_all(g, J)


@SETTINGS
@given(st.data())
def test_random_broadcasts_per_sample(data):
    """add/sub/mul of operands of random broadcastable shapes, each a minibatch or not."""
    shapes = data.draw(mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    n = data.draw(st.integers(1, 3))
    batch = data.draw(st.tuples(st.booleans(), st.booleans()))
    op = data.draw(st.sampled_from(["add", "sub", "mul"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    g = gj.Graph("broadcast")
    u, v = (g.input(name, rng.normal(size=((n,) if b else ()) + s), batch=b)
            for name, s, b in zip("uv", shapes, batch))
    z = getattr(g, op)(u, v, name="z")
    R = g.input("R", rng.normal(size=z.shape), batch=z.batch)
    check_all(g, g.sum(z * R, name="J"))


ACTIVATION_LOSS = [("sigmoid", "mse"), ("tanh", "mse"), ("identity", "mse"), ("softmax", "mse"),
                   ("sigmoid", "bce"), ("softmax", "bce"), ("sigmoid", "cce"), ("softmax", "cce")]


@SETTINGS
@given(n=st.integers(1, 5), k=st.integers(2, 5), samples=st.integers(1, 6),
       pairing=st.sampled_from(ACTIVATION_LOSS), indices=st.booleans(), seed=st.integers(0, 2**32 - 1))
# σ + BCE with ŷ within 3·10⁻⁵ of 0: the unfused oracle and finite differences lose digits that
# graphjac's fused form keeps (found by random draws; tolerances are scaled by 1/min(ŷ, 1 − ŷ))
@example(n=3, k=5, samples=5, pairing=("sigmoid", "bce"), indices=False, seed=3938846305)
def test_random_dense_models(n, k, samples, pairing, indices, seed):
    activation, loss = pairing
    rng = np.random.default_rng(seed)
    g = gj.Graph("dense")
    X = g.input("X", rng.normal(size=(samples, n)), batch=True)
    a = g.activation(g.dense(X, g.param("W", rng.normal(size=(n, k))), g.param("B", rng.normal(size=k))), activation)
    if loss == "cce":
        index = rng.integers(0, k, samples)
        y = index if indices else np.eye(k)[index]
    else:
        y = rng.integers(0, 2, (samples, k)) if loss == "bce" else rng.normal(size=(samples, k))
    J = g.mean(g.loss(a, g.input("y", y, batch=True), loss), name="J")
    _tame(g)
    check_all(g, J)
    assert g.gradcheck(inputs=True).ok
