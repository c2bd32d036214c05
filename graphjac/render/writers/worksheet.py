r"""Worksheets a lecturer prints: each graph's exercise sheet (the figure with numbered rules to
write on) and numbered questions on A4 pages, and an answer key laid out alike, with the
worked chain rule of every gradient blank. Typeset without TeX (graphjac's typesetter, then
cairo's PDF), or written as a LaTeX document with TikZ figures (:func:`worksheet_tex`) that a
lecturer edits and compiles with pdflatex.

The questions come from the figure and the notation layer: one per blank ("the value of z",
"∂J/∂w⃗ = ∂J/∂z · x⃗ᵀ"), then two about the whole graph — one element of a parameter's gradient
to compute from the values given, and which gradients are zero.

>>> import graphjac as gj
>>> sheet = questions(gj.load("lecture:neuron"))
>>> sheet[0]
('1', 'z = \\vec{x}^{T} \\vec{w} + b', 'z = \\vec{x}^{T} \\vec{w} + b = -0.8')
>>> sheet[5][2]        # the key's worked chain rule: ∂J/∂z times ∂z/∂x⃗
'\\frac{\\partial J}{\\partial \\vec{x}} = \\frac{\\partial J}{\\partial z} \\cdot \\vec{w}^{T} = -0.69 \\cdot (0.5, -0.3, 0.8) = (-0.345, 0.207, -0.552)'
>>> sheet[-1][1]
'\\text{which gradients of the inputs and parameters are zero?}'
"""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET

from graphjac.notation import exercises
from graphjac.notation.mathtext import to_unicode
from graphjac.notation.symbols import escape_text
from graphjac.render import figure_for
from graphjac.render.math.typeset import SVG_NS, formula, hoist_symbols
from graphjac.render.model.themes import THEMES
from graphjac.render.writers.accessible import say_unseen
from graphjac.render.writers.composer import centre_of, fixed_date, for_cairo, serialize, svg_tree

PAGE = (595.0, 842.0)          # A4, in points
MARGIN = 48.0
QUESTION_INDENT = 12.0
FIGURE_SHARE = 0.55   # of a page's room below its heading, the least a figure shares with its questions
PRINTED = 8.0         # points: a figure whose text would print smaller gets a page of its own (then more)
SEAM = 0.15           # of a figure's width: how far from its middle two pages may part it
SEAM_CLEAR = 4.0      # points a seam keeps from every node and label
SIZES = {"title": 20.0, "heading": 13.0, "question": 11.5}


def worksheet(graphs, title: str = "Backpropagation", text: str = "", answers: bool = False,
              precision: int = 3) -> bytes:
    """The PDF of ``graphs``' exercise sheets (``answers``: their key), a page a graph (and more
    pages for a graph whose questions do not fit on one)."""
    return _pdf(pages(graphs, title, text, answers, precision))


def pages(graphs, title: str = "Backpropagation", text: str = "", answers: bool = False, precision: int = 3) -> list:
    """The worksheet's pages as SVG text (a page's preview: ``composer.convert(page, "png")``)."""
    return [page for k, graph in enumerate(graphs)
            for page in _pages_of(graph, k, title if k == 0 else "", text if k == 0 else "", answers, precision)]


def questions(graph, precision: int = 3, figures=None) -> list:
    """``(number, what the blank asks, the key's answer)`` for every blank of the sheet, then
    the questions about the whole graph; all LaTeX. The key's answer to a gradient blank is its
    worked chain rule: the formula, the numbers it multiplies, the result."""
    figure = figures[0] if figures else _figure(graph, precision, False)
    return exercises.questions(graph, figure.blanks, precision)   # the figure lists its blanks: no LaTeX read here


def _figure(graph, precision, answers, fit=None, brief=False, direction=None):
    """The exercise figure (``answers``: the key's), laid out for a page shape ``fit``; ``brief``:
    ∂J/∂x alone on its edges and each blank a short rule (its formula and the rule to write on
    are in its question), numbered as the full figure's are, drawn in ``direction`` if given."""
    return figure_for(graph, blank="values,grads", answers=answers, precision=precision, math="typeset",
                      edge_labels=("symbol", "value") if brief else ("symbol", "formula", "value"), title="",
                      legend=False, fit=fit, short_blanks=brief, **({"direction": direction} if direction else {}))


# ------------------------------------------------------------------------------ pages

def _pages_of(graph, index, title, text, answers, precision) -> list:
    """A graph's A4 pages as SVG: heading, the figure scaled to fit, the numbered questions; those
    that do not fit under the figure run on over the next pages, each headed "(continued)". A
    figure whose questions would leave it less than :data:`FIGURE_SHARE` of the page, or whose
    text would print smaller than :data:`PRINTED` points, gets its first page to itself, its
    questions starting on the next; one cut in halves (:func:`_figure_room`) takes its first two
    pages, the questions starting under its right half."""
    heading = f"{'Answer key' if answers else 'Exercise'} {index + 1}: {graph.name}"
    page, y = _blank_page()
    if title:
        y = _line(page, rf"\text{{{escape_text(title)}}}", "title", y) + 4
    y = _line(page, rf"\text{{{escape_text(heading)}}}", "heading", y) + 4
    if text:
        y = _line(page, rf"\text{{{escape_text(text)}}}", "question", y) + 4
    asked = [rf"\text{{{number}.\ }} " + shown for number, shown in _asked(graph, answers, precision)]
    lines = [(latex, _set_line(latex, "question", QUESTION_INDENT)) for latex in asked]
    below = PAGE[1] - MARGIN - y
    room, drawings = _figure_room(graph, precision, answers, below, sum(line.height + 3 for _, line in lines) + 40)
    done = []
    if len(drawings) == 2:   # halves, on two pages side by side: the second headed "(continued)"
        scale = _halves_scale(drawings, room)
        _place_half(page, drawings[0], y, scale, left=True)
        page, y = _next_page(done, page, heading)
        y = _place_half(page, drawings[1], y, scale, left=False) + 12
    else:
        y = _place_figure(page, drawings[0], y, room) + 12
    if y + 30 > PAGE[1] - MARGIN:   # the figure took the page: the questions begin the next
        page, y = _next_page(done, page, heading)
    y = _line(page, rf"\text{{{_instruction(answers)}}}", "question", y) + 4
    for latex, line in lines:
        if y + line.height > PAGE[1] - MARGIN:
            page, y = _next_page(done, page, heading)
        y = _draw_line(page, latex, line, "question", y, QUESTION_INDENT) + 3
    return done + [_finished(page)]


def _figure_room(graph, precision, answers, below, questions_need) -> tuple:
    """(room, the figure's SVG drawings) for a page with ``below`` points under its heading: what
    the questions leave, unless that is under :data:`FIGURE_SHARE` of it or prints the figure's
    text under :data:`PRINTED` points; then all of it. A figure that prints smaller even so is
    drawn brief (:func:`_figure`), and if that is not enough, in two halves for two pages side
    by side (:func:`_halves`; an unrolled RNN): whichever prints the larger."""
    room = below - questions_need
    if room >= FIGURE_SHARE * below:
        figure = _figure(graph, precision, answers, fit=_shape(room))
        drawing, _ = svg_tree(figure)
        if _printed_text(drawing, room, figure.theme) >= PRINTED:
            return room, [drawing]
    figure = _figure(graph, precision, answers, fit=_shape(below))
    drawing, _ = svg_tree(figure)
    printed = _printed_text(drawing, below, figure.theme)
    if printed >= PRINTED:
        return below, [drawing]
    brief, _ = svg_tree(_figure(graph, precision, answers, fit=_shape(below), brief=True))
    printed, drawings = max((printed, [drawing]), (_printed_text(brief, below, figure.theme), [brief]),
                            key=lambda option: option[0])
    if printed >= PRINTED:
        return below, drawings
    halved = [_halves(*svg_tree(_figure(graph, precision, answers, fit=_shape(below, pages=2), brief=True,
                                        direction=direction))) for direction in ("BT", "LR")]
    halves = max((h for h in halved if h), key=lambda h: _halves_scale(h, below), default=None)
    if halves and _halves_scale(halves, below) * _smallest(figure.theme) > printed:
        return below, halves
    return below, drawings


def _next_page(done, page, heading) -> tuple:
    """``page`` finished into ``done``; (the next page, headed "… (continued)", the top of its text)."""
    done.append(_finished(page))
    page, y = _blank_page()
    return page, _line(page, rf"\text{{{escape_text(heading + ' (continued)')}}}", "heading", y) + 8


def _blank_page():
    """(an empty white A4 page as an SVG element, the top of its text)."""
    width, height = PAGE
    page = ET.Element(f"{{{SVG_NS}}}svg", {"width": f"{width}pt", "height": f"{height}pt",
                                            "viewBox": f"0 0 {width} {height}"})
    ET.SubElement(page, f"{{{SVG_NS}}}rect", {"width": str(width), "height": str(height), "fill": "white"})
    return page, MARGIN


def _finished(page) -> str:
    hoist_symbols(page)
    return serialize(page)


def _asked(graph, answers, precision) -> list:
    """``(number, LaTeX)`` of each question as the page shows it: on the sheet, a blank's formula
    with a numbered rule to write on (a question about the graph as it is asked); in the key, the
    answer."""
    figure = _figure(graph, precision, False)
    numbered = {blank.number for blank in figure.blanks}
    rule = r"\underline{\phantom{00000000}}"
    return [(number, answer if answers else question if number not in numbered
             else rf"{question} = {rule}_{{{number}}}") for number, question, answer in questions(graph, precision, (figure,))]


def _shape(room, pages=1) -> str:
    """The page shape (``fit``) of the figure: the text's width (of ``pages`` pages side by side)
    by ``room`` points of height."""
    return f"{int(pages * (PAGE[0] - 2 * MARGIN))}:{int(room)}"


def _instruction(answers) -> str:
    return "The answers, blank by blank:" if answers else "Fill in each numbered blank, then answer:"


def _line(page, latex, role, top, indent=0.0):
    """Typeset ``latex`` at ``top``; returns where the next line goes (shrunk to fit the width)."""
    return _draw_line(page, latex, _set_line(latex, role, indent), role, top, indent)


def _draw_line(page, latex, set_, role, top, indent=0.0):
    """The typeset line ``set_`` of ``latex`` drawn at ``top``, its words as invisible text over it
    (the PDF's text layer); returns where the next line goes."""
    set_.draw(page, MARGIN + indent, top)
    say_unseen(page, MARGIN + indent, top + 0.75 * set_.height, to_unicode(latex).strip(),
               size=0.75 * SIZES[role], anchor="start")
    return top + set_.height


def _set_line(latex, role, indent=0.0):
    """``latex`` typeset in its role's size, or smaller to fit the text's width less ``indent``."""
    size = SIZES[role]
    set_ = formula(latex, size)
    room = PAGE[0] - 2 * MARGIN - indent
    return set_ if set_.width <= room else formula(latex, max(6.0, size * room / set_.width))


def _printed_text(drawing, room, theme) -> float:
    """The smallest text of a figure's SVG ``drawing`` in ``theme``, in points, once
    :func:`_place_figure` scales it into ``room``."""
    _, scale = _scaled(drawing, room)
    return scale * _smallest(theme)


def _smallest(theme) -> float:
    return min(THEMES[theme].sizes[role] for role in ("node", "value", "edge"))


def _halves(drawing, placed):
    """The SVG ``drawing`` cut in two where a vertical line, within :data:`SEAM` of its width
    from the middle, runs :data:`SEAM_CLEAR` clear of every node and label (edges and group
    borders run across it), as two drawings that show its left and right parts; None when no
    line is clear."""
    x0, y0, width, height = (float(v) for v in drawing.get("viewBox").split())
    graph = drawing.find(f"{{{SVG_NS}}}g")
    shift = _translation(graph.get("transform", "") if graph is not None else "")
    busy = [(x - w / 2 + shift, x + w / 2 + shift) for x, w in _widths(placed)]
    middle = x0 + width / 2
    clear = [x for x in (middle + d for k in range(int(SEAM * width)) for d in (k, -k))
             if all(x < a - SEAM_CLEAR or x > b + SEAM_CLEAR for a, b in busy)]
    if not clear:
        return None
    seam = clear[0]
    halves = []
    for left, right in ((x0, seam), (seam, x0 + width)):
        half = copy.deepcopy(drawing)
        half.set("viewBox", f"{left:.2f} {y0:.2f} {right - left:.2f} {height:.2f}")
        halves.append(half)
    return halves


def _widths(placed) -> list:
    """(centre x, width) of every node and placed label of a :class:`.composer.Placed` layout."""
    out = [(node.x, node.width) for node in placed.layout.nodes.values()]
    for key, mark in placed.marks.items():
        centre = centre_of(placed.layout, key)
        if centre is not None:
            out.append((centre[0], mark.width))
    return out


def _translation(transform: str) -> float:
    """The x of the last ``translate(x y)`` in an SVG ``transform`` (Graphviz's graph group's)."""
    found = re.findall(r"translate\(\s*(-?[\d.]+)", transform)
    return float(found[-1]) if found else 0.0


def _halves_scale(halves, room) -> float:
    """The one scale that fits each of two halves into the text's width and ``room`` of height."""
    return min(_scaled(half, room)[1] for half in halves)


def _place_half(page, half, top, scale, left):
    """One half of a figure at ``top``, at ``scale``: the ``left`` half against the right margin,
    the right half against the left one, so that the two pages laid side by side join it up."""
    width = float(half.get("viewBox").split()[2]) * scale
    return _nest(page, half, PAGE[0] - MARGIN - width if left else MARGIN, top, scale)


def _scaled(drawing, room):
    """(viewBox, scale) of a figure's SVG drawn into the text's width and ``room`` of height."""
    box = [float(v) for v in drawing.get("viewBox").split()]
    return box, min((PAGE[0] - 2 * MARGIN) / box[2], room / box[3], 1.4)


def _place_figure(page, drawing, top, room):
    """A figure's SVG ``drawing`` nested at ``top``, scaled to the page's width and ``room`` of height."""
    box, scale = _scaled(drawing, room)
    return _nest(page, drawing, (PAGE[0] - box[2] * scale) / 2, top, scale)


def _nest(page, drawing, x, top, scale):
    """``drawing`` nested in ``page`` with its top left corner at (``x``, ``top``), at ``scale``;
    returns where the next thing goes."""
    box = [float(v) for v in drawing.get("viewBox").split()]
    width, height = box[2] * scale, box[3] * scale
    drawing.set("x", f"{x:.2f}")
    drawing.set("y", f"{top:.2f}")
    drawing.set("width", f"{width:.2f}")
    drawing.set("height", f"{height:.2f}")
    page.append(drawing)
    return top + height


def _pdf(pages) -> bytes:
    """The pages (SVG text) as one PDF, drawn page after page on one cairo surface."""
    import io

    import cairosvg
    from cairosvg.parser import Tree
    out = io.BytesIO()
    surface = cairosvg.surface.PDFSurface(Tree(bytestring=for_cairo(pages[0], "pdf")), out, 72)
    for page in pages[1:]:
        surface.cairo.show_page()
        surface.draw(Tree(bytestring=for_cairo(page, "pdf")))
    surface.finish()
    return fixed_date(out.getvalue())


# ------------------------------------------------------------------------------ LaTeX

TEX_PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
\usepackage[margin=17mm]{geometry}
\usepackage{amsmath,amssymb,multicol,tikz}
\usetikzlibrary{arrows.meta}
\pagestyle{empty}
\setlength{\parindent}{0pt}
\begin{document}
"""

TEX_ROW = 34.0          # points a question takes, display-style sums and fractions included
TEX_ONE_COLUMN = 10     # questions a page lists in one column (more go in two)


def worksheet_tex(graphs, title: str = "Backpropagation", text: str = "", answers: bool = False,
                  precision: int = 3) -> str:
    """The worksheet (``answers``: its key) as a LaTeX document for pdflatex, the same pages as
    :func:`worksheet` with each figure a TikZ picture: a lecturer edits the questions, adds their
    own, and compiles it with the rest of their course's sheets."""
    from graphjac.notation.latex import for_pdflatex, text_for_pdflatex
    out = [TEX_PREAMBLE]
    for index, graph in enumerate(graphs):
        if index:
            out.append("\\newpage\n")
        if title and not index:
            out.append(f"{{\\LARGE {text_for_pdflatex(title)}}}\\par\\medskip\n")
        out.append(f"{{\\large\\bfseries {'Answer key' if answers else 'Exercise'} {index + 1}: "
                   f"{text_for_pdflatex(graph.name)}}}\\par\\smallskip\n")
        if text and not index:
            out.append(f"{text_for_pdflatex(text)}\\par\\smallskip\n")
        asked = _asked(graph, answers, precision)
        columns = 2 if len(asked) > TEX_ONE_COLUMN else 1     # a long list in two columns: most graphs keep one page
        room = max(PAGE[1] - 2 * MARGIN - 60 - TEX_ROW * (-(-len(asked) // columns) + 1), 200.0)
        drawn, scale, printed = _tex_picture(graph, precision, answers, room)
        alone = printed < PRINTED   # too small beside its questions: a page of its own, then brief
        if alone:
            whole = PAGE[1] - 2 * MARGIN - 60
            drawn, scale, printed = _tex_picture(graph, precision, answers, whole)
            if printed < PRINTED:
                drawn, scale, printed = max((drawn, scale, printed), _tex_picture(graph, precision, answers, whole,
                                                                                  brief=True), key=lambda p: p[2])
        out.append(f"\\begin{{center}}\\scalebox{{{scale:.3f}}}{{%\n{drawn}}}\\end{{center}}\n"
                   + ("\\newpage\n" if alone else ""))
        out.append(f"{_instruction(answers)}\n" + ("\\begin{multicols}{2}\n" if columns == 2 else "")
                   + "\\begin{enumerate}\\setlength{\\itemsep}{3pt}\n")
        out += [f"\\item[{number}.] $\\displaystyle {for_pdflatex(shown)}$\n" for number, shown in asked]
        out.append("\\end{enumerate}\n" + ("\\end{multicols}\n" if columns == 2 else ""))
    return "".join(out) + "\\end{document}\n"


def _tex_picture(graph, precision, answers, room, brief=False) -> tuple:
    """(TikZ picture, scale, its smallest text as printed) of the figure (``brief``: :func:`_figure`'s)
    fitted into the text's width and ``room`` points of height."""
    from graphjac.render.writers.tikz import picture
    figure = _figure(graph, precision, answers, fit=_shape(room), brief=brief)
    drawn, layout = picture(figure)
    scale = min((PAGE[0] - 2 * MARGIN) / layout.width, room / layout.height, 1.4)
    return drawn, scale, scale * min(THEMES[figure.theme].tex_sizes[role] for role in ("node", "value", "edge"))


def compiled(tex: str, timeout: float = 120.0) -> bytes:
    """The PDF pdflatex makes of ``tex`` (a :func:`worksheet_tex` document), compiled in a
    folder of its own; a :class:`~graphjac.errors.RenderError` with TeX's own first error line
    when it fails or pdflatex is not installed."""
    import shutil
    import subprocess
    from pathlib import Path

    from graphjac.errors import RenderError
    from graphjac.io.fileio import temporary_folder
    from graphjac.render.layout.programs import run
    if shutil.which("pdflatex") is None:
        raise RenderError("pdflatex is not installed: install TeX Live (or MacTeX), or drop --tex to typeset "
                          "the worksheet without TeX")
    with temporary_folder("graphjac-sheet-") as folder:
        (Path(folder) / "sheet.tex").write_text(tex, encoding="utf-8")
        try:
            done = run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "sheet.tex"],
                       timeout=timeout, cwd=folder)
        except subprocess.TimeoutExpired:
            raise RenderError(f"pdflatex took more than {timeout:g} s on the worksheet") from None
        pdf = Path(folder) / "sheet.pdf"
        if done.returncode != 0 or not pdf.exists():
            log = done.stdout.decode("utf-8", "replace")
            error = next((line for line in log.splitlines() if line.startswith("!")), "no PDF was written")
            raise RenderError(f"pdflatex could not compile the worksheet: {error}")
        return pdf.read_bytes()
