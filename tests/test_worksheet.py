"""Worksheets: an A4 PDF of exercise sheets with numbered questions, and an answer key whose
numbers are the engine's (the worked chain rule multiplies the numbers it shows)."""

import os
import re
import shutil
import subprocess

import numpy as np
import pytest

import graphjac as gj
from graphjac.io import gallery
from graphjac.notation.mathtext import to_unicode
from graphjac.render.writers.worksheet import compiled, questions, worksheet, worksheet_tex
from latex import needs_tex
from test_cli import assert_clean_error, cli

SHEETS = ["lecture:neuron", "lecture:cs231n_sigmoid", "lecture:two_layer"]


def _pages(pdf, tmp_path, name):
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    info = subprocess.run(["pdfinfo", tmp_path / f"{name}.pdf"], capture_output=True, text=True, timeout=60).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1)), re.search(r"Page size:\s+(.*)", info).group(1)


@pytest.mark.skipif(shutil.which("pdfinfo") is None, reason="pdfinfo (poppler) reads the pages")
def test_a_sheet_and_its_key_have_a_page_per_figure_on_a4(tmp_path):
    graphs = [gj.load(spec) for spec in ("lecture:neuron", "lecture:product")]
    sheet, key = worksheet(graphs), worksheet(graphs, answers=True)
    assert _pages(sheet, tmp_path, "sheet") == (2, "595 x 842 pts (A4)")
    assert _pages(key, tmp_path, "key")[0] == 2
    assert worksheet([gj.load(spec) for spec in ("lecture:neuron", "lecture:product")]) == sheet   # the same bytes


def _question_tops(page):
    """The tops of the question lines drawn on a typeset page (they are indented: x = 60 pt)."""
    import xml.etree.ElementTree as ET
    tops = []
    for group in ET.fromstring(page).iter("{http://www.w3.org/2000/svg}g"):
        found = re.fullmatch(r"translate\(60\.000 ([\d.]+)\)", group.get("transform", ""))
        if found:
            tops.append(float(found.group(1)))
    return tops


def test_a_large_graphs_questions_run_on_over_pages_none_lost():
    from random_graphs import chain_graph
    from graphjac.render.writers.worksheet import MARGIN, PAGE, pages
    graph = chain_graph(1, length=20)             # a circuit of 20 gates: 52 questions (2 of them totals)
    asked = questions(graph)
    for answers in (False, True):
        drawn = pages([graph], answers=answers)
        tops = [_question_tops(page) for page in drawn]
        assert len(drawn) >= 2 and sum(map(len, tops)) == len(asked) == 52
        assert tops[0] == []                      # a figure with this many questions has its first page to itself
        assert all(top < PAGE[1] - MARGIN - 8 for page in tops for top in page)   # every line on its page


def test_a_small_graph_keeps_its_figure_and_questions_on_one_page():
    from graphjac.render.writers.worksheet import pages
    drawn = pages([gj.load("lecture:neuron")])
    assert len(drawn) == 1 and len(_question_tops(drawn[0])) == len(questions(gj.load("lecture:neuron")))


def test_the_sheet_holds_no_answer_and_asks_for_every_blank():
    graph = gj.load("lecture:neuron")
    asked = questions(graph)
    assert [number for number, _, _ in asked] == [str(k) for k in range(1, len(asked) + 1)]
    assert len(asked) == 8 + 2                                 # the 8 blanks of the figure, then two questions
    for number, question, _ in asked:
        assert not re.search(r"\d\.\d", question), question   # no number of the key in what is asked


def test_the_keys_numbers_are_the_engines():
    graph = gj.load("lecture:neuron")
    graph.backward(graph.target)
    answers = {number: to_unicode(answer) for number, _, answer in questions(graph)}
    assert answers["1"].endswith(f"= {graph.value('z'):.3g}".replace("-", "−"))
    assert answers["3"].endswith(f"= {float(graph.value('J')):.3g}")
    upstream, local = float(graph.grad("z")), graph.value("w")
    worked = answers["6"]                                      # ∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ, worked
    shown = [float(x.replace("−", "-")) for x in re.findall(r"−?\d+\.?\d*", worked.split("=", 2)[-1])]
    np.testing.assert_allclose(shown[:1], [upstream], rtol=5e-3)
    np.testing.assert_allclose(shown[1:4], local, rtol=5e-3)
    np.testing.assert_allclose(shown[4:7], upstream * local, rtol=5e-3)
    element = answers["9"]                                     # ∂J/∂w₂ from the values given
    assert element.endswith(f"{graph.grad('w')[1]:.3g}".replace("-", "−"))
    assert answers["10"] == "none"


def test_the_cli_writes_both_files_and_refuses_what_it_should(tmp_path):
    code, out, err = cli("sheet", "lecture:neuron", "lecture:product", "-o", tmp_path / "week.pdf")
    assert code == 0 and (tmp_path / "week.pdf").read_bytes().startswith(b"%PDF")
    assert (tmp_path / "week.key.pdf").read_bytes().startswith(b"%PDF") and "2 figures each" in err
    code, out, err = cli("sheet", "lecture:neuron", "-o", tmp_path / "week.svg")
    assert code == 2 and "the worksheet is a PDF" in err
    spec = tmp_path / "m.yaml"
    spec.write_text(gallery.spec_path("product").read_text())
    code, out, err = cli("sheet", spec, "-o", tmp_path / "s.pdf", "--key", spec)
    assert_clean_error(code, out, err, 2, "own input")
    assert spec.read_text() == gallery.spec_path("product").read_text() and not (tmp_path / "s.pdf").exists()


@needs_tex
def test_the_latex_worksheet_and_its_key_compile_to_a_page_a_graph(tmp_path):
    import math
    graphs = [gj.load(spec) for spec in SHEETS]
    sheet = compiled(worksheet_tex(graphs, "Week 3"))
    key = compiled(worksheet_tex(graphs[1:2], "Week 3", answers=True))    # the circuit's 21 answers
    # the neuron's page; the 21-blank circuit's and the two-layer network's figures, each on a page of
    # its own (beside their questions they printed at 7.6 and 5.6 pt), then their questions
    assert _pages(sheet, tmp_path, "sheet") == (5, "595.276 x 841.89 pts (A4)")
    assert _pages(key, tmp_path, "key")[0] == 2
    texts = {name: subprocess.run(["pdftotext", tmp_path / f"{name}.pdf", "-"], capture_output=True, text=True,
                                  timeout=60).stdout for name in ("sheet", "key")}
    f = 1 / (1 + math.exp(-(2 * -1 + -3 * -2 + -3)))          # CS231n's σ(w₀x₀ + w₁x₁ + w₂) at its numbers
    assert f"{f:.3g}" in texts["key"] and f"{f:.3g}" not in texts["sheet"]
    assert "Fill in each numbered blank" in texts["sheet"] and "The answers, blank by blank" in texts["key"]


def test_a_signal_stops_the_wait_for_pdflatex_at_once(tmp_path, monkeypatch):
    import time

    from signals import Stopped, signalled_from_another_thread
    slow = tmp_path / "pdflatex"
    slow.write_text("#!/bin/sh\nsleep 30\n")
    slow.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    with pytest.raises(Stopped), signalled_from_another_thread() as start:
        compiled(worksheet_tex([gj.load("lecture:neuron")], "Week 3"))
    assert time.monotonic() - start < 10      # not pdflatex's 30 s


def test_the_cli_writes_the_latex_documents_and_says_when_tex_is_missing(tmp_path, monkeypatch):
    code, out, err = cli("sheet", "lecture:neuron", "-o", tmp_path / "week.tex", "--title", "Week $3 \\input{x}")
    assert code == 0 and "wrote" in err
    tex = (tmp_path / "week.tex").read_text()
    assert tex.startswith("\\documentclass") and "\\input{x}" not in tex        # the title is text, not TeX
    assert "The answers, blank by blank" in (tmp_path / "week.key.tex").read_text()
    code, out, err = cli("sheet", "lecture:neuron", "-o", tmp_path / "w.pdf", "--key", tmp_path / "k.tex")
    assert code == 2 and "the key is written like the sheet; name it k.pdf" in err
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None if name == "pdflatex" else "/usr/bin/" + name)
    code, out, err = cli("sheet", "lecture:neuron", "-o", tmp_path / "w.pdf", "--tex")
    assert_clean_error(code, out, err, 1, "pdflatex is not installed")
    assert not (tmp_path / "w.pdf").exists()


def test_a_shared_weights_shares_and_total_are_each_asked():
    from graphjac.notation.mathtext import to_unicode
    asked = [to_unicode(q) for _, q, _ in questions(gj.load("lecture:rnn_bptt"))]
    assert sum("∂J/∂Wₓₕ⁽" in q and q.index("∂J/∂Wₓₕ⁽") == 0 for q in asked) == 3      # each step's share
    assert any(q.startswith("∂J/∂Wₓₕ = ∂J/∂Wₓₕ⁽¹⁾ + ∂J/∂Wₓₕ⁽²⁾ + ∂J/∂Wₓₕ⁽³⁾") for q in asked)   # and the total
    colah = [to_unicode(a) for _, _, a in questions(gj.load("lecture:colah"))]
    assert "∂e/∂b = ∂e/∂b⁽¹⁾ + ∂e/∂b⁽²⁾ = 5" in colah


def test_the_worksheet_asks_about_the_graphs_own_target():
    from graphjac.notation.mathtext import to_unicode
    g = gj.Graph("L")
    L = g.loss(g.activation(g.neuron(g.input("x", [1.0, 2.0]), g.param("w", [0.5, -0.3]), g.param("b", 0.1),
                                     name="z"), "sigmoid", name="a"), g.input("y", 1.0), "bce", name="L")
    g.target = L
    asked = [to_unicode(q) for _, q, _ in questions(g)]
    assert not any("∂J" in q for q in asked) and any("∂L/∂w₂" in q for q in asked), asked


@pytest.mark.parametrize("name", ["minibatch_mse", "minibatch_bce"])
def test_a_minibatch_figure_makes_a_worksheet_whose_key_holds_no_rule(name):
    """A minibatch figure with its samples folded into ⋮ (no lines of its own) is an exercise
    too (it was an IndexError), and every answer of its key is a number, never the sheet's rule."""
    graph = gj.load(f"lecture:{name}")
    asked = questions(graph)
    assert len(asked) >= 10
    for number, question, answer in asked:
        assert r"\underline" not in question + answer and "@" not in question + answer, (number, question, answer)
    assert worksheet([graph], answers=True).startswith(b"%PDF")


def test_a_typeset_sheet_and_key_have_their_words_as_text(tmp_path):
    """Every line of a page is outlines; its words are the PDF's text layer too (search, copy,
    screen readers): the heading, the instruction, each question and the key's answers."""
    import math
    sheet, key = worksheet([gj.load("lecture:neuron")], "Week 3", answers=False), \
        worksheet([gj.load("lecture:neuron")], "Week 3", answers=True)
    texts = {}
    for name, pdf in (("sheet", sheet), ("key", key)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        texts[name] = subprocess.run(["pdftotext", tmp_path / f"{name}.pdf", "-"], capture_output=True, text=True,
                                     timeout=60, check=True).stdout
    a = 1 / (1 + math.exp(-(1 * 0.5 + 2 * -0.3 + -1 * 0.8 + 0.1)))     # σ(x⃗ᵀw⃗ + b) at the spec's numbers
    for text in texts.values():
        assert "Week 3" in text and "neuron" in text and "z = x⃗ᵀw⃗ + b" in text
    assert "Fill in each numbered blank" in texts["sheet"] and f"a = σ(z) = {a:.2f}" not in texts["sheet"]
    assert "The answers, blank by blank" in texts["key"] and f"2. a = σ(z) = {a:.2f}" in texts["key"]


def _figures(page):
    """The figure drawings nested in a typeset page: (x, width, viewBox) of each."""
    import xml.etree.ElementTree as ET
    root = ET.fromstring(page)
    return [(float(svg.get("x")), float(svg.get("width")), [float(v) for v in svg.get("viewBox").split()])
            for svg in root.findall("{http://www.w3.org/2000/svg}svg")]


def test_an_unrolled_rnn_too_large_for_a_page_is_drawn_brief_in_halves_on_two_pages_side_by_side():
    """rnn_bptt's exercise figure, 2,914 pt wide, printed its text at 1.9 pt: drawn brief (∂J/∂x and
    a short rule on each edge, its formula in the question) and cut in two where no node or label
    is, its left half against the first page's right margin and its right half against the second
    page's left margin, at one scale: laid side by side the pages join it up, its text at 6.9 pt."""
    from graphjac.render.writers.worksheet import MARGIN, PAGE, pages
    graph = gj.load("lecture:rnn_bptt")
    for answers in (False, True):
        drawn = pages([graph], answers=answers)
        (left_x, left_width, left), = _figures(drawn[0])
        (right_x, right_width, right), = _figures(drawn[1])
        assert "backpropagation through time (continued)" in drawn[1]     # its heading, in the text layer
        assert left[0] + left[2] == pytest.approx(right[0]) and left[3] == right[3]      # one drawing, cut once
        scale = left_width / left[2]
        assert right_width / right[2] == pytest.approx(scale, rel=1e-4)    # widths and boxes written to 0.01 pt
        assert left_x + left_width == pytest.approx(PAGE[0] - MARGIN) and right_x == pytest.approx(MARGIN)
        assert scale * 11 > 6.5                    # the theme's smallest text (11 pt) as printed
        assert sum(map(len, (_question_tops(page) for page in drawn))) == len(questions(graph))


def test_a_figure_is_cut_only_where_no_node_or_label_is():
    import types
    import xml.etree.ElementTree as ET
    from graphjac.render.writers.worksheet import SEAM_CLEAR, _halves
    drawing = ET.fromstring('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 -10 400 100">'
                            '<g transform="scale(1 1) rotate(0) translate(4 96)"/></svg>')
    node = lambda x, w: types.SimpleNamespace(x=x, y=0.0, width=w, height=10.0)
    layout = types.SimpleNamespace(nodes={"a": node(150.0, 80.0), "b": node(236.0, 40.0)}, clusters={}, edges=())
    halves = _halves(drawing, types.SimpleNamespace(layout=layout, marks={}))
    seam = float(halves[1].get("viewBox").split()[0])
    assert [h.get("viewBox").split()[1:] for h in halves] == [["-10.00", f"{seam:.2f}", "100.00"],
                                                             ["-10.00", f"{400 - seam:.2f}", "100.00"]]
    assert 190 + 4 + SEAM_CLEAR < seam < 216 + 4 - SEAM_CLEAR       # between a (110…190) and b (216…256), shifted 4
    assert _halves(drawing, types.SimpleNamespace(layout=types.SimpleNamespace(
        nodes={"a": node(200.0, 300.0)}, clusters={}, edges=()), marks={})) is None   # nowhere clear near the middle


def test_the_brief_exercise_figure_numbers_its_blanks_as_the_full_one():
    from graphjac.render.writers.worksheet import _figure
    graph = gj.load("lecture:rnn_bptt")
    full, brief = _figure(graph, 3, False), _figure(graph, 3, False, brief=True)
    assert [(b.number, b.key, b.answer) for b in brief.blanks] == [(b.number, b.key, b.answer) for b in full.blanks]
    assert all(r"\underline{\phantom{0} \phantom{00}}_{" in line for n in brief.nodes for line in n.label
               if "underline" in line)


def test_a_latex_worksheet_figure_too_small_beside_its_questions_gets_a_page_then_is_drawn_brief():
    """The RNN's TikZ figure printed at 3.2 pt above its 47 questions: alone on its page it is
    drawn brief, the chain rule's formulas (⊙ (1 + h⃗)(1 − h⃗)) left to its questions."""
    tex = worksheet_tex([gj.load("lecture:rnn_bptt")])
    figure, _, questions_part = tex.partition("\\end{center}\n\\newpage\n")
    assert questions_part and "\\begin{enumerate}" in questions_part and "\\begin{enumerate}" not in figure
    assert "odot" not in figure and "odot" in questions_part
    assert float(re.search(r"\\scalebox\{([\d.]+)\}", figure).group(1)) * 9 > 4.5   # TeX's 9 pt labels, printed
