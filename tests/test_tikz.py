"""TikZ output: every lecture example compiles with pdflatex, positions come from Graphviz, same bytes."""

import re

import pytest

import graphjac as gj
from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render import draw, figure_for
from graphjac.notation.latex import for_pdflatex
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.composer import place
from graphjac.render.writers.tikz import measured_sizes

SIZES = measured_sizes(THEMES["lecture"])

from latex import compile_tex, compile_together, needs_tex

pytestmark = pytest.mark.dot
EXAMPLES = list(catalog())


@needs_tex
def test_every_example_compiles_as_a_standalone_document(tmp_path):
    parts = compile_together(tmp_path, {name: draw(load_example(name), "tex", standalone=True) for name in EXAMPLES})
    for name in EXAMPLES:
        pages, log = parts[name]
        assert pages == 1 and "Overfull" not in log, name      # one page a picture, nothing sticking out


@needs_tex
@pytest.mark.parametrize("theme", ["print", "dark"])
def test_themes_compile(tmp_path, theme):
    names = ["neuron", "minibatch_bce", "dense_cce"]
    parts = compile_together(tmp_path, {name: draw(load_example(name), "tex", standalone=True, theme=theme)
                                        for name in names})
    assert [parts[name][0] for name in names] == [1, 1, 1]


@needs_tex
def test_the_bare_picture_goes_into_a_document_that_loads_what_its_comment_asks(tmp_path):
    picture = draw(load_example("neuron"), "tex")
    assert picture.startswith("%") and r"\documentclass" not in picture
    needs = re.search(r"needs (\\usepackage\{[^}]*\}) and (\\usetikzlibrary\{[^}]*\})", picture)
    document = (r"\documentclass{article}" + needs.group(1) + needs.group(2) + r"\begin{document}"
                + "Figure:\n\n" + picture + r"\end{document}")
    compile_tex(tmp_path, document)


@needs_tex
def test_any_node_name_and_title_compile(tmp_path):
    g = gj.Graph('weird "title" & 50% #1 {x} \\ ~ ^ _ $ Σ ŷ')
    a = g.input('a<b & "c"', 2.0)
    b = g.param("naïve {x} 50% #1", 3.0)
    with g.group("Group_1 & {2}"):
        c = g.mul(a, b, name="x^2 \\ y_1 $z$")
    g.backward(c)
    compile_tex(tmp_path, draw(g, "tex", standalone=True))


@pytest.mark.parametrize("name", EXAMPLES)
def test_same_figure_same_bytes(name):
    first = draw(load_example(name), "tex", standalone=True)
    assert first == draw(load_example(name), "tex", standalone=True)


def test_labels_are_the_ops_latex_and_positions_are_graphviz_layout():
    g = load_example("neuron")
    text = draw(g, "tex")
    notes = g.annotate()
    z = notes.node("z")
    assert for_pdflatex(z.formula) in text                                  # z = x^T w + b, as LaTeX
    assert for_pdflatex(notes.edge("x", "z").equation) in text              # ∂J/∂x = ∂J/∂z · w^T
    figure = figure_for(g)
    layout = place(figure, SIZES).layout
    for node in figure.nodes:
        box = layout.nodes[node.id]
        assert f"({node.id}) at ({box.x:.2f},{box.y:.2f})" in text
        assert f"minimum width={box.width:.2f}pt" in text


def test_edges_styles_follow_direction_and_emphasis():
    g = load_example("neuron")
    figure = figure_for(g, highlight="z:a")
    text = draw(g, "tex", highlight="z:a")
    drawn = re.findall(r"\\draw\[(gj (?:forward|backward)[^\]]*)\]", text)
    forward = [e for e in figure.edges if e.direction == "forward"]
    backward = [e for e in figure.edges if e.direction == "backward"]
    assert sum(s.startswith("gj forward") for s in drawn) == len(forward) + 1      # + the legend's sample
    assert sum(s.startswith("gj backward") for s in drawn) == len(backward) + 1
    assert sum("gj emphasis" in s for s in drawn) == sum(e.emphasis for e in figure.edges) > 0


def test_groups_and_minibatch_ellipses_are_drawn():
    g = load_example("minibatch_bce")
    figure = figure_for(g)
    text = draw(g, "tex")
    assert text.count(r"\draw[gj group]") == len(figure.groups) > 0
    ellipses = [n for n in figure.nodes if n.role == "ellipsis"]
    assert len(ellipses) > 0 and all(f"({n.id}) at" in text for n in ellipses)
    assert text.count(r"\vdots") == len(ellipses)


@needs_tex
def test_folded_steps_draw_their_box_untitled_and_the_steps_under_their_ellipsis(tmp_path):
    """The folded steps' box has no title (the ⋯ says which steps it stands for): TikZ asked for
    that title's text and failed."""
    g = load_example("rnn_bptt")
    figure = figure_for(g, steps=1)
    text = draw(g, "tex", steps=1, standalone=True)
    assert text.count(r"\draw[gj group]") == len(figure.groups) == 4      # t = 1, t = 2's box, t = 3, Shared
    [line] = [line for line in text.splitlines() if "(nsteps) at" in line]
    assert r"\cdots" in line and "t = 2" in line and text.count("t = 2") == 1
    compile_tex(tmp_path, text)


def test_unicode_becomes_latex_commands():
    assert for_pdflatex("x − α (∇f)ᵀ") == r"x - \alpha(\nabla f) {}^{T}"
    assert for_pdflatex("ŷ x⃗ ℝ") == r"\hat{y} \vec{x} \mathbb{R}"
    assert for_pdflatex(r"\text{ŷ x⃗ ℝ}") == r"\text{\ensuremath{\hat{y}} \ensuremath{\vec{x}} \ensuremath{\mathbb{R}}}"
    assert all(ord(c) < 128 for c in draw(load_example("gradient_descent"), "tex"))


@needs_tex
@pytest.mark.parametrize("name", EXAMPLES)
def test_labels_as_pdflatex_sets_them_fit_the_room_the_layout_made(tmp_path, name):
    """TeX's own widths (in a 12 pt document: the picture sets its own sizes) against the boxes."""
    from graphjac.render.layout.geometry import texts
    from graphjac.render.writers.composer import EDGE_PAD
    from graphjac.render.writers.tikz import fonts
    FONTS = fonts(THEMES["lecture"])
    figure = figure_for(load_example(name))
    placed = place(figure, SIZES)
    lines = [(key, latex, role) for key, label in texts(figure).items() if not key.startswith("cluster")
             for latex, role in label]
    body = "".join(rf"\sbox0{{{FONTS[role]}$\displaystyle {for_pdflatex(latex)}$}}\typeout{{W:\the\wd0}}"
                   for _, latex, role in lines)
    log = compile_tex(tmp_path, r"\documentclass[12pt]{article}\usepackage{amsmath,amssymb}\begin{document}"
                      + body + r"widths measured\end{document}")
    widths = [float(w) for w in re.findall(r"W:([\d.]+)pt", log)]
    assert len(widths) == len(lines)
    for (key, latex, _), width in zip(lines, widths):
        room = (placed.layout.nodes[key].width if key in placed.layout.nodes
                else placed.marks[key].width + 2 * EDGE_PAD)
        assert width <= room, (key, latex, width, room)


def test_a_circuit_wires_rule_runs_from_its_incoming_edge_to_its_outgoing_one():
    tex = draw(load_example("cs231n_sigmoid"), "tex", style="circuit")
    point = r"\((-?[\d.]+),(-?[\d.]+)\)"
    rules = re.findall(r"\\draw\[gj forward, arrows=-\] " + point + " -- " + point + ";", tex)
    edges = [line for line in tex.splitlines() if line.startswith(r"\draw[gj forward") and "controls" in line]
    starts = {re.findall(point, line)[0] for line in edges}
    ends = {re.findall(point, line)[-1] for line in edges}
    wires = [n for n in figure_for(load_example("cs231n_sigmoid"), style="circuit").nodes if n.role == "wire"]
    assert len(rules) == len(wires) == 13                       # 12 wires (constants folded) and the output's
    assert all((x0, y0) in ends and (x1, y1) in starts for x0, y0, x1, y1 in rules)   # no gap at either side
