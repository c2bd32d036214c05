"""Typeset math: every formula the annotations produce is set, measured and drawable, with TeX's
spacing (tests/test_typesetter.py holds the typesetter to ziamath and the font reader to ziafont)."""

import sys
import xml.etree.ElementTree as ET
from functools import lru_cache

import pytest

from graphjac import GraphjacError
from graphjac.io.gallery import catalog
from graphjac.io.loaders import load_example
from graphjac.render.math.opentype import math_font
from graphjac.render.math.typeset import Label, formula, hoist_symbols

SVG = "{http://www.w3.org/2000/svg}"


def _annotation_latex():
    """Every node formula, symbol, space and edge equation/shape of every lecture example."""
    seen = {}
    for name in catalog():
        g = load_example(name)
        g.forward()
        if g.target is not None:
            g.backward(g.target)
        for style in ("arrow", "bold"):
            notes = g.annotate(vector_style=style)
            for n in notes.nodes:
                seen.update(dict.fromkeys(s for s in (n.symbol, n.formula, n.value_space) if s))
            for e in notes.edges:
                seen.update(dict.fromkeys(s for s in (e.symbol, e.equation, e.local, e.shape) if s))
    return list(seen)


ANNOTATIONS = _annotation_latex()


def _glyphs(latex, size=14):
    """(character drawn, left edge, right edge) of each glyph of the formula, left to right."""
    out = []
    for use in ET.fromstring(formula(latex, size).fragment).iter("use"):
        left = float(use.get("x"))
        out.append((_characters().get(int(use.get("href").removeprefix("#STIXTwoMath-"))), left,
                    left + float(use.get("width"))))
    return sorted(out, key=lambda g: g[1])


@lru_cache(maxsize=1)
def _characters():
    """glyph -> the character it (or its script-size form) draws, for the characters formulas use."""
    font, found = math_font(), {}
    for code in reversed(list(range(32, 0x2300)) + list(range(0x1D400, 0x1D800))):   # the lowest code wins
        plain = font.glyph_of(chr(code))
        if plain:
            found.update(dict.fromkeys((plain, font.script_glyph(plain, 1), font.script_glyph(plain, 2)), chr(code)))
    return found


def _gap(latex, left, right, size=14):
    """Ink space between the first glyph of ``left`` and the next glyph of ``right``, in ems."""
    glyphs = _glyphs(latex, size)
    k = next(k for k, g in enumerate(glyphs) if g[0] == left)
    following = next(g for g in glyphs[k + 1:] if g[0] == right)
    return (following[1] - glyphs[k][2]) / size


def test_the_examples_cover_the_constructs_annotations_use():
    text = " ".join(ANNOTATIONS)
    for construct in (r"\vec{", r"\hat{", r"\mathbb{R}", r"\begin{cases}", r"\sum_{i=1}^{N}", r"}}^{T}",
                      r"\frac{\partial", r"\log", r"\sigma", r"\mathbf{"):
        assert construct in text, construct


@pytest.mark.parametrize("latex", ANNOTATIONS)
def test_every_annotation_typesets_with_a_positive_size(latex):
    f = formula(latex, 14)
    assert f.width > 0 and f.height > 0


@pytest.mark.parametrize("latex", [r"\vec{x}", r"\hat{y}^{(i)}", r"\mathbb{R}^{1 \times 3}",
                                   r"\begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}",
                                   r"\sum_{i=1}^{N} J_{0}^{(i)}", r"{x^{(i)}}^{T} \vec{w}",
                                   r"\begin{bmatrix} 1 & -0.5 \\ 0.25 & 2 \end{bmatrix}",
                                   r"-6.68 \times 10^{-3}", r"(1, 2, 3, 4, \ldots, 9)"])
def test_constructs_draw_real_glyphs(latex):
    svg = ET.Element(f"{SVG}svg")
    formula(latex, 14).draw(svg, 0, 0)
    assert len(list(svg.iter("use"))) >= 2           # glyph outlines, not a text fallback


def test_measurements_follow_the_content():
    assert formula(r"\frac{\partial J}{\partial z}", 14).height > 1.8 * formula("J", 14).height
    assert formula("x + y + z", 14).width > formula("x + y", 14).width
    assert formula("x + y", 28).width == pytest.approx(2 * formula("x + y", 14).width, rel=0.02)
    assert formula(r"\sum_{i=1}^{N} x", 14).height > formula(r"x", 14).height * 2


def test_a_label_stacks_its_lines():
    top, bottom = (r"z = \vec{x}^{T} \vec{w} + b", 14), ("= -0.7", 11)
    label = Label.of([top, bottom])
    assert label.width == max(formula(*top).width, formula(*bottom).width)
    assert label.height > formula(*top).height + formula(*bottom).height


def test_minus_after_a_relation_or_an_opening_is_unary_as_in_tex():
    for unary, binary, right in (("J = -[y]", "y - [a]", "["), ("(1, -2)", "1 - 2", "2"),
                                 (r"\left(-x\right)", "y - x", "𝑥"), ("-2(y - a)", "1 - 2", "2")):
        spaced = _gap(binary, "\u2212", right) - _gap(unary, "\u2212", right)
        assert spaced == pytest.approx(4 / 18, abs=0.01), unary      # a sign has no medium space (4 mu) after it


def test_log_after_a_letter_gets_tex_thin_space():
    assert _gap(r"y \log a", "𝑦", "l") > 3 / 18 - 0.02 and _gap(r"y \log a", "g", "𝑎") > 3 / 18 - 0.02
    assert _gap(r"\log(x)", "g", "(") < 0.08                        # none before its argument's bracket
    assert formula(r"y \log a", 14).width > formula(r"y \mathrm{log} a", 14).width + 2 * 3 / 18 * 14 - 0.5


@pytest.mark.parametrize("accented", [r"\vec{x}", r"\vec{l}", r"\hat{y}", r"\vec{\hat{y}}"])
def test_a_superscript_on_an_accent_sits_beside_it_not_above_the_accent(accented):
    for sup in ("^{T}", "^{(i)}"):
        beside = max(formula(accented, 14).height, formula("y" + sup, 14).height)
        assert formula(accented + sup, 14).height <= beside + 0.5


def test_cases_columns_are_a_quad_apart_and_matrix_columns_as_far_as_tex_puts_them():
    assert _gap(r"\begin{cases} 1 & z \end{cases}", "1", "𝑧") >= 1.0 - 0.1      # a quad, less side bearings
    matrix = r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}"
    assert _gap(matrix, "1", "2", 10) >= 1.0 - 0.1 and _gap(matrix, "2", "3", 10) >= 1.0 - 0.1   # 2 × \arraycolsep


@pytest.mark.parametrize("text, shown", [
    (r"a<b \& c>d", "a<b & c>d"),
    (r"\{d\} \textbackslash{} \$5 \%x \#1 \_y \^{}z \~{}w", "{d} \\ $5 %x #1 _y ^z ~w"),
    (r'"quoted" (-1)', '"quoted" (-1)'), ("digraph { n0 -> n1 }", "digraph  n0 -> n1 ")])
def test_text_is_shown_literally(text, shown):
    assert "".join(g[0] for g in _glyphs(r"\text{" + text + "}")) == shown.replace(" ", "")


@pytest.mark.parametrize("text, scripted", [("xᵢ", r"\text{x}_{\text{i}}"), ("wᵀ", r"\text{w}^{\text{T}}"),
                                            ("J₀ per sample", r"\text{J}_{\text{0}}\text{ per sample}")])
def test_superscript_and_subscript_characters_in_text_become_real_scripts(text, scripted):
    """The font's own glyph where it has one (₀), else the letter set as a script (ᵢ, ᵀ)."""
    assert formula(r"\text{" + text + "}", 14).width == pytest.approx(formula(scripted, 14).width, abs=0.5)
    assert formula(r"\text{" + text + "}", 14).height == pytest.approx(formula(scripted, 14).height, abs=0.5)


def test_text_from_any_node_name_typesets():
    from graphjac.notation.symbols import Symbol
    for name in ['a<b & "c"', "x\\y {z}", "50% off #1", "naïve ü", "-> ; ]"]:
        latex = Symbol.from_name(name).latex()
        assert formula(latex, 14).width > 0, name


@pytest.mark.parametrize("bad", [r"\frac{a", "x^", r"\begin{cases} 1"])
def test_bad_latex_is_a_graphjac_error_naming_it(bad):
    with pytest.raises(GraphjacError, match="cannot typeset the LaTeX"):
        formula(bad, 14)


def test_hoisting_leaves_each_glyph_defined_once_and_every_use_resolved():
    svg = ET.Element(f"{SVG}svg")
    Label.of([(r"\frac{\partial J}{\partial z}", 14), (r"J = \frac{1}{N}", 11)]).draw(svg, 50, 50)
    formula(r"\frac{\partial J}{\partial a}", 12).draw(svg, 0, 100)
    hoist_symbols(svg)
    ids = [s.get("id") for s in svg.iter("symbol")]
    assert len(ids) == len(set(ids)) > 3
    assert svg[0].tag == f"{SVG}defs" and all(s in list(svg[0]) for s in svg.iter("symbol"))
    assert {u.get("href")[1:] for u in svg.iter("use")} <= set(ids)


def test_drawing_is_deterministic():
    def draw():
        svg = ET.Element(f"{SVG}svg")
        Label.of([(r"\frac{\partial J}{\partial \vec{x}} = \frac{\partial J}{\partial z} \cdot \vec{w}^{T}", 12)],
                 color="#c0392b").draw(svg, 10, 10)
        hoist_symbols(svg)
        return ET.tostring(svg)
    assert draw() == draw()
    assert b'fill="#c0392b"' in draw()


# --------------------------------------------------------------------- figures with typeset math

def _typeset_svg(name, **options):
    from graphjac.render import draw
    return draw(load_example(name), "svg", math="typeset", **options)


@pytest.mark.dot
@pytest.mark.parametrize("name", list(catalog()))
def test_every_example_typesets_as_svg_that_parses_and_repeats(name):
    text = _typeset_svg(name)
    svg = ET.fromstring(text.encode("utf-8"))
    assert text == _typeset_svg(name)
    texts = list(svg.iter(f"{SVG}text"))
    visible = [t.text for t in texts if t.text and t.text.strip("\xa0 ") and t.get("fill-opacity") != "0"]
    assert visible == []                                       # every label is drawn as outlines …
    assert texts and all(t.get("aria-hidden") == "true" for t in texts if t.get("fill-opacity") == "0")   # … and found by a search
    ids = [e.get("id") for e in svg.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    defined = {s.get("id") for s in svg.iter(f"{SVG}symbol")}
    assert {u.get("href")[1:] for u in svg.iter("use")} <= defined


@pytest.mark.dot
@pytest.mark.parametrize("name", ["neuron", "minibatch_bce", "dense_cce", "softmax_jacobian"])
def test_labels_fit_their_nodes_and_the_canvas(name):
    from graphjac.render import figure_for
    from graphjac.render.writers.composer import centre_of, place
    figure = figure_for(load_example(name))
    placed = place(figure)
    for node in figure.nodes:
        box, label = placed.layout.nodes[node.id], placed.marks[node.id]
        assert label.width <= box.width and label.height <= box.height, node.id
    svg = ET.fromstring(_typeset_svg(name).encode("utf-8"))
    vx, vy, vw, vh = (float(v) for v in svg.get("viewBox").split())
    pad = 0.2 * 72                                             # the figure's pad, as its DOT sets it
    for key, label in placed.marks.items():
        x, y = centre_of(placed.layout, key)
        left, top = x + pad - label.width / 2, placed.layout.height + pad - y - label.height / 2
        assert vx - 0.5 <= left and left + label.width <= vx + vw + 0.5, key
        assert vy - 0.5 <= top and top + label.height <= vy + vh + 0.5, key


@pytest.mark.dot
@pytest.mark.parametrize("name", list(catalog()))
def test_every_example_typesets_as_a_pdf_that_repeats(name):
    from graphjac.render import draw
    pdf = draw(load_example(name), "pdf", math="typeset")
    assert pdf.startswith(b"%PDF") and pdf == draw(load_example(name), "pdf", math="typeset")


@pytest.mark.dot
def test_png_is_converted_from_the_typeset_svg_at_the_asked_resolution_and_repeats():
    from graphjac.render import draw
    g = load_example("neuron")
    png = draw(g, "png", math="typeset", dpi=144)
    assert png.startswith(b"\x89PNG") and png == draw(load_example("neuron"), "png", math="typeset", dpi=144)
    svg = ET.fromstring(_typeset_svg("neuron").encode("utf-8"))
    width_pt = float(svg.get("width").removesuffix("pt"))
    width_px = int.from_bytes(png[16:20], "big")
    assert width_px == pytest.approx(width_pt * 144 / 72, abs=2)


@pytest.mark.dot
def test_a_label_that_cannot_be_read_names_its_node_and_one_the_font_lacks_still_draws(tmp_path):
    import graphjac as gj
    g = gj.Graph("bad")
    with pytest.raises(GraphjacError, match=r"input 'x': label: cannot read the LaTeX '\\\\frac\{a'"):
        g.input("x", 1.0, label=r"\frac{a")          # LaTeX that cannot be read: refused where it is given
    x = g.input("x", 1.0, label="\\text{\u4e00}")     # read; the math font has no glyph for it
    g.backward(g.mul(x, x, name="y"))
    g.render(tmp_path / "fig.svg", math="typeset")
    assert 'STIXTwoMath-0"' in (tmp_path / "fig.svg").read_text()     # the font's missing-glyph box


def test_the_canvas_grows_over_a_label_graphviz_left_outside_its_box():
    from graphjac.render.layout.geometry import parse_json
    from graphjac.render.writers.composer import _fit
    layout = parse_json('{"bb": "0,0,100,50", "objects": [{"_gvid": 0, "name": "n0", "pos": "95,45", '
                        '"width": "0.1", "height": "0.1"}], "edges": []}')
    svg = ET.Element(f"{SVG}svg", {"viewBox": "0.00 0.00 128.80 78.80", "width": "129pt", "height": "79pt"})
    _fit(svg, layout, {"n0": Label.of([(r"\frac{\partial J}{\partial z} = 1", 14)])})
    vx, vy, vw, vh = (float(v) for v in svg.get("viewBox").split())
    assert vw > 128.8 and vy < 0 and svg.get("width") == f"{vw:.0f}pt"


@pytest.mark.dot
def test_without_cairo_pdf_and_png_say_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "cairosvg", None)
    with pytest.raises(GraphjacError, match="install the Cairo library"):
        load_example("add").render(tmp_path / "fig.png", math="typeset")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.dot
@pytest.mark.parametrize("name", ["neuron", "softmax_jacobian", "cs231n_sigmoid"])
def test_glyphs_drawn_in_place_for_cairo_make_the_same_picture(name):
    import io

    import cairosvg
    import numpy as np
    from PIL import Image

    from graphjac.render import draw
    from graphjac.render.math.typeset import inline_symbols
    svg = draw(load_example(name), "svg", math="typeset")
    tree = ET.fromstring(svg)
    inline_symbols(tree)
    inlined = ET.tostring(tree, encoding="unicode")
    assert "<use" in svg and "use" not in {e.tag.split("}")[-1] for e in tree.iter()}
    pictures = [np.asarray(Image.open(io.BytesIO(cairosvg.svg2png(bytestring=text.encode(), dpi=96))).convert("L"),
                           dtype=int) for text in (svg, inlined)]
    assert pictures[0].shape == pictures[1].shape
    assert np.abs(pictures[0] - pictures[1]).max() <= 32 and (pictures[0] < 128).sum() > 1000   # the same ink


@pytest.mark.dot
def test_a_typeset_pdf_has_the_words_of_every_label_as_text(tmp_path):
    """The formulas are outlines; the PDF also carries their words as an (invisible) text layer,
    so a search, a copy or a screen reader finds them, as in the SVG."""
    import subprocess
    from graphjac.render import draw
    from graphjac.render.writers.accessible import unseen
    svg = ET.fromstring(_typeset_svg("neuron").encode("utf-8"))
    said = [element.text for element in svg.iter() if unseen(element)]
    (tmp_path / "neuron.pdf").write_bytes(draw(load_example("neuron"), "pdf", math="typeset"))
    text = subprocess.run(["pdftotext", tmp_path / "neuron.pdf", "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    fonts = subprocess.run(["pdffonts", tmp_path / "neuron.pdf"], capture_output=True, text=True,
                           timeout=60, check=True).stdout
    bare = "".join(text.split())          # pdftotext may drop a narrow space ("b→z")
    assert len(said) >= 10 and all("".join(words.split()) in bare for words in said), (said, text)
    assert "∂J/∂w⃗ = ∂J/∂z · x⃗ᵀ = (−0.69, −1.38, 0.69)" in text and len(fonts.splitlines()) > 2


def test_a_png_leaves_the_text_layer_out():
    from graphjac.render.writers.composer import for_cairo
    svg = _typeset_svg("neuron")
    assert b'fill-opacity="0"' not in for_cairo(svg, "png") and b'fill-opacity="0.004"' in for_cairo(svg, "pdf")


@pytest.mark.dot
@pytest.mark.parametrize("name", ["neuron", "rnn_bptt"])
def test_a_fit_figure_is_a_slide_however_large_its_drawing(name):
    """``--fit 16:9``'s figure is a 10-inch slide: its PNG is 1500 × 844 pixels at 150 dpi (the
    RNN's was 5410 × 3044, a small figure's smaller), and its PDF page 10 inches wide; an A4
    figure's page is A4's width."""
    import re
    from graphjac.render import draw
    png = draw(load_example(name), "png", fit="16:9", dpi=150)
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1500, 844)
    svg = draw(load_example(name), "svg", fit="a4")
    assert re.search(r'<svg[^>]* width="595pt" height="842pt"', svg)


@pytest.mark.dot
def test_librsvg_draws_the_png_cairosvg_would_and_cairosvg_draws_it_where_librsvg_is_missing(monkeypatch):
    """A PNG is drawn by librsvg's rsvg-convert where it is installed (scripts/install.sh installs
    it): the same picture as cairosvg's; without it, cairosvg draws it."""
    import io
    import shutil

    import numpy as np
    from PIL import Image

    from graphjac.render.writers import composer
    assert shutil.which(composer.RSVG), "rsvg-convert: bash scripts/install.sh installs it (librsvg2-bin)"
    svg = _typeset_svg("neuron")
    by_rsvg = composer.convert(svg, "png", 150)
    monkeypatch.setattr(composer, "RSVG", "no-such-program")
    by_cairo = composer.convert(svg, "png", 150)
    assert by_rsvg != by_cairo
    a, b = (np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float) for png in (by_rsvg, by_cairo))
    assert abs(a.shape[0] - b.shape[0]) <= 1 and abs(a.shape[1] - b.shape[1]) <= 1
    h, w = min(a.shape[0], b.shape[0]), min(a.shape[1], b.shape[1])
    assert np.abs(a[:h, :w] - b[:h, :w]).mean() < 2.0       # the same picture, antialiasing apart
