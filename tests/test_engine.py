"""The lecture's models end to end, the fused softmax + CCE path, the numerics DESIGN.md fixes,
and the semantics of backward, grad, edge_grad, jacobian, step and gradcheck."""

import json
import math

import numpy as np
import pytest

import graphjac as gj
from graphjac.core import ops
from graphjac.core.ops.base import Slot
from oracle import check_all, evaluate

N = 5


def minibatch_model(rng, n, k, activation, loss, labels="one-hot", n_samples=N):
    """X → dense (or neuron when k is None) → activation → per-sample loss → mean, as in the lecture."""
    g = gj.Graph(f"{activation}+{loss}")
    X = g.input("X", rng.normal(size=(n_samples, n)), batch=True)
    if k is None:
        z = g.neuron(X, g.param("w", rng.normal(size=n)), g.param("b", 0.3), name="z")
        shape = (n_samples,)
    else:
        z = g.dense(X, g.param("W", rng.normal(size=(n, k))), g.param("B", rng.normal(size=k)), name="l")
        shape = (n_samples, k)
    a = g.activation(z, activation, name="ŷ")
    if loss == "mse":
        y = rng.normal(size=shape)
    elif loss == "bce":
        y = rng.integers(0, 2, size=shape).astype(float)
    else:
        index = rng.integers(0, k, size=n_samples)
        y = index if labels == "indices" else np.eye(k)[index]
    J0 = g.loss(a, g.input("y", y, batch=True), loss, name="J0")
    return g, g.mean(J0, name="J")


PAIRINGS = [("sigmoid", "mse"), ("tanh", "mse"), ("relu", "mse"), ("identity", "mse"), ("softmax", "mse"),
            ("sigmoid", "bce"), ("softmax", "bce"), ("sigmoid", "cce"), ("softmax", "cce")]


@pytest.mark.parametrize("activation, loss", PAIRINGS)
def test_activation_loss_pairings_with_a_dense_layer(activation, loss, rng):
    g, J = minibatch_model(rng, n=3, k=4, activation=activation, loss=loss)
    check_all(g, J)


@pytest.mark.parametrize("activation, loss", [(a, l) for a, l in PAIRINGS if l != "cce" and a != "softmax"])
def test_activation_loss_pairings_with_a_neuron(activation, loss, rng):
    g, J = minibatch_model(rng, n=3, k=None, activation=activation, loss=loss)
    check_all(g, J)


@pytest.mark.parametrize("labels", ["one-hot", "indices"])
def test_dense_softmax_cce_model(labels, rng):
    g, J = minibatch_model(rng, n=4, k=3, activation="softmax", loss="cce", labels=labels)
    check_all(g, J)
    # the fused path: ∂J/∂l = (p − y)/N, no division by p
    p, y = g.value("ŷ"), np.eye(3)[np.asarray(g.value("y"), dtype=int)] if labels == "indices" else g.value("y")
    np.testing.assert_allclose(g.grad("l"), (p - y) / N, rtol=1e-12, atol=1e-15)
    # the edge p → J₀ still carries −y/p · 1/N
    np.testing.assert_allclose(g.edge_grad("ŷ", "J0"), -y / p / N, rtol=1e-12)


def test_fused_softmax_cce_with_soft_labels(rng):
    """Labels that are not one-hot (Σy ≠ 1): the fused ∂J/∂l is (p Σy − y)/N, as autograd says."""
    g = gj.Graph("soft labels")
    l = g.input("l", rng.normal(size=(N, 3)), batch=True)
    p = g.activation(l, "softmax", name="p")
    y = rng.uniform(0, 1, size=(N, 3))
    check_all(g, g.mean(g.loss(p, g.input("y", y, batch=True), "cce", name="J0")))
    np.testing.assert_allclose(g.grad(l), (g.value(p) * y.sum(axis=1, keepdims=True) - y) / N, rtol=1e-12)


def test_fused_softmax_whose_output_fans_out(rng):
    """p feeds the CCE and another consumer: ∂J/∂l collects both, checked against the oracle."""
    g, J0mean = minibatch_model(rng, n=3, k=4, activation="softmax", loss="cce")
    extra = g.sum(g.square(g.node("ŷ")), name="Σp²")
    J = g.add(J0mean, g.mul(extra, 0.7), name="J total")
    check_all(g, J)
    p = g.value("ŷ")
    # only the CCE part is (p − y)/N: the Σp² branch adds p ⊙ (2·0.7·p − Σ 2·0.7·p²) per sample
    g_p = 1.4 * p
    softmax_part = p * (g_p - (g_p * p).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(g.grad("l"), (p - g.value("y")) / N + softmax_part, rtol=1e-10)


def test_two_cce_losses_on_one_softmax(rng):
    g = gj.Graph("two losses")
    l = g.input("l", rng.normal(size=(N, 3)), batch=True)
    p = g.activation(l, "softmax", name="p")
    J1 = g.mean(g.loss(p, g.input("y1", rng.integers(0, 3, N), batch=True), "cce"))
    J2 = g.mean(g.loss(p, g.input("y2", np.eye(3)[rng.integers(0, 3, N)], batch=True), "cce"))
    check_all(g, J1 + J2 * 0.25)
    check_all(g, J2)   # the other loss plays no part: its CCE has no gradient


def test_softmax_jacobian_is_the_full_k_by_k_matrix(rng):
    g = gj.Graph("softmax")
    l = g.input("l", rng.normal(size=(N, 4)), batch=True)
    p = g.activation(l, "softmax", name="p")
    for i in range(N):
        q = g.value(p)[i]
        jac = g.jacobian(p, l, sample=i)
        assert jac.shape == (4, 4)
        expected = [[q[a] * ((a == b) - q[b]) for b in range(4)] for a in range(4)]   # pᵢ(δᵢⱼ − pⱼ)
        np.testing.assert_allclose(jac, expected, rtol=1e-12, atol=1e-15)


def test_the_lecture_neuron_and_its_backward_formulas(rng):
    """z = x⃗ᵀw⃗ + b, a = σ(z), J = (y − a)²: ∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ, ∂J/∂w⃗ = ∂J/∂z · x⃗ᵀ, ∂J/∂b = ∂J/∂z."""
    g = gj.Graph("neuron")
    x = g.input("x", [1.0, 2.0, -1.0])
    w = g.param("w", [0.5, -0.3, 0.8])
    b = g.param("b", 0.1)
    z = g.neuron(x, w, b, name="z")
    a = g.activation(z, "sigmoid", name="a")
    J = g.loss(a, g.input("y", 1.0), "mse", name="J")
    check_all(g, J)
    dz = g.grad(z)
    assert g.value(z) == pytest.approx(0.5 - 0.6 - 0.8 + 0.1)
    np.testing.assert_allclose(g.grad(x), dz * g.value(w))
    np.testing.assert_allclose(g.grad(w), dz * g.value(x))
    assert g.grad(b) == pytest.approx(dz)
    assert g.jacobian(z, x).shape == (1, 3) and g.jacobian(z, w).shape == (1, 3)
    assert g.jacobian(J, a).shape == (1, 1)


def test_mean_over_the_minibatch_gives_one_over_n(rng):
    g, J = minibatch_model(rng, n=3, k=None, activation="sigmoid", loss="bce")
    g.backward(J)
    np.testing.assert_array_equal(g.grad("J0"), np.full(N, 1 / N))
    np.testing.assert_array_equal(g.jacobian("J", "J0"), np.full((1, N), 1 / N))


def test_a_large_model_matches_the_oracle_on_a_few_samples(rng):
    g = gj.Graph("784-128-10 in miniature")
    X = g.input("X", rng.normal(size=(3, 12)), batch=True)
    h = g.activation(g.dense(X, g.param("W1", rng.normal(size=(12, 6)) * 0.3), g.param("B1", np.zeros(6))), "tanh")
    p = g.activation(g.dense(h, g.param("W2", rng.normal(size=(6, 4)) * 0.3), g.param("B2", np.zeros(4))), "softmax")
    J = g.mean(g.loss(p, g.input("y", [0, 3, 1], batch=True), "cce"), name="J")
    check_all(g, J, fd=False)
    assert g.gradcheck(inputs=True).ok


# ---------------------------------------------------------------------------- numerics


def test_sigmoid_at_plus_minus_1000(strict_numerics):
    g = gj.Graph("σ")
    z = g.input("z", [1000.0, -1000.0, 0.0, 30.0, -30.0])
    a = g.activation(z, "sigmoid", name="a")
    g.backward(g.sum(a))
    expected = [1.0, 0.0, 0.5, 1 / (1 + math.exp(-30)), math.exp(-30) / (1 + math.exp(-30))]
    np.testing.assert_allclose(g.value(a), expected, rtol=1e-15, atol=0)
    assert g.value(a)[1] >= 0
    np.testing.assert_allclose(g.grad(z), [e * (1 - e) for e in expected], rtol=1e-12, atol=1e-300)


def test_softmax_with_huge_logits(strict_numerics):
    g = gj.Graph("softmax")
    l = g.input("l", [[1000.0, 1001.0, 999.0], [-1e300, 0.0, 1e300]], batch=True)
    p = g.activation(l, "softmax", name="p")
    g.backward(g.sum(g.mul(p, g.input("R", [[1.0, 2.0, 3.0]] * 2, batch=True))))
    e = [math.exp(-1), 1.0, math.exp(-2)]
    np.testing.assert_allclose(g.value(p)[0], [x / sum(e) for x in e], rtol=1e-14)
    np.testing.assert_array_equal(g.value(p)[1], [0.0, 0.0, 1.0])
    assert np.isfinite(g.grad(l)).all()


def test_tanh_saturates_quietly(strict_numerics):
    g = gj.Graph("tanh")
    z = g.input("z", [800.0, -800.0])
    a = g.activation(z, "tanh")
    g.backward(g.sum(a))
    np.testing.assert_array_equal(g.value(a), [1.0, -1.0])
    np.testing.assert_array_equal(g.grad(z), [0.0, 0.0])


def _torch_bce(yhat, y):
    """PyTorch's documented BCELoss: each log clamped at ≥ −100."""
    log_p = max(math.log(yhat), -100.0) if yhat > 0 else -100.0
    log_q = max(math.log(1 - yhat), -100.0) if yhat < 1 else -100.0
    return -(y * log_p + (1 - y) * log_q)


def _torch_bce_grad(yhat, y):
    """PyTorch's binary_cross_entropy_backward: (ŷ − y) / max(ŷ(1 − ŷ), 1e−12)."""
    return (yhat - y) / max(yhat * (1 - yhat), 1e-12)


def test_bce_at_zero_and_one_is_finite_like_pytorch(strict_numerics):
    cases = [(0.0, 1.0), (0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (1e-50, 1.0), (0.25, 1.0), (0.25, 0.0)]
    g = gj.Graph("bce")
    yhat = g.input("ŷ", [c[0] for c in cases], batch=True)
    y = g.input("y", [c[1] for c in cases], batch=True)
    J0 = g.loss(yhat, y, "bce", name="J0")
    g.backward(g.mean(J0))
    np.testing.assert_allclose(g.value(J0), [_torch_bce(*c) for c in cases], rtol=1e-15)
    np.testing.assert_allclose(g.grad(yhat), [_torch_bce_grad(*c) / len(cases) for c in cases], rtol=1e-15)
    assert g.value(J0)[0] == 100.0 and g.grad(yhat)[0] == -1e12 / len(cases)


def test_relu_derivative_at_zero_is_one():
    g = gj.Graph("ReLU")
    z = g.input("z", [-1.0, 0.0, 2.0])
    a = g.activation(z, "relu")
    g.backward(g.sum(g.mul(a, g.input("R", [3.0, 5.0, 7.0]))))
    np.testing.assert_array_equal(g.grad(z), [0.0, 5.0, 7.0])
    np.testing.assert_array_equal(np.diag(g.jacobian(a, z)), [0.0, 1.0, 1.0])


def test_cce_after_softmax_uses_log_softmax_at_extreme_logits(strict_numerics):
    g = gj.Graph("cce")
    l = g.input("l", [[1000.0, 0.0, -1000.0], [1000.0, 0.0, -1000.0]], batch=True)
    p = g.activation(l, "softmax", name="p")
    J0 = g.loss(p, g.input("y", [2, 0], batch=True), "cce", name="J0")
    J = g.mean(J0)
    g.backward(J)
    # −log softmax(l)ₖ = logsumexp(l) − lₖ = 1000 + log(1 + e^−1000 + e^−2000) − lₖ
    np.testing.assert_array_equal(g.value(J0), [2000.0, 0.0])
    np.testing.assert_array_equal(g.grad(l), [[0.5, 0.0, -0.5], [0.0, 0.0, 0.0]])
    assert np.isfinite(g.edge_grad(p, J0)).all()   # −y/p, clamped at p = e^−2000 = 0


def test_bce_after_sigmoid_is_exact_from_the_logits(strict_numerics):
    z, y = [-800.0, 0.0, 40.0, -40.0], [1.0, 0.0, 0.0, 1.0]
    g = gj.Graph("bce")
    zn = g.input("z", z, batch=True)
    J0 = g.loss(g.activation(zn, "sigmoid"), g.input("y", y, batch=True), "bce", name="J0")
    g.backward(g.mean(J0))
    softplus = [abs(v) + math.log1p(math.exp(-abs(v))) for v in (800.0, 0.0, 40.0, 40.0)]   # log(1 + e^|z|)
    np.testing.assert_allclose(g.value(J0), softplus, rtol=1e-15)     # 800, not the clamp's 100
    sigma = [1 / (1 + math.exp(-v)) if v > -700 else math.exp(v) for v in z]
    np.testing.assert_allclose(g.grad(zn), [(s - t) / 4 for s, t in zip(sigma, y)], rtol=1e-15)


def test_cce_of_probabilities_at_zero_is_clamped(strict_numerics):
    g = gj.Graph("cce")
    p = g.input("p", [[0.0, 1.0], [0.5, 0.5]], batch=True)
    J0 = g.loss(p, g.input("y", [0, 1], batch=True), "cce", name="J0")
    g.backward(g.sum(J0))
    np.testing.assert_array_equal(g.value(J0), [100.0, -math.log(0.5)])
    np.testing.assert_array_equal(g.grad(p), [[-1e12, 0.0], [0.0, -2.0]])


# ---------------------------------------------------------------------------- semantics


def _neuron_graph(rng):
    g, J = minibatch_model(rng, n=3, k=None, activation="sigmoid", loss="bce")
    return g, J


def test_grad_is_none_before_backward_for_targets_and_after_step(rng):
    g, J = _neuron_graph(rng)
    assert g.grad("w") is None and g.edge_grad("w", "z") is None and not g.has_grads
    g.backward(J)
    assert g.grad("y") is None                         # a loss target: no gradient flows there
    assert g.edge_grad("y", "J0") is None
    assert g.grad("w") is not None and g.grad("X") is not None
    g.step(0.1)
    assert all(g.grad(n) is None for n in g.nodes) and g.edge_grad("w", "z") is None


def test_class_labels_have_no_gradient_and_no_jacobian(rng):
    g, J = minibatch_model(rng, n=3, k=4, activation="softmax", loss="cce", labels="indices")
    g.backward(J)
    assert g.grad("y") is None
    with pytest.raises(gj.GraphjacError, match="no gradient flows from 'y' into 'J0'"):
        g.jacobian("J0", "y")


def test_grad_is_none_off_the_path_zero_on_it():
    g = gj.Graph("paths")
    x, u = g.input("x", 2.0), g.input("u", 5.0)
    r = g.activation(x, "relu", name="r")
    g.mul(u, 3.0, name="unused")
    J = g.mul(r, g.const(0.0, "zero"), name="J")
    g.backward(J)
    assert g.grad(u) is None and g.grad("unused") is None
    assert g.grad(x) == 0.0 and isinstance(g.grad(x), np.ndarray)


def test_backward_without_a_scalar_target_fails(rng):
    g, J = _neuron_graph(rng)
    with pytest.raises(gj.GraphjacError, match=r"'J0' has shape \(5,\)"):
        g.backward("J0")
    with pytest.raises(gj.GraphjacError, match="needs the loss J"):
        gj.Graph("empty").backward()


def test_backward_remembers_its_target(rng):
    g, J = _neuron_graph(rng)
    g.backward(J)
    first = g.grad("w").copy()
    g.backward()
    np.testing.assert_array_equal(g.grad("w"), first)
    assert g.target.name == "J"


def test_step_descends_and_ascends(rng):
    for ascent in (False, True):
        g, J = _neuron_graph(rng)
        g.backward(J)
        before = {n: g.value(n).copy() for n in ("w", "b", "X")}
        grads = {n: g.grad(n).copy() for n in ("w", "b")}
        J_before = float(g.value(J))
        J_after = g.step(lr=0.01, ascent=ascent)
        sign = 1 if ascent else -1
        for n in ("w", "b"):
            np.testing.assert_array_equal(g.value(n), before[n] + sign * 0.01 * grads[n])
        np.testing.assert_array_equal(g.value("X"), before["X"])   # inputs stay
        # the forward pass ran again: J matches the oracle at the new parameters
        assert J_after == float(g.value(J)) == pytest.approx(float(evaluate(g)[0][J.id]), rel=1e-12)
        assert (J_after > J_before) if ascent else (J_after < J_before)


def test_step_needs_a_backward_first_and_a_number(rng):
    g, J = _neuron_graph(rng)
    with pytest.raises(gj.GraphjacError, match="step needs gradients: call g.backward"):
        g.step(0.1)
    g.backward(J)
    for lr in ("0.1", math.nan, None, True):
        with pytest.raises(gj.GraphjacError, match="step needs a finite number lr"):
            g.step(lr)
    assert g.grad("w") is not None   # a refused step changes nothing


def test_training_by_step_lowers_the_loss(rng):
    g, J = minibatch_model(rng, n=4, k=3, activation="softmax", loss="cce", labels="indices", n_samples=20)
    losses = [float(g.value(J))]
    for _ in range(30):
        g.backward(J)
        losses.append(g.step(0.5))
    assert all(after < before for before, after in zip(losses, losses[1:]))


def test_edge_grad_sums_the_slots_of_x_times_x():
    g = gj.Graph("x·x")
    x = g.input("x", [1.5, -2.0])
    z = g.mul(x, x, name="z")
    g.backward(g.sum(z))
    shares = g.edge_grads()
    np.testing.assert_array_equal(shares[(x.id, z.id, 0)], [1.5, -2.0])
    np.testing.assert_array_equal(shares[(x.id, z.id, 1)], [1.5, -2.0])
    np.testing.assert_array_equal(g.edge_grad(x, z), [3.0, -4.0])
    np.testing.assert_array_equal(g.grad(x), [3.0, -4.0])
    np.testing.assert_array_equal(g.jacobian(z, x), np.diag([3.0, -4.0]))
    assert [e[2] for e in g.edges if e[1].name == "z"] == ["u", "v"]


def test_jacobian_sample_and_shapes(rng):
    g, J = minibatch_model(rng, n=3, k=2, activation="sigmoid", loss="mse")
    assert g.jacobian("l", "X", sample=2).shape == (2, 3)
    assert g.jacobian("l", "W", sample=-1).shape == (2, 6)
    assert g.jacobian("J", "J0").shape == (1, N)
    with pytest.raises(gj.GraphjacError, match="sample 5 is out of range for a minibatch of 5"):
        g.jacobian("l", "X", sample=5)
    with pytest.raises(gj.GraphjacError, match="no edge 'X' -> 'J'"):
        g.jacobian("J", "X")


def test_set_value_takes_a_new_minibatch(rng):
    g, J = _neuron_graph(rng)
    g.backward(J)
    g.set_values({"X": rng.normal(size=(8, 3)), g.node("y"): rng.integers(0, 2, 8)})
    assert g.grad("w") is None and g.node("J0").shape == (8,)
    check_all(g, J)


def test_plan_is_cached_until_the_graph_changes(rng):
    g, J = _neuron_graph(rng)
    plan = g.plan
    g.forward()
    g.backward(J)
    assert g.plan is plan
    g.square(J)
    assert g.plan is not plan and len(g.plan.order) == len(g)


# ---------------------------------------------------------------------------- gradcheck


def test_gradcheck_passes_and_reports_every_param(rng):
    g, J = minibatch_model(rng, n=3, k=2, activation="tanh", loss="mse")
    g.backward(J)
    result = g.gradcheck()
    assert result.ok and bool(result)
    assert {c.name for c in result.checks} == {"W", "B"}
    assert (result.eps, result.atol, result.rtol) == (1e-6, 1e-5, 1e-3)   # PyTorch's defaults
    assert {c.name for c in g.gradcheck(inputs=True).checks} == {"W", "B", "X"}
    assert "passed" in str(result)


def test_gradcheck_needs_a_target():
    g = gj.Graph("no target")
    g.param("w", 1.0)
    with pytest.raises(gj.GraphjacError, match="gradcheck needs a loss J"):
        g.gradcheck()


def test_gradcheck_catches_a_wrong_vjp_and_names_the_worst_element(rng, monkeypatch):
    neuron = ops.REGISTRY["neuron"]
    right = neuron.slots[1].vjp

    def wrong(ctx, g):   # ∂J/∂w off by 1e-3 in component 1 only
        return right(ctx, g) + np.array([0.0, 1e-3, 0.0])

    slots = (neuron.slots[0], Slot("w", vjp=wrong, jacobian=neuron.slots[1].jacobian), neuron.slots[2])
    monkeypatch.setitem(ops.REGISTRY, "neuron", type(neuron)(**{**neuron.__dict__, "slots": slots}))
    g, J = _neuron_graph(rng)
    g.backward(J)
    result = g.gradcheck()
    assert not result.ok and not bool(result)
    worst = result.worst
    assert (worst.name, worst.index) == ("w", (1,))
    assert worst.analytic - worst.numeric == pytest.approx(1e-3, rel=1e-3)
    assert [c.ok for c in result.checks if c.name == "b"] == [True]
    assert "FAIL ∂J/∂w[1]" in str(result)


def test_gradcheck_leaves_the_graph_as_it_was(rng):
    g, J = _neuron_graph(rng)
    g.backward(J)
    values = json.dumps(g.to_spec())
    grad = g.grad("w").copy()
    g.gradcheck(inputs=True)
    assert json.dumps(g.to_spec()) == values
    np.testing.assert_array_equal(g.grad("w"), grad)


def test_a_vjp_of_the_wrong_shape_is_an_error_naming_the_op_and_the_slot(monkeypatch):
    """As autograd checks vector spaces: a wrong-shaped VJP is never broadcast silently."""
    import dataclasses

    from graphjac.core.ops import REGISTRY

    def wrong(ctx, g):              # ∂J/∂u as a scalar where u is a vector
        return np.sum(g)

    mul = REGISTRY["mul"]
    monkeypatch.setitem(REGISTRY, "mul", dataclasses.replace(
        mul, slots=(dataclasses.replace(mul.slots[0], vjp=wrong), mul.slots[1])))
    g = gj.Graph("broken")
    z = g.mul(g.param("u", [1.0, 2.0]), g.param("v", [3.0, 4.0]), name="z")
    with pytest.raises(gj.GraphjacError, match=r"the VJP of op 'mul' for its slot 'u' \(node 'z', operand 'u'\) "
                                               r"returned shape \(\); the operand has shape \(2,\)"):
        g.backward(g.sum(z))


# ---------------------------------------------------------------------------- what backward computes at once, and later


def _counting(monkeypatch, op_name, slot_index):
    """Count the calls of one slot's VJP (the registry's op is swapped for a copy that counts)."""
    import dataclasses
    op = ops.REGISTRY[op_name]
    calls = []
    slot = op.slots[slot_index]

    def vjp(ctx, g):
        calls.append(1)
        return slot.vjp(ctx, g)

    slots = list(op.slots)
    slots[slot_index] = dataclasses.replace(slot, vjp=vjp)
    monkeypatch.setitem(ops.REGISTRY, op_name, dataclasses.replace(op, slots=tuple(slots)))
    return calls


def test_the_gradient_of_the_data_is_computed_when_read_and_is_right(rng, monkeypatch):
    calls = _counting(monkeypatch, "dense", 0)     # ∂J/∂X through the dense layer
    g, J = minibatch_model(rng, 3, 2, "softmax", "cce")
    g.backward(J)
    assert calls == []                              # nobody asked for ∂J/∂X yet
    assert g.grad("W") is not None and calls == []
    dX = g.grad("X")
    assert len(calls) == 1 and dX.shape == (N, 3)
    g.grad("X"), g.edge_grad("X", "l")
    assert len(calls) == 1                          # computed once
    check_all(g, J)                                 # against autograd and finite differences


def test_the_skipped_share_of_a_fused_loss_is_there_when_read(rng):
    g, J = minibatch_model(rng, 3, 1, "sigmoid", "bce")
    g.backward(J)
    share = g.edge_grad("ŷ", "J0")                  # ∂J/∂ŷ, which the fused σ + BCE path skips
    a, y = g.value("ŷ"), g.value("y")
    np.testing.assert_allclose(share, (a - y) / (a * (1 - a)) / N, rtol=1e-12)
    np.testing.assert_allclose(g.grad("ŷ"), share)
    check_all(g, J)


def test_backward_still_raises_at_once_where_a_vjp_checks_its_operand():
    g = gj.Graph("root of the data")
    x = g.input("x", [4.0, 0.0])
    J = g.sum(g.sqrt(x), name="J")                  # ∂√x/∂x is infinite at 0, and x is data
    with pytest.raises(gj.ValueDomainError, match="infinite at u = 0"):
        g.backward(J)


def test_read_out_of_order_every_share_adds_up_to_its_node(rng):
    g, J = minibatch_model(rng, 4, 3, "tanh", "mse")
    g.backward(J)
    shares = g.edge_grads()                         # everything, read first
    for node in g.nodes:
        outgoing = [v for (src, dst, slot), v in shares.items() if src == node.id]
        if outgoing:
            np.testing.assert_allclose(g.grad(node), sum(outgoing[1:], outgoing[0]))


def test_what_the_graph_hands_out_is_read_only(rng):
    g, J = minibatch_model(rng, 3, 2, "sigmoid", "mse")
    g.backward(J)
    for array in (g.value("l"), g.grad("W"), g.grad("X"), g.edge_grad("W", "l")):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0.0


def test_a_custom_op_cannot_change_the_graphs_arrays():
    def forward(u):
        u += 1.0          # in place: refused
        return u

    gj.define_op("bump_in_place", forward, derivative=lambda u, out: np.ones_like(u),
                 latex=r"$u + 1", derivative_latex="1")
    g = gj.Graph("custom")
    x = g.input("x", [1.0, 2.0])
    with pytest.raises(gj.ValueDomainError, match="read-only"):
        g.apply("bump_in_place", x, name="y")
        g.forward()
    np.testing.assert_array_equal(g.leaf_values()[x.id], [1.0, 2.0])
