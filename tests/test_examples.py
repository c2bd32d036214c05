"""Every lecture figure in examples/: the spec file and the script build the same graph, the
built-in catalogue serves it, and its numbers are the lecture's closed forms (computed here
with numpy, independently of graphjac's ops) and pass the finite-difference check."""

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

import graphjac as gj
from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.options import RenderOptions

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES, FIGURES = ROOT / "examples", ROOT / "docs" / "figures"
NAMES = list(catalog())
REGENERATE = "run `bash scripts/examples.sh` and commit docs/figures/"


def solved(name):
    """The built-in example ``name`` after forward and backward of its target J."""
    g = load_example(name)
    g.backward(g.target)
    return g


def values(g, *names):
    return [g.value(n) for n in names]


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# ------------------------------------------------------------------------------ the catalogue

def test_catalogue_lists_every_spec_and_script_in_examples():
    assert sorted(NAMES) == sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
    assert sorted(NAMES) == sorted(p.stem for p in EXAMPLES.glob("*.py") if p.stem != "__init__")
    assert all(description.strip() and "\n" not in description for description in catalog().values())


@pytest.mark.parametrize("name", NAMES)
def test_spec_file_and_script_build_the_same_graph(name):
    from_spec = gj.load(EXAMPLES / f"{name}.yaml").to_spec()
    from_script = gj.load(EXAMPLES / f"{name}.py").to_spec()
    assert from_spec == from_script


@pytest.mark.parametrize("name", NAMES)
def test_stored_render_options_are_valid(name):
    g = load_example(name)
    options = RenderOptions.from_mapping(g.render_options, where=f"lecture:{name}")
    for node in options.tables + tuple(n for pair in options.jacobians for n in pair):
        assert node in g


@pytest.mark.parametrize("name", NAMES)
def test_gradients_agree_with_finite_differences(name):
    result = solved(name).gradcheck(inputs=True)
    assert result.ok, str(result)


def test_lecture_prefix_loads_a_fresh_graph_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    first, second = gj.load("lecture:neuron"), gj.load("lecture:neuron")
    assert first is not second and first.to_spec() == second.to_spec()
    assert first.to_spec() == gj.load(EXAMPLES / "neuron.yaml").to_spec()


def test_unknown_example_is_an_error_with_a_suggestion():
    expected = r"lecture:nueron: no such lecture example; did you mean lecture:neuron\?"
    with pytest.raises(gj.GraphjacError, match=expected):
        gj.load("lecture:nueron")


# ------------------------------------------------------------------------------ the README's gallery

def test_gallery_holds_one_figure_per_example_and_variant():
    from graphjac.io.gallery import variants
    for suffix in ("dot", "svg"):
        drawn = sorted(p.stem for p in FIGURES.glob(f"*.{suffix}"))
        assert drawn == sorted(NAMES + list(variants())), f"docs/figures/*.{suffix} do not match the examples: {REGENERATE}"


@pytest.mark.parametrize("name", NAMES)
def test_gallery_figure_is_up_to_date(name):
    committed = (FIGURES / f"{name}.dot").read_text(encoding="utf-8")
    assert load_example(name).to_dot() == committed, f"docs/figures/{name}.dot is out of date: {REGENERATE}"


@pytest.mark.dot
@pytest.mark.parametrize("name", NAMES)
def test_every_example_renders_with_its_stored_options(name, tmp_path):
    path = load_example(name).render(tmp_path / f"{name}.svg")
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg") and float(root.get("width").rstrip("pt")) > 100


def test_readme_shows_every_gallery_figure():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in NAMES if f"docs/figures/{name}.svg" not in readme]
    assert not missing, f"README.md's Gallery does not show {missing}"


# ------------------------------------------------------------------------------ z = f(x, y)

@pytest.mark.parametrize("name, z_of, dz_dx, dz_dy", [
    ("add", lambda x, y: x + y, lambda x, y: 1.0, lambda x, y: 1.0),
    ("squares", lambda x, y: x**2 + y**2, lambda x, y: 2 * x, lambda x, y: 2 * y),
    ("product", lambda x, y: x * y, lambda x, y: y, lambda x, y: x),
])
def test_partial_derivatives_of_two_variables(name, z_of, dz_dx, dz_dy):
    g = solved(name)
    x, y = values(g, "x", "y")
    assert g.value("z") == pytest.approx(z_of(x, y))
    assert g.grad("x") == pytest.approx(dz_dx(x, y))
    assert g.grad("y") == pytest.approx(dz_dy(x, y))


# ------------------------------------------------------------------------------ z = f(x⃗)

def test_mean_has_gradient_one_third_each():
    g = solved("mean")
    x = g.value("x")
    assert g.value("z") == pytest.approx(x.sum() / 3)
    np.testing.assert_allclose(g.grad("x"), [1 / 3, 1 / 3, 1 / 3])


def test_mean_of_squares_has_gradient_two_x_over_three():
    g = solved("mean_squares")
    x = g.value("x")
    assert g.value("z") == pytest.approx((x**2).sum() / 3)
    np.testing.assert_allclose(g.grad("x"), 2 * x / 3)
    np.testing.assert_allclose(g.jacobian("z", "s"), [[1 / 3, 1 / 3, 1 / 3]])
    np.testing.assert_allclose(g.jacobian("s", "x"), np.diag(2 * x))


def test_dot_product_gradients_are_the_other_vector_transposed():
    g = solved("dot")
    u, v = values(g, "u", "v")
    assert g.value("z") == pytest.approx(sum(ui * vi for ui, vi in zip(u, v)))
    np.testing.assert_allclose(g.grad("u"), v)                   # ∂z/∂u⃗ = v⃗ᵀ
    np.testing.assert_allclose(g.grad("v"), u)                   # ∂z/∂v⃗ = u⃗ᵀ
    np.testing.assert_allclose(g.jacobian("z", "u"), [v])        # a 1×n row


# ------------------------------------------------------------------------------ the neuron

def test_neuron_with_sigmoid_and_bce_has_the_three_backward_edges():
    g = solved("neuron")
    x, w, b, y = values(g, "x", "w", "b", "y")
    z = x @ w + b
    a = sigmoid(z)
    assert float(g.value("z")) == pytest.approx(-0.8)
    assert float(g.value("J")) == pytest.approx(-np.log(a)) == pytest.approx(1.1711, abs=1e-4)
    dJ_da = (a - y) / (a * (1 - a))
    dJ_dz = a - y                                                # σ and BCE: ∂J/∂z = a − y
    assert float(g.grad("a")) == pytest.approx(dJ_da)
    assert float(g.grad("z")) == pytest.approx(dJ_dz)
    np.testing.assert_allclose(g.edge_grad("x", "z"), dJ_dz * w)   # ∂J/∂z · w⃗ᵀ
    np.testing.assert_allclose(g.edge_grad("w", "z"), dJ_dz * x)   # ∂J/∂z · x⃗ᵀ
    assert float(g.edge_grad("b", "z")) == pytest.approx(dJ_dz)    # ∂J/∂z
    assert g.grad("y") is None


@pytest.mark.parametrize("function, activate, da_dz", [
    ("sigmoid", sigmoid, lambda a, z: a * (1 - a)),
    ("tanh", np.tanh, lambda a, z: (1 + a) * (1 - a)),
    ("relu", lambda z: np.maximum(z, 0.0), lambda a, z: 1.0 if z >= 0 else 0.0),
])
def test_neuron_with_activation_follows_the_lecture(function, activate, da_dz):
    g = solved(f"neuron_{function}")
    x, w, b, y = values(g, "x", "w", "b", "y")
    z = x @ w + b
    a = activate(z)
    assert float(g.value("a")) == pytest.approx(a)
    assert float(g.value("J")) == pytest.approx((y - a) ** 2)
    dJ_dz = -2 * (y - a) * da_dz(a, z)                              # ∂J/∂a · ∂a/∂z
    assert dJ_dz != 0
    assert float(g.grad("z")) == pytest.approx(dJ_dz)
    np.testing.assert_allclose(g.grad("w"), dJ_dz * x)
    np.testing.assert_allclose(g.grad("x"), dJ_dz * w)
    assert float(g.grad("b")) == pytest.approx(dJ_dz)


# ------------------------------------------------------------------------------ minibatches

def test_minibatch_mse():
    g = solved("minibatch_mse")
    X, y, w, b = values(g, "x", "y", "w", "b")
    n = len(X)
    y_hat = X @ w + b
    assert float(g.value("J")) == pytest.approx(np.mean((y - y_hat) ** 2))
    np.testing.assert_allclose(g.grad("J0"), np.full(n, 1 / n))                # ∂J/∂J₀⁽ⁱ⁾ = 1/N
    dJ_dyhat = -2 / n * (y - y_hat)
    np.testing.assert_allclose(g.grad("y_hat"), dJ_dyhat)
    np.testing.assert_allclose(g.grad("w"), sum(d * xi for d, xi in zip(dJ_dyhat, X)))
    assert float(g.grad("b")) == pytest.approx(dJ_dyhat.sum())


def test_minibatch_bce():
    g = solved("minibatch_bce")
    X, y, w, b = values(g, "x", "y", "w", "b")
    n = len(X)
    y_hat = sigmoid(X @ w + b)
    bce = -(y * np.log(y_hat) + (1 - y) * np.log(1 - y_hat))
    assert float(g.value("J")) == pytest.approx(bce.mean())
    np.testing.assert_allclose(g.grad("y_hat"), (y_hat - y) / (y_hat * (1 - y_hat)) / n)
    np.testing.assert_allclose(g.grad("z"), (y_hat - y) / n)
    np.testing.assert_allclose(g.grad("w"), X.T @ (y_hat - y) / n)


def test_dense_layer_with_softmax_and_cce_on_one_hot_labels():
    g = solved("dense_cce")
    X, Y, W, B = values(g, "x", "y", "W", "B")
    n, k = Y.shape
    assert np.all(Y.sum(axis=1) == 1) and set(np.unique(Y)) == {0.0, 1.0}
    logits = X @ W + B
    P = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    labels = Y.argmax(axis=1)
    assert float(g.value("J")) == pytest.approx(-np.mean(np.log(P[np.arange(n), labels])))
    dJ_dyhat = np.zeros((n, k))
    dJ_dyhat[np.arange(n), labels] = -1 / P[np.arange(n), labels] / n        # −1/ŷ_α at the label α, over N
    np.testing.assert_allclose(g.grad("y_hat"), dJ_dyhat)
    np.testing.assert_allclose(g.grad("l"), (P - Y) / n)
    np.testing.assert_allclose(g.grad("W"), X.T @ (P - Y) / n)
    np.testing.assert_allclose(g.grad("B"), (P - Y).sum(axis=0) / n)


def test_softmax_jacobian_is_the_lectures_k_by_k_matrix():
    g = solved("softmax_jacobian")
    l, y = values(g, "l", "y")
    p = np.exp(l) / np.exp(l).sum()
    k = len(p)
    expected = np.array([[p[i] * (1 - p[i]) if i == j else -p[i] * p[j] for j in range(k)] for i in range(k)])
    np.testing.assert_allclose(g.value("p"), p)
    np.testing.assert_allclose(g.jacobian("p", "l"), expected)
    np.testing.assert_allclose(g.grad("l"), p - y)


# ------------------------------------------------------------------------------ the update

def test_gradient_descent_step_matches_x_minus_alpha_gradient():
    g = solved("gradient_descent")
    alpha = 0.75
    x = g.value("x")
    gradient = 2 * x / 3                                                        # ∇ₓ f of (1/3) Σ xᵢ²
    np.testing.assert_allclose(g.grad("x"), gradient)
    np.testing.assert_allclose(g.value("x_new"), x - alpha * gradient)            # x⃗ := x⃗ − α(∇ₓ f)ᵀ
    assert float(g.value("z_new")) == pytest.approx(np.mean((x - alpha * gradient) ** 2))
    assert float(g.value("z_new")) < float(g.value("z"))
    g.step(lr=alpha)                                                           # the library's own step
    np.testing.assert_allclose(g.value("x"), g.value("x_new"))


# ------------------------------------------------------------------ beyond this lecture: the published numbers


def test_cs231n_circuit_has_the_published_gradients():
    g = solved("cs231n_circuit")
    assert float(g.value("f")) == -12.0
    assert [float(g.grad(n)) for n in "xyz"] == [-4.0, -4.0, 3.0]


def test_cs231n_sigmoid_gate_by_gate_has_the_published_numbers():
    g = solved("cs231n_sigmoid")
    assert round(float(g.value("f")), 2) == 0.73
    assert [round(float(g.grad(n)), 2) for n in ("w0", "w1", "w2")] == [-0.20, -0.39, 0.20]
    assert [round(float(g.grad(n)), 2) for n in ("x0", "x1")] == [0.39, -0.59]
    # and the closed form CS231n derives: ∂f/∂(w·x) = (1 − f) f
    f, w, x = float(g.value("f")), [2.0, -3.0, -3.0], [-1.0, -2.0, 1.0]
    np.testing.assert_allclose([float(g.grad(n)) for n in ("w0", "w1", "w2")], [(1 - f) * f * xi for xi in x])
    np.testing.assert_allclose([float(g.grad(n)) for n in ("x0", "x1")], [(1 - f) * f * wi for wi in w[:2]])
    kinds = [r.kind for r in g.records() if r.op]
    assert kinds == ["mul", "mul", "add", "add", "mul", "exp", "add", "div"]   # ×, +, ×−1, exp, +1, 1/x


def test_colah_sums_the_two_paths_from_b():
    g = solved("colah")
    assert float(g.value("e")) == 6.0 and float(g.grad("a")) == 2.0 and float(g.grad("b")) == 5.0
    assert float(g.edge_grad("b", "c")) == 2.0 and float(g.edge_grad("b", "d")) == 3.0


def test_micrograd_readme_expression_has_the_published_numbers():
    g = solved("micrograd")
    assert f"{float(g.value('g')):.4f}" == "24.7041"
    assert f"{float(g.grad('a')):.4f}" == "138.8338" and f"{float(g.grad('b')):.4f}" == "645.5773"


def test_two_layer_l2_gradient_of_w1_is_the_sum_of_two_paths():
    g = solved("two_layer_l2")
    through_loss, through_penalty = g.edge_grad("W1", "L1"), g.edge_grad("W1", "q1")
    np.testing.assert_allclose(through_penalty, 0.01 * 2 * g.value("W1"))      # λ · 2W₁
    np.testing.assert_allclose(g.grad("W1"), through_loss + through_penalty)
    # the loss path, by hand in numpy: X, W1, B1, W2, B2 forward; (p − y)/N back through σ, W2, tanh
    X, y = g.value("X"), g.value("y")
    H = np.tanh(X @ g.value("W1") + g.value("B1"))
    p = 1 / (1 + np.exp(-(H @ g.value("W2") + g.value("B2"))))
    dL2 = (p - y) / len(X)
    np.testing.assert_allclose(through_loss, X.T @ ((dL2 @ g.value("W2").T) * (1 - H ** 2)), rtol=1e-10)


# ------------------------------------------------------------------------------ beyond the MLP

COURSE = ("conv1d", "cnn", "rnn_bptt", "attention", "layer_norm", "batch_norm", "residual")


@pytest.mark.parametrize("name", COURSE)
def test_the_course_figures_equal_torch(name):
    pytest.importorskip("torch")
    from torch_oracle import assert_matches_torch
    assert_matches_torch(load_example(name))


def test_the_rnn_names_each_steps_share_and_states_the_total():
    g = load_example("rnn_bptt")
    g.backward(g.target)
    notes = g.annotate()
    W = g.node("W_xh").id
    shares = [e.symbol for e in notes.edges if e.src == W]
    assert len(shares) == 3 and len(set(shares)) == 3 and all("(" in s for s in shares)
    assert notes.total(W).count("+") == 2
    total = sum(g.edge_grad("W_xh", notes.nodes[e.dst].name) for e in notes.edges if e.src == W)
    np.testing.assert_allclose(total, g.grad("W_xh"))
    labels = [line for n in g.figure().nodes if n.name == "W_xh" for line in n.label]
    assert any(r"W_{\mathrm{xh}}^{(3)}" in line for line in labels), labels


def test_the_attention_scores_are_written_as_a_lecturer_writes_them():
    from graphjac.notation.mathtext import to_unicode
    notes = load_example("attention").annotate()
    assert to_unicode(notes.node("S").formula) == "S = QKᵀ/√d"
    assert to_unicode(notes.edge("S", "A").formula) == "A ⊙ (∂J/∂A − rowsum(∂J/∂A ⊙ A))"
