"""Formulas as a lecturer writes them, where broadcasting, constants, matrices, signs and shared
nodes appear: each case was written wrong before (the wrong text in the comment)."""

from __future__ import annotations

import numpy as np

import graphjac as gj
from graphjac.notation.mathtext import to_unicode
from graphjac.render import figure_for
from graphjac.render.model.circuit import gate_label


def _formulas(g):
    g.backward(g.target)
    notes = g.annotate()
    nodes = {n.name: to_unicode(n.formula) for n in notes.nodes if n.formula}
    edges = {(notes.nodes[e.src].name, notes.nodes[e.dst].name): to_unicode(e.equation)
             for e in notes.edges if e.equation}
    return nodes, edges


def test_a_broadcast_operands_gradient_sums_over_the_broadcast_axes():
    g = gj.Graph("centre")
    u = g.param("u", [1.0, 2.0, 4.0])
    mu = g.mean(u, name="mu", label=r"\mu")
    d = g.sub(u, mu, name="d")
    g.target = g.sum(g.square(d, name="q"), name="J")
    _, edges = _formulas(g)
    assert edges[("mu", "d")] == "∂J/∂μ = −Σₖ ∂J/∂d⃗"            # was ∂J/∂μ = −∂J/∂d⃗ (false)
    b = gj.Graph("bias")
    X = b.input("X", [[1.0, 2.0], [3.0, 4.0]])
    c = b.param("c", [0.5, -0.5])
    b.target = b.sum(b.square(b.add(X, c, name="Y")), name="J")
    assert "Σⱼ" in _formulas(b)[1][("c", "Y")]


def test_constants_are_written_as_numbers_a_lecturer_writes():
    g = gj.Graph("c")
    x = g.param("x", 2.0)
    g.target = g.add(g.mul(x, 1e-5, name="a"), g.mul(x, 2 ** -0.5, name="b"), name="J")
    nodes, _ = _formulas(g)
    assert nodes["a"] == "a = 10⁻⁵ · x"                         # was 1e − 05x
    assert "√2" in nodes["b"] and "0.707" not in nodes["b"]       # was 0.707107x


def test_an_elementwise_product_of_arrays_is_written_with_odot():
    g = gj.Graph("gate")
    C = g.param("C", [1.0, 2.0])
    O = g.param("O", [0.5, 0.25])
    g.target = g.sum(g.mul(C, O, name="h"), name="J")
    assert _formulas(g)[0]["h"] == "h⃗ = C ⊙ O"                  # was CO


def test_signs_read_as_a_lecturer_writes_them():
    g = gj.Graph("signs")
    r, a = g.param("r", 2.0), g.param("a", 3.0)
    q = g.add(r, -a, name="q")
    p = g.pow(a, -1, name="p")
    g.target = g.add(q, p, name="J")
    nodes, edges = _formulas(g)
    assert nodes["q"] == "q = r − a"                            # was r + −a
    assert edges[("a", "p")] == "∂J/∂a⁽²⁾ = ∂J/∂p · (−a⁻²)"     # was (−1a⁻²)


def test_a_circuit_gate_never_writes_two_minus_signs():
    g = gj.Graph("gate")
    x = g.input("x", 1.0)
    g.target = g.sub(x, -0.2, name="y")
    g.backward(g.target)
    notes = g.annotate()
    assert gate_label(notes.node("y"), notes) == "+ 0.2"         # was − −0.2


def test_a_named_constant_that_is_no_single_letter_is_multiplied_with_a_dot():
    g = gj.Graph("penalty")
    r = g.param("r", 2.0)
    g.target = g.mul(g.const(0.005, name="lambda/2"), r, name="s")
    assert _formulas(g)[0]["s"] == "s = lambda/2 · r"            # was lambda/2r


def test_results_graphjac_named_read_as_math():
    g = gj.Graph("auto")
    x = g.param("x", 0.5)
    g.target = (g.exp(-x) + 1.0).named("J")
    nodes, _ = _formulas(g)
    assert not any("neg" in formula or "exp" in formula or "add" in formula for formula in nodes.values()), nodes
    assert any(formula.startswith("u") and "= e⁻ˣ" in formula for formula in nodes.values()), nodes   # was exp₁ = e^{neg₁}


def test_the_transpose_of_a_transpose_is_not_written_twice():
    g = gj.Graph("tt")
    K = g.param("K", [[1.0, 2.0], [3.0, 4.0]])
    Q = g.param("Q", [[1.0, 0.0], [0.0, 1.0]])
    S = g.matmul(Q, g.transpose(K), name="S")
    g.target = g.sum(S, name="J")
    nodes, edges = _formulas(g)
    assert nodes["S"] == "S = QKᵀ"
    assert "ᵀᵀ" not in " ".join(list(nodes.values()) + list(edges.values()))    # was K^{TT}
    assert edges[("Q", "S")] == "∂J/∂Q = ∂J/∂S\u2009K"          # (Kᵀ)ᵀ = K


def test_the_transpose_of_a_transpose_is_not_written_twice_for_a_sample_of_a_minibatch():
    """Attention's scores Q Kᵀ per sample: Kᵀ's symbol nests braces ({K^{(i)}}^{T}) and (Kᵀ)ᵀ
    was written K^{(i)TT} on the edge into Q."""
    g = gj.Graph("scores")
    X = g.input("X", np.arange(12.0).reshape(2, 2, 3) / 10, batch=True)
    K = g.matmul(X, g.param("A", np.eye(3)), name="K")
    S = g.matmul(X, g.transpose(K), name="S")
    g.target = g.sum(S, name="J")
    nodes, edges = _formulas(g)
    assert "ᵀᵀ" not in " ".join(list(nodes.values()) + list(edges.values()))
    assert edges[("X", "S")].endswith("∂J/∂S⁽ⁱ⁾\u2009K⁽ⁱ⁾"), edges[("X", "S")]


def test_micrograds_data_is_the_value():
    g = gj.Graph("m")
    a = g.param("a", -4.0)
    assert np.array_equal(a.data, a.value)                        # was AttributeError


def test_a_shared_nodes_shares_are_terms_and_its_total_is_stated():
    g = gj.load("lecture:colah")
    g.backward(g.target)
    figure = figure_for(g)
    labels = {n.name: [to_unicode(line) for line in n.label] for n in figure.nodes}
    assert "∂e/∂b = 2 + 3 = 5" in labels["b"]                      # was two edges each claiming ∂e/∂b
    edges = [to_unicode(e.label[0]) for e in figure.edges if e.direction == "backward" and e.label]
    assert any(text.startswith("∂e/∂b⁽¹⁾") for text in edges) and any(text.startswith("∂e/∂b⁽²⁾") for text in edges)


def _rnn(steps):
    """An RNN by hand over ``steps`` steps, each a group: uₜ = xₜW_xh, vₜ = hₜ₋₁W_hh from t = 2."""
    g = gj.Graph(f"rnn {steps}")
    with g.group("Shared"):
        W_xh, W_hh = g.param("W_xh", [[0.5, -0.3], [0.2, 0.4]]), g.param("W_hh", [[0.1, 0.6], [-0.5, 0.3]])
    h = None
    for t in range(1, steps + 1):
        with g.group(f"t = {t}"):
            u = g.matmul(g.input(f"x{t}", [1.0, -0.5 * t]), W_xh, name=f"u{t}")
            h = g.activation(u if h is None else g.add(u, g.matmul(h, W_hh, name=f"v{t}"), name=f"s{t}"), "tanh",
                             name=f"h{t}")
    g.backward(g.loss(g.sum(h, name="o"), g.input("y", 0.5), "mse", name="J"))
    return g


def _shares(figure, name):
    """The symbols of the shares on the backward edges into ``name``, and its node's lines."""
    node = next(n for n in figure.nodes if n.name == name)
    edges = {to_unicode(e.label[0]).split(" = ")[0] for e in figure.edges
             if e.direction == "backward" and e.dst == node.id and e.label}
    return edges, [to_unicode(line) for line in node.label]


def test_a_weight_the_steps_share_has_its_shares_numbered_by_step_as_d2l_sums_over_t():
    """W_hh is first used at t = 2: its shares read ∂J/∂Wₕₕ⁽¹⁾ at t = 2 and ⁽²⁾ at t = 3, one off
    the step each edge comes from (d2l: ∂L/∂W_hh = Σₜ ∂L/∂hₜ hₜ₋₁ᵀ)."""
    rnn = gj.load("lecture:rnn_bptt")
    rnn.backward()
    edges, _ = _shares(figure_for(rnn), "W_hh")
    assert edges == {"∂J/∂Wₕₕ⁽²⁾", "∂J/∂Wₕₕ⁽³⁾"}
    edges, lines = _shares(figure_for(rnn), "W_xh")
    assert edges == {"∂J/∂Wₓₕ⁽¹⁾", "∂J/∂Wₓₕ⁽²⁾", "∂J/∂Wₓₕ⁽³⁾"}
    assert lines[-1] == "∂J/∂Wₓₕ = ∂J/∂Wₓₕ⁽¹⁾ + ∂J/∂Wₓₕ⁽²⁾ + ∂J/∂Wₓₕ⁽³⁾"
    five = figure_for(_rnn(5))
    assert _shares(five, "W_hh")[0] == {f"∂J/∂Wₕₕ⁽{k}⁾" for k in "²³⁴⁵"}
    assert _shares(five, "W_hh")[1][-1] == "∂J/∂Wₕₕ = Σₜ₌₂⁵ ∂J/∂Wₕₕ⁽ᵗ⁾"
    assert _shares(five, "W_xh")[1][-1] == "∂J/∂Wₓₕ = Σₜ₌₁⁵ ∂J/∂Wₓₕ⁽ᵗ⁾"


def test_a_node_used_twice_in_one_step_or_outside_steps_numbers_its_shares_in_build_order():
    g = gj.Graph("twice")
    with g.group("t = 1"):
        x1 = g.input("x1", [1.0, 2.0])
    with g.group("t = 2"):
        x2 = g.input("x2", [3.0, -1.0])
    W = g.param("W", [[0.5, -0.3], [0.2, 0.4]])
    with g.group("t = 2"):
        y = g.add(g.matmul(x2, W), g.matmul(g.matmul(x2, W), W))     # W three times in one step
    g.backward(g.sum(g.add(g.matmul(x1, W), y), name="J"))
    edges, _ = _shares(figure_for(g), "W")
    assert edges == {f"∂J/∂W⁽{k}⁾" for k in "¹²³⁴"}


def test_results_graphjac_names_read_u1_u2_in_order_and_never_as_a_node_of_the_user_s():
    """from_torch's residual add read u₁₂ (its place among every node), a transformer's u₄₉;
    numbered by place, a result could also read as a node the user named u1."""
    g = gj.Graph("numbered")
    x = g.input("x", 2.0)
    w = g.param("u1", 3.0)                       # reads u₁
    y = g.add(g.mul(x, w), x)
    g.target = g.exp(y, name="J")
    nodes, _ = _formulas(g)
    assert nodes == {"mul1": "u₂ = x\u2009u₁", "add1": "u₃ = u₂ + x", "J": "J = e^(u₃)"}


def test_a_node_whose_formula_reads_as_its_own_symbol_shows_the_symbol_once():
    """attention's K^T read "Kᵀ = Kᵀ" and QK^T "QKᵀ = QKᵀ" (its label is the formula); a result
    named otherwise keeps its formula."""
    g = gj.load("lecture:attention")
    g.backward()
    lines = {n.name: [to_unicode(line) for line in n.label] for n in figure_for(g).nodes}
    assert lines["K^T"][0] == "Kᵀ" and lines["QK^T"][0] == "QKᵀ"
    assert lines["S"][0] == "S = QKᵀ/√d"
    h = gj.Graph("named")
    W = h.param("W", [[1.0, 2.0], [3.0, 4.0]])
    h.backward(h.sum(h.transpose(W, name="Wt"), name="J"))
    assert [to_unicode(n.label[0]) for n in figure_for(h).nodes if n.name == "Wt"] == ["Wt = Wᵀ"]
