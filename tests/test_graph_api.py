"""The builder API: node handles and names, operators, constants, unnamed nodes, specs."""

import json

import numpy as np
import pytest

import graphjac as gj
from oracle import check_all


def _lecture_minibatch(rng):
    g = gj.Graph("minibatch neuron")
    with g.group("Dataset/Minibatch"):
        X = g.input("X", rng.normal(size=(4, 3)), batch=True)
        y = g.input("y", [0.0, 1.0, 1.0, 0.0], batch=True)
    with g.group("Model"):
        w = g.param("w", [0.1, -0.2, 0.3], label=r"\vec{w}")
        b = g.param("b", 0.0)
        z = g.neuron(X, w, b, name="z")
        a = g.activation(z, "sigmoid", name="a")
    J0 = g.loss(a, y, "bce", name="J0")
    J = g.mean(J0, name="J")
    return g, J


def test_the_design_example_runs_end_to_end(rng):
    g, J = _lecture_minibatch(rng)
    g.forward()
    g.backward(J)
    assert g.value("a").shape == (4,) and g.grad("w").shape == (3,) and g.grad("b").shape == ()
    assert g.node("X").batch and not g.node("J").batch
    assert g.record("z").group == ("Model",) and g.record("X").group == ("Dataset", "Minibatch")
    check_all(g, J)


def test_names_and_handles_are_interchangeable(rng):
    g = gj.Graph("refs")
    x = g.input("x", [1.0, 2.0])
    y = g.param("y", [3.0, -1.0])
    by_name = g.add("x", "y", name="by name")
    by_handle = g.add(x, y, name="by handle")
    g.backward(g.sum(g.mul(by_name, by_handle)))
    np.testing.assert_array_equal(g.value("by name"), g.value(by_handle))
    np.testing.assert_array_equal(g.grad("x"), g.grad(x))
    np.testing.assert_array_equal(g.edge_grad("x", "by name"), g.edge_grad(x, by_name))
    assert g.node("x").id == x.id and "x" in g and x in g and "nope" not in g
    assert x.value is g.value(x) and y.grad is g.grad(y)


def test_unnamed_nodes_get_unique_readable_names():
    g = gj.Graph("unnamed")
    x = g.input("x", 2.0)
    nodes = [x + 1, x * x, x - 3, x ** 3, g.sum(x), g.mean(x), g.square(x), x * 2]
    names = [n.name for n in g.nodes]
    assert len(set(names)) == len(names)
    assert [n.name for n in nodes] == ["add1", "mul1", "sub1", "pow1", "sum1", "mean1", "square1", "mul2"]
    assert [n.name for n in g.nodes if n.kind == "const"] == ["const1", "const2", "const3"]


def test_unnamed_nodes_never_collide_with_user_names():
    g = gj.Graph("collide")
    x = g.input("x", 2.0)
    g.input("mul1", 1.0)                   # taken before: the unnamed node skips it
    first = x * x
    assert first.name == "mul2"
    second = x * 3
    mine = g.add(first, second, name="mul3")   # taken after: the unnamed node moves aside
    assert mine.name == "mul3" and second.name not in ("mul1", "mul2", "mul3")
    names = [n.name for n in g.nodes]
    assert len(set(names)) == len(names)
    assert g.node("mul3").kind == "add" and g.node(second.name).id == second.id


def test_a_name_may_hold_any_text(rng):
    names = ['ŷ⁽ⁱ⁾', 'x "quoted"', "a\nb", "<b>&amp;</b>", "{x}", "J", "1.5", "n0", "  spaced  "]
    g = gj.Graph("any text")
    leaves = [g.input(name, float(i + 1)) for i, name in enumerate(names)]
    total = leaves[0]
    for leaf in leaves[1:]:
        total = total * leaf
    g.backward(total)
    for name, leaf in zip(names, leaves):
        assert g.node(name).id == leaf.id
        assert g.grad(name) == pytest.approx(float(np.prod(range(1, len(names) + 1))) / g.value(name))
    again = gj.Graph.from_spec(json.loads(json.dumps(g.to_spec())))
    assert [n.name for n in again.nodes] == [n.name for n in g.nodes]


def test_power_operator():
    g = gj.Graph("pow")
    u = g.input("u", [1.5, 2.0])
    assert (u ** 2).kind == "square"
    cube = u ** 3
    assert cube.kind == "pow" and g.record(cube).attrs == {"exponent": 3.0}
    root = u ** 0.5
    np.testing.assert_allclose(g.value(root), np.sqrt([1.5, 2.0]))
    np.testing.assert_allclose(g.value(cube), [3.375, 8.0])
    g.backward(g.sum(root))
    np.testing.assert_allclose(g.grad(u), 0.5 / np.sqrt([1.5, 2.0]))
    assert (u ** np.int64(4)).kind == "pow"


def test_python_numbers_become_constant_nodes():
    g = gj.Graph("constants")
    x = g.input("x", [1.0, -2.0])
    z = 3 * x + 0.5
    consts = [n for n in g.nodes if n.kind == "const"]
    assert [float(g.value(c)) for c in consts] == [3.0, 0.5]
    assert all(g.value(c).dtype == np.float64 for c in consts)
    g.backward(g.sum(z))
    np.testing.assert_array_equal(g.grad(x), [3.0, 3.0])
    assert g.grad(consts[0]) is None                   # constants are constants: no gradient
    assert (-x).kind == "neg" and (1 - x).kind == "sub" and (2 + x).kind == "add"
    np.testing.assert_array_equal(g.value(1 - x), [0.0, 3.0])
    np.testing.assert_array_equal(g.value(np.float64(2.0) * x), [2.0, -4.0])


def test_values_and_gradients_are_float64_and_read_only():
    g = gj.Graph("values")
    x = g.input("x", [1, 2, 3])
    z = x * x
    J = g.sum(z)
    g.backward(J)
    for array in (g.value(x), g.value(z), g.value(J), g.grad(x), g.grad(z), g.grad(J), g.edge_grad(x, z)):
        assert type(array) is np.ndarray and array.dtype == np.float64
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 5.0


def test_arrays_in_expressions_must_be_nodes_first():
    g = gj.Graph("arrays")
    x = g.input("x", [1.0, 2.0])
    for array in ([1.0, 2.0], np.array([1.0, 2.0])):
        with pytest.raises(gj.NodeError, match=r"make the array a node first, e\.g\. g\.const\(\[1\.0, 2\.0\]"):
            x * array
        with pytest.raises(gj.NodeError, match="make the array a node first"):
            array * x
    np.testing.assert_array_equal(g.value(x * g.const([1.0, 2.0])), [1.0, 4.0])


def test_nodes_edges_and_repr(rng):
    g, J = _lecture_minibatch(rng)
    assert [n.name for n in g.nodes] == ["X", "y", "w", "b", "z", "a", "J0", "J"]
    assert [(s.name, d.name, slot) for s, d, slot in g.edges][:3] == [("X", "z", "x"), ("w", "z", "w"),
                                                                     ("b", "z", "b")]
    assert repr(g.node("X")) == "<Node 'X' input shape=(4, 3) batch>"
    assert repr(g.node("a")) == "<Node 'a' sigmoid shape=(4,) batch>"
    assert len(g) == 8 and repr(g) == "<Graph 'minibatch neuron': 8 nodes>"


# ---------------------------------------------------------------------------- specs


def _every_kind(rng):
    g = gj.Graph("every kind")
    X = g.input("X", rng.normal(size=(3, 4)), batch=True)
    W = g.param("W", rng.normal(size=(4, 3)), group="Model/Layer 1")
    B = g.param("B", rng.normal(size=3), label=r"\vec{b}")
    p = g.activation(g.dense(X, W, B, name="l"), "softmax", name="p")
    J1 = g.mean(g.loss(p, g.input("y", [0, 2, 1], batch=True), "cce"))
    w = g.param("w", rng.normal(size=4))
    z = g.neuron(X, w, 0.25, name="z")
    t = g.activation(z, "tanh") - g.activation(z, "identity") * g.activation(z, "relu")
    J2 = g.sum(g.loss(g.activation(t, "sigmoid"), g.input("t", [1.0, 0.0, 1.0], batch=True), "bce"))
    J3 = g.mean(g.loss(t, g.input("u", [0.5, 0.1, 0.2], batch=True), "mse"))
    extra = g.dot(w, w) + g.square(g.sum(w)) + (w ** 3) @ w + g.pow(g.mean(W) + 3.0, 0.5)
    J = g.add(J1 + J2 * 0.5 + J3, extra, name="J")
    return g, J


def test_to_spec_is_json_and_round_trips_bit_for_bit(rng):
    g, J = _every_kind(rng)
    g.backward(J)
    spec = g.to_spec()
    text = json.dumps(spec, allow_nan=False)
    again = gj.Graph.from_spec(json.loads(text))
    assert again.to_spec() == spec
    assert again.target.name == "J"
    assert {n.kind for n in g.nodes} >= {"input", "param", "const", "dense", "activation", "loss", "mean",
                                         "neuron", "sub", "mul", "add", "sum", "dot", "square", "pow"}
    again.backward()
    for a, b in zip(g.nodes, again.nodes):
        assert (a.name, a.kind, a.shape, a.batch) == (b.name, b.kind, b.shape, b.batch)
        assert g.value(a).tobytes() == again.value(b).tobytes()
        assert g.grad(a) is None and again.grad(b) is None or g.grad(a).tobytes() == again.grad(b).tobytes()
        assert g.record(a).group == again.record(b).group and g.record(a).label == again.record(b).label


def test_to_spec_of_a_graph_without_target(rng):
    g = gj.Graph("no target")
    x = g.input("x", 1.0)
    x + 2.0
    x * 3.0                      # two scalar results: neither is J
    spec = g.to_spec()
    assert "target" not in spec and g.target is None
    assert gj.Graph.from_spec(spec).to_spec() == spec


def test_the_one_scalar_sink_is_the_target_and_to_spec_writes_it():
    g = gj.Graph("one sink")
    z = g.input("x", 1.0) + 2.0
    assert g.target.name == z.name and g.to_spec()["target"] == z.name
    g.backward()
    assert float(g.grad("x")) == 1.0


def test_a_spec_with_a_cycle_is_an_error():
    spec = {"nodes": [{"name": "x", "kind": "input", "value": 1.0},
                      {"name": "a", "kind": "add", "inputs": ["x", "b"]},
                      {"name": "b", "kind": "mul", "inputs": ["a", 2.0]}]}
    with pytest.raises(gj.SpecError, match="cycle: 'a' -> 'b' -> 'a'|cycle: 'b' -> 'a' -> 'b'"):
        gj.Graph.from_spec(spec)


def test_from_spec_builds_what_the_builder_builds(rng):
    spec = {"name": "xy", "target": "z",
            "nodes": [{"name": "z", "kind": "mul", "inputs": ["x", "y"]},     # operands may come later
                      {"name": "x", "kind": "input", "value": 3.0},
                      {"name": "y", "kind": "param", "value": 2.0}]}
    g = gj.Graph.from_spec(spec)
    g.backward()
    assert (float(g.grad("x")), float(g.grad("y"))) == (2.0, 3.0)
    check_all(g, "z")


def test_op_attributes_are_checked_with_a_did_you_mean():
    g = gj.Graph("attrs")
    z = g.param("z", [1.0, -1.0])
    with pytest.raises(gj.GraphjacError, match=r"leaky_relu has no attribute 'slpoe'; did you mean 'slope'\?"):
        g.activation(z, "leaky_relu", slpoe=0.3)
    with pytest.raises(gj.GraphjacError, match=r"sigmoid has no attribute 'slope' \(it takes none\)"):
        g.activation(z, "sigmoid", slope=0.3)
    with pytest.raises(gj.GraphjacError, match=r"slope must lie in \[0, 1\)"):
        g.activation(z, "leaky_relu", slope=1.5)
    assert len(g) == 1                      # nothing half-built


def test_leaky_relu_writes_its_slope_in_its_formulas():
    g = gj.Graph("leaky")
    a = g.activation(g.param("z", -1.0), "leaky_relu", slope=0.2, name="a")
    g.backward(a)
    notes = g.annotate()
    assert notes.node("a").formula == r"a = \mathrm{LReLU}_{0.2}(z)"
    assert notes.edge("z", "a").local == r"\frac{\partial a}{\partial z} = \begin{cases} 1 & z \ge 0 \\ 0.2 & z < 0 \end{cases}"
