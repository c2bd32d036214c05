"""The math-text layer: the ops' LaTeX as Unicode and as Graphviz HTML-like labels."""

import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import graphjac as gj
from graphjac.notation.mathtext import MathTextError, parse, to_unicode
from graphjac.render.layout.html_labels import to_html

# The lecture's formulas, written out by hand as the lecture prints them.
LECTURE = [
    (r"z = \vec{x}^{T} \vec{w} + b", "z = x⃗ᵀw⃗ + b"),
    (r"\frac{\partial J}{\partial \vec{x}} = \frac{\partial J}{\partial z} \cdot \vec{w}^{T}", "∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ"),
    (r"J = \frac{1}{N} \sum_{i=1}^{N} J_{0}^{(i)}", "J = 1/N Σᵢ₌₁ᴺ J₀⁽ⁱ⁾"),
    (r"J = -[y \log a + (1 - y) \log(1 - a)]", "J = −[y log a + (1 − y) log(1 − a)]"),
    (r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}", "(ŷ − y)/(ŷ(1 − ŷ))"),
    (r"\frac{\partial J}{\partial \vec{x}} \in \mathbb{R}^{1 \times n}", "∂J/∂x⃗ ∈ ℝ¹ˣⁿ"),
    (r"a = \sigma(z)", "a = σ(z)"),
    (r"(1 + a)(1 - a)", "(1 + a)(1 − a)"),
    (r"\vec{x} := \vec{x} - \alpha (\nabla_{x} f)^{T}", "x⃗ := x⃗ − α(∇ₓf)ᵀ"),
    (r"p_{j}(\delta_{jk} - p_{k})", "pⱼ(δⱼₖ − pₖ)"),
    (r"{x^{(i)}}^{T}", "x⁽ⁱ⁾ᵀ"),
    (r"-\frac{y_{\alpha}}{\hat{y}_{\alpha}}", "−y_α/ŷ_α"),
    (r"\begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}", "{1 if z ≥ 0; 0 if z < 0}"),
    (r"\left(-\frac{y_{k}}{p_{k}}\right)", "(−yₖ/pₖ)"),
    (r"\mathbf{x}^{T} \mathbf{w}", "𝒙ᵀ𝒘"),
    (r"\mathrm{softmax}(\vec{l})", "softmax(l⃗)"),
    (r"\tanh(z) \le 1", "tanh(z) ≤ 1"),
    (r"\text{a_b & c} \, x", "a_b & c\u2009x"),
]


@pytest.mark.parametrize("latex, expected", LECTURE)
def test_unicode_reads_like_the_lecture(latex, expected):
    assert to_unicode(latex) == expected


def test_vector_arrow_sits_inside_the_letters_italic_run():
    assert to_html(r"\vec{x}") == "<I>x&#8407;</I>"
    assert to_html(r"\vec{\hat{y}}^{(i)}") == "<I>&#375;&#8407;</I><SUP>(<I>i</I>)</SUP>"


def test_letters_italic_digits_and_operators_upright():
    assert to_html(r"2 x + 1") == "2<I>x</I> + 1"
    assert to_html(r"\sigma(z)") == "&#963;(<I>z</I>)"
    assert to_html(r"\log a") == "log&#8201;<I>a</I>"


def test_scripts_nest_and_transpose_is_upright():
    assert to_html(r"J_{0}^{(i)}") == "<I>J</I><SUB>0</SUB><SUP>(<I>i</I>)</SUP>"
    assert to_html(r"x^{a_{k}}") == "<I>x</I><SUP><I>a</I><SUB><I>k</I></SUB></SUP>"
    assert to_html(r"w^{T}") == "<I>w</I><SUP>T</SUP>"


def test_markup_characters_are_escaped():
    assert to_html(r"\text{<b> & \"q\" 'a'}") == "&lt;b&gt; &amp; &quot;q&quot; &#39;a&#39;"
    assert to_html(r"a < b > c") == "<I>a</I> &lt; <I>b</I> &gt; <I>c</I>"
    # a backslash is followed by a zero-width space, so that Graphviz reads no \N or \G in it
    assert to_html(r"\text{x\textbackslash{}y \& z \_ \{}") == "x\\&#8203;y &amp; z _ {"


def test_fractions_get_parentheses_only_where_needed():
    assert to_unicode(r"\frac{1}{N}") == "1/N"
    assert to_unicode(r"\frac{\partial J}{\partial z}") == "∂J/∂z"
    assert to_unicode(r"\frac{a + b}{2}") == "(a + b)/2"
    assert to_unicode(r"\frac{2}{a b}") == "2/(ab)"


def test_fractions_that_would_need_parentheses_are_stacked_in_labels():
    html = to_html(r"\frac{\partial J}{\partial a} = \frac{a - y}{a(1 - a)}")
    assert html.startswith("<TABLE") and 'SIDES="T"' in html                   # the fraction bar
    assert "<TD><I>a</I> &#8722; <I>y</I></TD>" in html and "(1 &#8722; <I>a</I>)" in html
    assert "&#8706;<I>J</I>/&#8706;<I>a</I> = </TD>" in html                    # ∂J/∂a stays inline
    assert not to_html(r"\frac{1}{N} \frac{\partial J}{\partial z}").startswith("<TABLE")


def test_unary_minus_is_not_spaced_like_subtraction():
    assert to_unicode("-x - y") == "−x − y"
    assert to_unicode(r"a = -\sum_{k} b_{k}") == "a = −Σₖ bₖ"


def test_matrices_and_cases_become_tables():
    html = to_html(r"W = \begin{bmatrix} 1 & -2 \\ 3 & 4 \end{bmatrix}")
    assert html.startswith("<TABLE") and html.count("<TR>") == 3   # the outer row + two matrix rows
    assert "&#8722;2" in html and 'SIDES="LTB"' in html and 'SIDES="RTB"' in html
    assert to_unicode(r"\begin{pmatrix} 1 & 2 \end{pmatrix}") == "(1 2)"


@pytest.mark.parametrize("bad", [r"\frac{a}{b", r"x^", r"\begin{bmatrix} 1", r"\nosuchcommand", r"a & b",
                                 r"\begin{tabular} x \end{tabular}", r"\text x"])
def test_unreadable_latex_is_a_graphjac_error_quoting_the_source(bad):
    with pytest.raises(MathTextError) as info:
        parse(bad)
    assert isinstance(info.value, gj.GraphjacError)
    assert repr(bad) in str(info.value)


def _graphs():
    """Graphs using every op, so that every template the ops write passes through."""
    g = gj.Graph("all ops")
    x = g.input("x", [1.0, 2.0, -1.0])
    y = g.input("y", 0.5)
    u = g.add(g.sub(g.mul(x, x), x), 1.0, name="u")
    v = g.pow(g.square(u), 1.5, name="v")
    s = g.sum(v, name="s")
    d = g.dot(x, u, name="d")
    m = g.mean(x, name="m")
    z = g.neuron(x, g.param("w", [0.1, 0.2, 0.3]), g.param("b", 0.0), name="z")
    a = g.activation(z, "tanh", name="a")
    r = g.activation(a, "relu", name="r")
    h = g.activation(r, "sigmoid", name="h")
    total = g.add(g.add(g.loss(h, y, "bce", name="Jb"), g.loss(a, y, "mse"), name="t1"),
                  g.add(s, g.add(d, m)), name="J")
    g.backward(total)
    yield g
    k = gj.Graph("softmax")
    X = k.input("X", np.eye(3)[:2], batch=True)
    Y = k.input("Y", [0.0, 2.0], batch=True)
    logits = k.dense(X, k.param("W", np.ones((3, 3))), k.param("B", np.zeros(3)), name="l")
    p = k.activation(logits, "softmax", name="p")
    k.backward(k.mean(k.loss(p, Y, "cce", name="J0"), name="J"))
    yield k


def test_every_formula_the_ops_write_can_be_read():
    for g in _graphs():
        notes = g.annotate()
        for latex in [n.formula for n in notes.nodes] + [n.symbol for n in notes.nodes] + \
                [t for e in notes.edges for t in (e.symbol, e.formula, e.local, e.shape)]:
            if latex is not None:
                assert to_unicode(latex) and to_html(latex)


@pytest.mark.dot
def test_graphviz_sets_every_construct(tmp_path):
    """dot accepts the markup and draws the characters we meant (read back from the SVG)."""
    assert shutil.which("dot"), "Graphviz's dot is needed for this test"
    formulas = [latex for latex, _ in LECTURE] + [r"W = \begin{bmatrix} 1 & -2 \\ 3 & 4 \end{bmatrix}"]
    nodes = "\n".join(f"n{i} [label=<{to_html(f)}>];" for i, f in enumerate(formulas))
    done = subprocess.run(["dot", "-Tsvg"], input=f"digraph {{ {nodes} }}".encode(), capture_output=True,
                          check=True)
    assert b"Warning" not in done.stderr and b"Error" not in done.stderr, done.stderr
    texts = ["".join(t.itertext()) for t in ET.fromstring(done.stdout).iter("{http://www.w3.org/2000/svg}text")]
    joined = " ".join(texts)
    for expected in ("x⃗", "∂", "Σ", "σ", "ℝ", "−", "·", "≥", "ŷ", "δ", "(", "a_b & c"):
        assert expected in joined, expected


@pytest.mark.parametrize("precision", [1, 3, 6])
def test_number_lines_are_written_as_their_formulas_would_be(precision):
    from graphjac.notation.numbers import number
    from graphjac.render.layout import html_labels
    rng = np.random.default_rng(precision)
    values = np.concatenate([rng.normal(size=200) * 10.0 ** rng.integers(-9, 9, 200), [0.0, -0.0, 1.0, -1e-5, 1e6]])
    lines = [number(v, precision) for v in values]
    lines += ["= " + line for line in lines] + [number(v, precision, scientific=True) for v in values[:50]]
    for line in lines:
        assert html_labels._NUMBER.fullmatch(line), line      # every number line takes the short way …
        assert to_html(line) == html_labels._formula_html(line), line   # … to the same markup


_LEAVES = ["x", "y", "J", "W", r"\mathrm{add}", r"\mathrm{mean}", r"\alpha", r"\partial J", "2", r"\vec{x}",
           r"\hat{y}", r"\mathbf{w}", r"\mathbb{R}", r"\text{a_{1}}", r"\text{x_{12} & y}"]


def _random_formula(rng, depth=0):
    """A formula of the constructs the ops and users write, most atoms with a numeric subscript."""
    parts = [_random_atom(rng, depth)]
    for _ in range(int(rng.integers(0, 4 if depth == 0 else 2))):
        parts += [str(rng.choice(["=", "+", "-", r"\cdot", r"\odot", ","])), _random_atom(rng, depth)]
    return " ".join(parts)


def _random_atom(rng, depth):
    kind = int(rng.choice(6, p=[0.55, 0.1, 0.15, 0.04, 0.04, 0.12])) if depth < 2 else 0
    if kind == 1:
        return "(" + _random_formula(rng, depth + 1) + ")"
    if kind == 2:
        text = r"\frac{" + _random_formula(rng, depth + 1) + "}{" + _random_formula(rng, depth + 1) + "}"
    elif kind == 3:
        text = r"\phantom{" + _random_formula(rng, depth + 1) + "}"
    elif kind == 4:
        text = r"\begin{bmatrix} " + _random_formula(rng, 2) + r" & 1 \\ 2 & x_{3} \end{bmatrix}"
    elif kind == 5:
        text = "{" + _random_formula(rng, depth + 1) + "}"
    else:
        text = str(rng.choice(_LEAVES))
    if rng.random() < 0.6:
        text += "_{" + str(rng.integers(0, 10 ** int(rng.integers(1, 4)))) + "}"
    if rng.random() < 0.2:
        text += "^{" + str(rng.choice(["T", "2", "(i)", "x_{7}"])) + "}"
    return text


def test_numbered_subscripts_are_set_as_the_formula_would_be():
    """Formulas with numeric subscripts take their markup from their shape's: the same markup,
    digit for digit, as reading each formula whole."""
    from graphjac.render.layout import html_labels
    rng = np.random.default_rng(7)
    formulas = [_random_formula(rng) for _ in range(3000)]
    shortcut = 0
    for latex in formulas:
        try:
            whole = html_labels._formula_html(latex)
        except MathTextError:
            continue
        shortcut += html_labels._indexed_html(latex) is not None
        assert to_html(latex) == whole, latex
    assert shortcut > 1000   # the shortcut is what is tested (1,390 of the 3,000)
