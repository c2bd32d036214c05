"""The figure model, its options and the DOT text (no Graphviz needed here)."""

import autograd.numpy as anp
import numpy as np
import pytest
from autograd import grad

import graphjac as gj
from graphjac.render import RenderOptions, option_help, writer_for
from graphjac.render.model.figure import EDGE_DIRECTIONS, ROLES

X_VALUE, W_VALUE, B_VALUE, Y_VALUE = [1.0, 2.0, -1.0], [0.5, -0.3, 0.8], 0.1, 1.0


def neuron(backward=True):
    g = gj.Graph("neuron")
    x = g.input("x", X_VALUE)
    w = g.param("w", W_VALUE)
    b = g.param("b", B_VALUE)
    y = g.input("y", Y_VALUE)
    z = g.neuron(x, w, b, name="z")
    a = g.activation(z, "sigmoid", name="a")
    J = g.loss(a, y, "bce", name="J")
    if backward:
        g.backward(J)
    else:
        g.target = J
    return g


def minibatch(n=5):
    g = gj.Graph("minibatch")
    rng = np.random.default_rng(7)
    X = g.input("x", rng.normal(size=(n, 2)), batch=True, group="Dataset/Minibatch")
    y = g.input("y", (rng.random(n) > 0.5).astype(float), batch=True, group="Dataset/Minibatch")
    with g.group("Model"):
        z = g.neuron(X, g.param("w", [0.4, 0.3]), g.param("b", 0.1), name="z")
        a = g.activation(z, "sigmoid", name="y_hat")
    g.backward(g.mean(g.loss(a, y, "bce", name="J0"), name="J"))
    return g


# ---------------------------------------------------------------------------- the figure model


def test_nodes_have_stable_ids_roles_and_labels_in_build_order():
    fig = neuron().figure()
    assert [(n.id, n.role, n.name) for n in fig.nodes] == [
        ("n0", "input", "x"), ("n1", "param", "w"), ("n2", "param", "b"), ("n3", "input", "y"),
        ("n4", "op", "z"), ("n5", "op", "a"), ("n6", "target", "J")]
    assert fig.nodes[4].label[0] == r"z = \vec{x}^{T} \vec{w} + b"
    assert fig.direction == "BT" and fig.theme == "lecture"
    assert {n.role for n in fig.nodes} <= set(ROLES) and {e.direction for e in fig.edges} <= set(EDGE_DIRECTIONS)


def test_forward_edges_for_every_slot_backward_only_where_gradients_flow():
    fig = neuron().figure()
    forward = [(e.src, e.dst) for e in fig.edges if e.direction == "forward"]
    backward = [(e.src, e.dst) for e in fig.edges if e.direction == "backward"]
    assert forward == [("n0", "n4"), ("n1", "n4"), ("n2", "n4"), ("n4", "n5"), ("n5", "n6"), ("n3", "n6")]
    assert backward == [("n4", "n0"), ("n4", "n1"), ("n4", "n2"), ("n5", "n4"), ("n6", "n5")]   # none to y


def test_backward_edges_say_the_lectures_chain_rule():
    labels = {(e.src, e.dst): e.label for e in neuron().figure().edges if e.direction == "backward"}
    assert labels[("n4", "n0")] == (r"\frac{\partial J}{\partial \vec{x}} = \frac{\partial J}{\partial z} \cdot \vec{w}^{T}",)
    assert labels[("n4", "n1")] == (r"\frac{\partial J}{\partial \vec{w}} = \frac{\partial J}{\partial z} \cdot \vec{x}^{T}",)
    assert labels[("n4", "n2")] == (r"\frac{\partial J}{\partial b} = \frac{\partial J}{\partial z}",)


def _bce_of_a(a):
    return -(Y_VALUE * anp.log(a) + (1 - Y_VALUE) * anp.log(1 - a))


def _j_of_w(w):
    a = 1 / (1 + anp.exp(-(anp.dot(anp.array(X_VALUE), w) + B_VALUE)))
    return _bce_of_a(a)


def test_values_on_edges_are_the_gradients_autograd_computes():
    g = neuron()
    a = float(g.value("a"))
    fig = g.figure(edge_labels="symbol,value", precision=4)
    labels = {(e.src, e.dst): e.label for e in fig.edges if e.direction == "backward"}
    assert labels[("n6", "n5")] == (rf"\frac{{\partial J}}{{\partial a}} = {grad(_bce_of_a)(a):.4g}",)
    dw = grad(_j_of_w)(anp.array(W_VALUE))
    expected = "(" + ", ".join(f"{v:.4g}" for v in dw) + ")"
    assert labels[("n4", "n1")] == (r"\frac{\partial J}{\partial \vec{w}} = " + expected,)


def test_shape_is_the_lectures_row_vector():
    fig = neuron().figure(edge_labels="symbol,shape")
    label = next(e.label for e in fig.edges if (e.src, e.dst) == ("n4", "n0") and e.direction == "backward")
    assert label == (r"\frac{\partial J}{\partial \vec{x}}", r"\in \mathbb{R}^{1 \times 3}")


def test_node_labels_can_show_gradients():
    g = neuron()
    node = g.figure(node_labels="formula,grad").nodes[5]
    assert node.label == (r"a = \sigma(z)", rf"\frac{{\partial J}}{{\partial a}} = {float(g.grad('a')):.3g}")


def test_render_runs_the_passes_a_figure_needs():
    g = neuron(backward=False)
    assert not g.has_values
    fig = g.figure()
    assert g.has_grads and any(e.direction == "backward" for e in fig.edges)


def test_a_graph_without_target_has_no_backward_edges_nor_their_legend():
    g = gj.Graph("f")
    x = g.input("x", 1.0)
    g.add(x, g.input("y", 2.0), name="z")
    g.exp(x, name="u")              # two scalar results: neither is J
    fig = g.figure()
    assert {e.direction for e in fig.edges} == {"forward"}
    assert [entry.direction for entry in fig.legend] == ["forward"]


def test_the_one_scalar_sink_is_the_target_when_none_is_given():
    g = gj.Graph("f")
    g.add(g.input("x", 1.0), g.input("y", 2.0), name="z")
    fig = g.figure()
    assert g.target.name == "z" and {e.direction for e in fig.edges} == {"forward", "backward"}


def test_groups_nest_as_boxes():
    fig = minibatch().figure()
    assert [grp.path for grp in fig.groups] == [("Dataset",), ("Dataset", "Minibatch"), ("Model",)]
    assert {n.name: n.group for n in fig.nodes}["z"] == ("Model",)


def test_minibatch_drawn_sample_by_sample_as_the_lecture_draws_it():
    fig = minibatch(n=5).figure(samples=2, edge_labels="symbol,formula,value")
    assert fig.direction == "LR"
    ids = [n.id for n in fig.nodes]
    assert ids[:4] == ["n0s1", "n0s2", "n0e", "n0s5"]                     # x⁽¹⁾, x⁽²⁾, ⋮, x⁽ᴺ⁾
    by_id = {n.id: n for n in fig.nodes}
    assert by_id["n0s5"].label[0].startswith(r"\vec{x}^{(N)} = ")
    assert by_id["n0e"].role == "ellipsis" and by_id["n0e"].label == (r"\vdots",)
    assert by_id["n6s1"].label[0].startswith(r"J_{0}^{(1)} = ")          # J₀⁽¹⁾ per sample
    # the shared w⃗, b are named by the Model box; y⁽ⁱ⁾ is written under its J₀⁽ⁱ⁾
    assert "n2" not in by_id and "n3" not in by_id and "n1s1" not in by_id
    assert fig.groups[-1].label == (r"\text{Model}\text{: } \vec{w}, b",)
    assert any(line.startswith("y^{(1)} = ") for line in by_id["n6s1"].label)
    to_mean = [e for e in fig.edges if e.direction == "backward" and e.src == "n7"]
    assert [e.dst for e in to_mean] == ["n6s1", "n6s2", "n6s5"]
    assert to_mean[0].label == (r"\frac{\partial J}{\partial J_{0}^{(1)}} = \frac{1}{N}", "= 0.2")   # 1/N, N = 5
    assert to_mean[2].label[0] == r"\frac{\partial J}{\partial J_{0}^{(N)}} = \frac{1}{N}"


def test_minibatch_with_the_model_drawn_once():
    fig = minibatch(n=3).figure(samples=3, model="once")
    ids = {n.id for n in fig.nodes}
    assert {"n4", "n5", "n6s1", "n6s2", "n6s3", "n0s3"} <= ids and "n4s1" not in ids


def test_matrices_as_tables():
    g = gj.Graph("softmax")
    X = g.input("x", [[1.0, 2.0, -1.0]], batch=True)
    W = g.param("W", [[0.1, -0.2], [0.3, 0.4], [-0.5, 0.6]])
    logits = g.dense(X, W, g.param("b", [0.0, 0.1]), name="l")
    p = g.activation(logits, "softmax", name="p")
    g.backward(g.mean(g.loss(p, g.input("y", [1], batch=True), "cce", name="J0"), name="J"))
    fig = g.figure(tables="W", jacobians="p:l", precision=2)
    nodes = {n.name: n for n in fig.nodes}
    assert nodes["W"].label == () and nodes["W"].tables[0].rows == (("0.1", "-0.2"), ("0.3", "0.4"), ("-0.5", "0.6"))
    jac = g.jacobian("p", "l")
    table = nodes["p"].tables[0]
    assert table.caption == r"\frac{\partial \vec{p}^{(1)}}{\partial \vec{l}^{(1)}}"
    assert table.rows == tuple(tuple(f"{v:.2g}" for v in row) for row in jac)
    assert jac[0, 1] == pytest.approx(-np.prod(g.value("p")[0]))            # −p₁p₂, by hand


def test_highlight_marks_both_directions_of_an_edge():
    fig = neuron().figure(highlight=["z:a"])
    strong = [(e.src, e.dst, e.direction) for e in fig.edges if e.emphasis]
    assert strong == [("n4", "n5", "forward"), ("n5", "n4", "backward")]


def test_gradcheck_badge_reports_the_librarys_check():
    fig = neuron().figure(gradcheck=True)
    assert fig.badge.ok and r"\checkmark" in fig.badge.label[0]


def test_title_and_legend_can_be_turned_off():
    fig = neuron().figure(title="", legend=False)
    assert fig.title == () and fig.legend == ()


# ---------------------------------------------------------------------------- DOT text


def test_same_graph_same_bytes():
    first, again, rebuilt = neuron().to_dot(), neuron().to_dot(), neuron()
    assert first == again == rebuilt.to_dot() == rebuilt.to_dot()
    assert minibatch().to_dot(samples=2) == minibatch().to_dot(samples=2)


def test_dot_text_is_plain_ascii_with_our_ids():
    text = neuron().to_dot(theme="dark")
    assert text.isascii() and text.startswith("digraph graphjac {")
    assert 'n0 [label=<<I>x&#8407;</I> = (1, 2, &#8722;1)>' in text
    assert "n4 -> n0" not in text and "n0 -> n4 [id=e6, dir=back" in text     # backward drawn against the flow


def test_print_theme_uses_no_colour():
    import re
    colours = re.findall(r'(?:COLOR|color|fillcolor|fontcolor)="(#[0-9a-fA-F]{6}|[a-z]+)"', neuron().to_dot(theme="print"))
    assert colours
    for colour in colours:
        if colour.startswith("#"):
            assert colour[1:3] == colour[3:5] == colour[5:7], colour
        else:
            assert colour in ("black", "white"), colour


def test_render_writes_dot_without_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr("graphjac.render.layout.graphviz.find_dot", lambda: None)
    path = neuron().render(tmp_path / "fig.gv")
    assert path.read_text() == neuron().to_dot()


def test_stored_render_options_are_used_and_keywords_override_them():
    g = neuron()
    g.render_options = {"rankdir": "LR", "theme": "print"}
    assert g.figure().direction == "LR" and g.figure().theme == "print"
    assert g.figure(direction="TB").direction == "TB"


# ---------------------------------------------------------------------------- options


@pytest.mark.parametrize("options, message", [
    ({"themes": "print"}, "unknown render option 'themes'; did you mean 'theme'?"),
    ({"theme": "prnt"}, "render option theme: 'prnt' is not one of lecture, print, dark, auto; did you mean 'print'?"),
    ({"edge_labels": "symbol,valeu"}, "render option edge_labels: 'valeu' is not one of symbol, formula, value, "
                                      "shape, local; did you mean 'value'?"),
    ({"precision": 0}, "render option precision: 0 is not a whole number from 1 to 12"),
    ({"samples": "many"}, "render option samples: 'many' is not a whole number from 0 to 1000"),
    ({"legend": "maybe"}, "render option legend: 'maybe' is not true or false"),
    ({"jacobians": ["p"]}, "render option jacobians: 'p' is not a pair of node names"),
    ({"timeout": -1}, "render option timeout: -1 is not a number of seconds"),
])
def test_bad_options_name_the_option_and_what_it_takes(options, message):
    with pytest.raises(gj.GraphjacError) as info:
        RenderOptions.from_mapping(options)
    assert message in str(info.value)


def test_options_naming_missing_nodes_say_which_option():
    with pytest.raises(gj.GraphjacError, match=r"render option tables: .*no node named 'aa'; did you mean 'a'"):
        neuron().to_dot(tables=["aa"])
    with pytest.raises(gj.GraphjacError, match="render option jacobians: 'x' is not an operand of 'a'"):
        neuron().to_dot(jacobians=["a:x"])


def test_options_from_text_as_a_cli_or_spec_gives_them():
    options = RenderOptions.from_mapping({"legend": "no", "precision": "4", "jacobians": "p:l, q:r",
                                          "highlight": [["a:b", "c"]]})
    assert options.legend is False and options.precision == 4
    assert options.jacobians == (("p", "l"), ("q", "r")) and options.highlight == (("a:b", "c"),)


def test_every_option_has_help_text():
    for name, (default, help_text, choices, kind) in option_help().items():
        assert help_text and RenderOptions(**{name: default})


def test_formats_are_chosen_by_suffix_with_suggestions():
    assert writer_for("a/b.PDF").format == "pdf"
    with pytest.raises(gj.GraphjacError, match="unknown output format 'pnj'; did you mean 'png'"):
        writer_for("fig.pnj")
    with pytest.raises(gj.GraphjacError, match="without a suffix"):
        writer_for("fig")


def test_the_guide_documents_every_option():
    from pathlib import Path
    readme = (Path(__file__).parent.parent / "docs" / "guide.md").read_text(encoding="utf-8")
    figures = readme[readme.index("## Figures"):]
    for name in option_help():
        assert f"| `{name}` |" in figures, name


def test_a_figure_whose_target_is_z_says_dz_everywhere():
    """Node labels, edge labels and the legend all name the actual target, in every writer."""
    from graphjac.render import draw, figure_for
    from graphjac.render.layout.geometry import texts
    g = gj.Graph("target z")
    x, w, b = g.input("x", [1.0, 2.0]), g.param("w", [0.5, -1.0]), g.param("b", 0.2)
    z = g.neuron(x, w, b, name="z")
    g.activation(z, "sigmoid", name="a")
    g.backward(z)
    options = dict(node_labels="formula,value,grad", edge_labels="symbol,formula,value")
    figure = figure_for(g, **options)
    latex = [line for label in texts(figure).values() for line, _ in label] + list(figure.legend[1].label)
    assert any(r"\partial z}{\partial \vec{w}}" in line for line in latex)
    assert not any(r"\partial J" in line for line in latex), [l for l in latex if r"\partial J" in l]
    dot = g.to_dot(**options)                                            # Graphviz's own labels (SVG)
    assert "&#8706;<I>z</I>" in dot and "&#8706;<I>J</I>" not in dot
    tikz = draw(g, "tex", **options)                                     # TikZ, set by pdflatex
    assert r"\partial z" in tikz and r"\partial J" not in tikz
