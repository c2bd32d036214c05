"""Bad input: a GraphjacError subclass whose message names the node(s) at fault and what was expected."""

import math

import numpy as np
import pytest

import graphjac as gj


@pytest.fixture
def g():
    g = gj.Graph("G")
    g.input("x", [1.0, 2.0, 3.0])
    g.input("v", [1.0, 2.0])
    g.input("s", 1.0)
    g.param("M", np.ones((3, 2)))
    g.input("X", np.ones((4, 3)), batch=True)
    g.input("X5", np.ones((5, 3)), batch=True)
    g.input("Y", np.ones((4, 2)), batch=True)
    return g


SHAPE_ERRORS = [
    ("add", lambda g: g.add("x", "v", name="bad"), r"node 'bad' \(add of 'x', 'v'\): operand shapes \(3,\) and \(2,\)"),
    ("sub", lambda g: g.sub("M", "x", name="bad"),
     r"node 'bad' \(sub of 'M', 'x'\): operand shapes \(3, 2\) and \(3,\)"),
    ("mul", lambda g: g.mul("X", "v", name="bad"), r"node 'bad' \(mul of 'X', 'v'\): operand shapes \(3,\) and \(2,\)"),
    ("unnamed", lambda g: g.node("x") * g.node("v"), r"unnamed mul node \(mul of 'x', 'v'\)"),
    ("dot lengths", lambda g: g.dot("x", "v", name="bad"),
     r"node 'bad' \(dot of 'x', 'v'\): u·v needs two vectors of the same length; got shapes \(3,\) and \(2,\)"),
    ("dot matrices", lambda g: g.dot("M", "M", name="bad"), r"'bad' .*two vectors.*\(3, 2\)"),
    ("neuron w", lambda g: g.neuron("x", "M", "s", name="z"),
     r"node 'z' \(neuron of 'x', 'M', 's'\): the weights w must be a vector \(n,\); got shape \(3, 2\)"),
    ("neuron x", lambda g: g.neuron("v", "x", "s", name="z"), r"'z' .*each sample x must be a vector of the weights' "
                                                              r"length \(3,\); got shape \(2,\)"),
    ("neuron b", lambda g: g.neuron("X", "x", "x", name="z"), r"'z' .*the bias b must be a scalar; got shape \(3,\)"),
    ("dense W", lambda g: g.dense("x", "x", "v", name="l"), r"'l' .*the weights W must be a matrix \(n, K\)"),
    ("dense x", lambda g: g.dense("v", "M", "v", name="l"), r"'l' \(dense of 'v', 'M', 'v'\): each sample x must be a "
                                                            r"vector of length n = 3 \(W is 3×2\); got shape \(2,\)"),
    ("dense B", lambda g: g.dense("X", "M", "x", name="l"), r"'l' .*the bias B must have one entry per neuron, shape "
                                                            r"\(2,\); got shape \(3,\)"),
    ("softmax", lambda g: g.activation("s", "softmax", name="p"), r"'p' \(softmax of 's'\): softmax needs a vector"),
    ("mse", lambda g: g.loss("x", "v", "mse", name="J0"), r"'J0' \(mse of 'x', 'v'\): the target y must have the "
                                                          r"prediction's shape \(3,\) per sample; got \(2,\)"),
    ("bce", lambda g: g.loss("x", "s", "bce", name="J0"), r"'J0' \(bce of 'x', 's'\): the target y must have"),
    ("cce ŷ", lambda g: g.loss("s", "s", "cce", name="J0"), r"'J0' .*CCE needs a vector of K class probabilities"),
    ("cce labels", lambda g: g.loss("X", "X5", "cce", name="J0"), r"'J0' .*different sample counts \[4, 5\]"),
    ("cce one-hot", lambda g: g.loss("X", "Y", "cce", name="J0"),
     r"'J0' \(cce of 'X', 'Y'\): the labels y must be one-hot \(3,\) or one class index \(\) per sample; got \(2,\)"),
    ("sample counts", lambda g: g.add("X", "X5", name="bad"), r"'bad' \(add of 'X', 'X5'\): the minibatch operands "
                                                              r"have different sample counts \[4, 5\]"),
    ("loss batch", lambda g: g.loss("X", "x", "mse", name="J0"), r"'J0' .*'x' must be a minibatch, like 'X'"),
    ("constant", lambda g: g.dot("x", 2.0, name="d"), r"node 'd' \(dot of 'x', 'const1'\): u·v needs two vectors"),
    ("empty", lambda g: g.input("e", []), r"input 'e': the value is empty"),
    ("new batch scalar", lambda g: g.set_value("X", 2.0), r"input 'X': batch=True needs the samples on axis 0"),
    ("batch scalar", lambda g: g.input("e", 1.0, batch=True), r"input 'e': batch=True needs the samples on axis 0"),
]


@pytest.mark.parametrize("build, message", [c[1:] for c in SHAPE_ERRORS], ids=[c[0] for c in SHAPE_ERRORS])
def test_shape_mismatches_name_the_node_and_its_operands(g, build, message):
    names = [n.name for n in g.nodes]
    with pytest.raises(gj.ShapeError, match=message):
        build(g)
    assert [n.name for n in g.nodes] == names    # nothing half-built, not even a constant
    assert "const1" not in g


@pytest.mark.parametrize("kind, given, hint", [("activation", "sigmod", "sigmoid"), ("activation", "Tanhh", "tanh"),
                                               ("loss", "msee", "mse"), ("loss", "ccee", "cce")])
def test_unknown_activation_or_loss_says_did_you_mean(g, kind, given, hint):
    build = g.activation if kind == "activation" else lambda u, f: g.loss(u, u, f)
    message = rf"unknown {kind} '{given}': expected one of .*; did you mean '{hint}'\?"
    with pytest.raises(gj.GraphjacError, match=message):
        build("x", given)


def test_unknown_loss_without_a_close_match_lists_the_choices(g):
    with pytest.raises(gj.GraphjacError, match=r"unknown loss 'hinge': expected one of bce, cce, mse$"):
        g.loss("x", "x", "hinge")


def test_unknown_op(g):
    with pytest.raises(gj.GraphjacError, match=r"unknown op 'ad'.*did you mean 'add'\?"):
        g.apply("ad", "x", "x")
    with pytest.raises(gj.GraphjacError, match=r"add takes 2 operands \(u, v\); got 1"):
        g.apply("add", "x")


def test_unknown_node_name_says_did_you_mean():
    g = gj.Graph("weights")
    g.param("weight", [1.0])
    for call in (g.value, g.grad, g.node, lambda n: g.add(n, "weight"), lambda n: g.set_value(n, 1.0)):
        with pytest.raises(gj.NodeError, match=r"graph 'weights' has no node named 'wieght'; did you mean 'weight'\?"):
            call("wieght")
    with pytest.raises(gj.NodeError, match=r"no node named 'zzz'$"):
        g.grad("zzz")
    with pytest.raises(gj.NodeError, match=r"expected a node handle or a node name, got dict"):
        g.grad({"weight": 1})


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected_where_they_enter(g, bad):
    with pytest.raises(gj.ValueDomainError, match=r"input 'n': non-finite value .* at index \(1,\)"):
        g.input("n", [1.0, bad])
    with pytest.raises(gj.ValueDomainError, match=r"param 'p': non-finite value .* at index \(1, 0\)"):
        g.param("p", [[1.0, 2.0], [bad, 0.0]])
    with pytest.raises(gj.ValueDomainError, match=r"const 'c': non-finite"):
        g.const(bad, "c")
    with pytest.raises(gj.ValueDomainError, match=r"unnamed const: non-finite"):
        g.node("x") + bad
    with pytest.raises(gj.ValueDomainError, match=r"input 'x': non-finite value .* at index \(2,\)"):
        g.set_value("x", [1.0, 2.0, bad])
    np.testing.assert_array_equal(g.value("x"), [1.0, 2.0, 3.0])    # the old value stays
    with pytest.raises(gj.GraphjacError, match="exponent must be a finite number"):
        g.node("x") ** bad


def test_backward_needs_a_scalar_J(g):
    with pytest.raises(gj.GraphjacError, match=r"backward needs a scalar J; node 'x' has shape \(3,\)"):
        g.backward("x")
    with pytest.raises(gj.GraphjacError, match=r"node 'X' has shape \(4, 3\)"):
        g.backward("X")


def test_a_node_from_another_graph(g):
    other = gj.Graph("H")
    h = other.input("h", 1.0)
    with pytest.raises(gj.NodeError, match=r"node 'h' belongs to graph 'H', not to 'G'"):
        g.add("x", h)
    with pytest.raises(gj.NodeError, match="belongs to graph 'H'"):
        g.grad(h)


@pytest.mark.parametrize("labels, bad", [([0, 3], "3 at index \\(1,\\)"), ([-1, 0], "-1 at index \\(0,\\)"),
                                         ([0, 1.5], "1.5 at index \\(1,\\)")])
def test_bad_class_indices(labels, bad):
    g = gj.Graph("labels")
    p = g.input("p", np.full((2, 3), 1 / 3), batch=True)
    g.loss(p, g.input("y", labels, batch=True), "cce", name="J0")
    with pytest.raises(gj.ValueDomainError, match=rf"node 'J0' \(cce of 'p', 'y'\): class indices must be integers in "
                                                  rf"0…2; got {bad}"):
        g.forward()


@pytest.mark.parametrize("loss, yhat", [("bce", [0.5, 1.2]), ("bce", [-1e-9, 0.5]), ("cce", [[0.5, 0.5], [-0.1, 1.1]])])
def test_predictions_outside_zero_one(loss, yhat):
    g = gj.Graph("range")
    p = g.input("ŷ", yhat, batch=True)
    y = [1.0, 0.0] if loss == "bce" else [0, 1]
    g.loss(p, g.input("y", y, batch=True), loss, name="J0")
    with pytest.raises(gj.ValueDomainError, match=rf"node 'J0' \({loss} of 'ŷ', 'y'\): ŷ must lie in \[0, 1\]"):
        g.value("J0")


@pytest.mark.parametrize("value", [[[1.0, 2.0], [3.0]], [1.0, [2.0]], "abc", [1.0, "x"], {"a": 1}, None])
def test_ragged_or_non_numeric_values(value):
    with pytest.raises(gj.GraphjacError, match=r"input 'r': expected a number or a \(nested\) list of numbers"):
        gj.Graph("G").input("r", value)


def test_pow_of_a_negative_base_and_its_infinite_derivative():
    g = gj.Graph("pow")
    u = g.input("u", [-1.0, 4.0])
    g.pow(u, 0.5, name="root")
    with pytest.raises(gj.ValueDomainError, match=r"node 'root' \(pow of 'u'\): u\^0.5 needs u ≥ 0"):
        g.forward()
    h = gj.Graph("pow")
    z = h.input("z", [0.0, 4.0])
    root = h.pow(z, 0.5, name="root")
    np.testing.assert_array_equal(h.value(root), [0.0, 2.0])
    with pytest.raises(gj.ValueDomainError, match=r"node 'root' .*derivative of u\^0.5 is infinite at u = 0"):
        h.backward(h.sum(root))
    with pytest.raises(gj.ValueDomainError, match=r"u\^-1 is infinite at u = 0"):
        (z ** -1).value


def test_names_must_be_unique_non_empty_strings(g):
    with pytest.raises(gj.GraphjacError, match="graph 'G' already has a node named 'x'"):
        g.input("x", 1.0)
    for bad in ("", 3, ("x",)):
        with pytest.raises(gj.GraphjacError, match="a node name must be a non-empty string"):
            g.add("x", "x", name=bad)
        with pytest.raises(gj.GraphjacError, match="a node name must be a non-empty string"):
            g.param(bad, 1.0)


def test_edges_and_values_that_do_not_exist(g):
    z = g.add("x", "x", name="z")
    with pytest.raises(gj.NodeError, match="there is no edge 'v' -> 'z'"):
        g.edge_grad("v", z)
    with pytest.raises(gj.GraphjacError, match="there is no edge 'z' -> 'x'"):
        g.jacobian("x", z)
    with pytest.raises(gj.GraphjacError, match="node 'z' is of kind add; only inputs, params and constants hold"):
        g.set_value(z, 1.0)


def test_a_new_value_that_breaks_a_shape_is_refused_whole(g):
    g.add("x", "x", name="z")
    with pytest.raises(gj.ShapeError, match=r"node 'z' \(add of 'x', 'x'\)|node 'bad'"):
        g.mul("x", "v", name="bad")
    g.dot("x", "x", name="d")
    with pytest.raises(gj.ShapeError, match=r"node 'd' \(dot of 'x', 'M'\)|node 'd'"):
        g.set_values({"x": np.ones((3, 2)), "v": [1.0, 2.0, 3.0]})
    assert g.node("x").shape == (3,) and g.node("v").shape == (2,) and g.node("z").shape == (3,)
    np.testing.assert_array_equal(g.value("d"), 14.0)


def test_every_error_is_a_graphjac_error():
    for cls in (gj.ShapeError, gj.NodeError, gj.ValueDomainError, gj.SpecError, gj.RenderError):
        assert issubclass(cls, gj.GraphjacError)
    assert str(gj.NodeError("no node named 'a'")) == "no node named 'a'"   # not KeyError's quoted repr
