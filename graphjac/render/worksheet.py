r"""Worksheets a lecturer prints: each graph's exercise sheet (the figure with numbered rules to
write on) and numbered questions on A4 pages, and an answer key laid out alike, with the
worked chain rule of every gradient blank. Typeset without TeX (ziamath, then cairo's PDF).

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

import re
import xml.etree.ElementTree as ET

import numpy as np

from . import figure_for
from ..symbols import escape_text
from .composer import fixed_date, serialize, svg_tree
from .numbers import value as number_latex
from .typeset import SVG_NS, formula, hoist_symbols

PAGE = (595.0, 842.0)          # A4, in points
MARGIN = 48.0
SIZES = {"title": 20.0, "heading": 13.0, "question": 11.5}


def _rules(line: str):
    """``(what is on the rule, its number)`` for each numbered blank ``\\underline{…}_{k}`` of a line."""
    start = line.find(r"\underline{")
    while start >= 0:
        depth, k = 0, start + len(r"\underline")
        for k in range(k, len(line)):
            depth += {"{": 1, "}": -1}.get(line[k], 0)
            if depth == 0:
                break
        number = re.match(r"_\{(\d+)\}", line[k + 1:])
        if number:
            yield line[start + len(r"\underline{"):k], number.group(1)
        start = line.find(r"\underline{", k)


def worksheet(graphs, title: str = "Backpropagation", text: str = "", answers: bool = False,
              precision: int = 3) -> bytes:
    """The PDF of ``graphs``' exercise sheets (``answers``: their key), one page a graph."""
    return _pdf(pages(graphs, title, text, answers, precision))


def pages(graphs, title: str = "Backpropagation", text: str = "", answers: bool = False, precision: int = 3) -> list:
    """The worksheet's pages as SVG text (a page's preview: ``composer.convert(page, "png")``)."""
    return [_page(graph, k, title if k == 0 else "", text if k == 0 else "", answers, precision)
            for k, graph in enumerate(graphs)]


def questions(graph, precision: int = 3, figures=None) -> list:
    """``(number, what the blank asks, the key's answer)`` for every blank of the sheet, then
    the questions about the whole graph; all LaTeX. The key's answer to a gradient blank is its
    worked chain rule: the formula, the numbers it multiplies, the result."""
    sheet_figure, key_figure = figures or (_figure(graph, precision, False), _figure(graph, precision, True))
    sheet, keyed = _blanks(sheet_figure), _blanks(key_figure)
    out = []
    for (where, number, asked, _), (_, _, _, answer) in zip(sheet, keyed):
        answer = re.sub(r"\\phantom\{[^{}]*\}", "", answer).strip()
        out.append((number, asked, _worked(graph, key_figure, where, asked, answer, precision)))
    return out + _about(graph, precision, len(out))


def _figure(graph, precision, answers, fit=None):
    """The exercise figure (``answers``: the key's), laid out for a page shape ``fit``."""
    return figure_for(graph, blank="values,grads", answers=answers, precision=precision, math="typeset",
                      edge_labels=("symbol", "formula", "value"), title="", legend=False, fit=fit)


def _blanks(figure):
    """(figure id, number, the label's formula, what the blank holds) for every blank, in number order."""
    found = []
    labels = [(n.id, n.label) for n in figure.nodes] + [(f"e{k}", e.label) for k, e in enumerate(figure.edges)]
    for key, label in labels:
        for line in label:
            for held, number in _rules(line):
                found.append((key, number, label[0], held))
    return sorted(found, key=lambda item: int(item[1]))


def _worked(graph, figure, where, asked, answer, precision):
    """The key's answer: the formula and its value; for a gradient of unbatched nodes, with the
    numbers of the chain rule: ∂J/∂(the op) times the local Jacobian (numerator layout)."""
    if not where.startswith("e"):
        return f"{asked} = {answer}"
    edge = figure.edges[int(where[1:])]
    names = {n.id: n.name for n in figure.nodes}
    op, operand = names.get(edge.src), names.get(edge.dst)
    if op is None or operand is None or graph.record(op).batch or graph.record(operand).batch:
        return f"{asked} = {answer}"
    upstream, local = graph.grad(op), np.asarray(graph.jacobian(op, operand))
    if upstream is None or local.size > 36:
        return f"{asked} = {answer}"
    local = local.reshape(()) if local.size == 1 else local.reshape(-1) if 1 in local.shape else local
    return (f"{asked} = {number_latex(np.asarray(upstream), precision)} \\cdot "
            f"{number_latex(np.asarray(local), precision)} = {answer}")


def _about(graph, precision, count):
    """Questions about the whole graph: one gradient element from the values given, and which
    gradients are zero."""
    notes = graph.annotate()
    params = [n for n in notes.nodes if n.kind == "param" and graph.grad(n.name) is not None]
    out = []
    vector = next((n for n in params if np.ndim(graph.grad(n.name)) == 1 and np.size(graph.grad(n.name)) >= 2), None)
    if vector is not None:
        base = re.sub(r"\\vec\{(\w)\}", r"\1", vector.symbol)
        indexed = re.fullmatch(r"(.*)_\{(.*)\}", base)
        element = f"{indexed.group(1)}_{{{indexed.group(2)},2}}" if indexed else f"{base}_{{2}}"
        value = float(graph.grad(vector.name)[1])
        out.append((str(count + 1), rf"\text{{from the values given, compute }} \frac{{\partial J}}{{\partial {element}}}",
                    rf"\frac{{\partial J}}{{\partial {element}}} = {number_latex(np.asarray(value), precision)}"))
    zero = [n.symbol for n in notes.nodes if n.kind in ("param", "input") and graph.grad(n.name) is not None
            and not np.any(graph.grad(n.name))]
    said = ", ".join(rf"\frac{{\partial J}}{{\partial {s}}}" for s in zero) if zero else r"\text{none}"
    out.append((str(count + len(out) + 1), r"\text{which gradients of the inputs and parameters are zero?}", said))
    return out


# ------------------------------------------------------------------------------ pages

def _page(graph, index, title, text, answers, precision):
    """One A4 page as SVG: heading, the figure scaled to fit, the numbered questions."""
    width, height = PAGE
    page = ET.Element(f"{{{SVG_NS}}}svg", {"width": f"{width}pt", "height": f"{height}pt",
                                            "viewBox": f"0 0 {width} {height}"})
    ET.SubElement(page, f"{{{SVG_NS}}}rect", {"width": str(width), "height": str(height), "fill": "white"})
    y = MARGIN
    if title:
        y = _line(page, rf"\text{{{escape_text(title)}}}", "title", y) + 4
    heading = f"{'Answer key' if answers else 'Exercise'} {index + 1}: {graph.name}"
    y = _line(page, rf"\text{{{escape_text(heading)}}}", "heading", y) + 4
    if text:
        y = _line(page, rf"\text{{{escape_text(text)}}}", "question", y) + 4
    figures = (_figure(graph, precision, False), _figure(graph, precision, True))
    asked = questions(graph, precision, figures)
    numbered = {number for _, number, _, _ in _blanks(figures[0])}
    room = max(height - MARGIN - y - 27 * (len(asked) + 1), 200.0)
    shape = f"{int(width - 2 * MARGIN)}:{int(room)}"          # the figure laid out for the room it has
    y = _place_figure(page, _figure(graph, precision, answers, fit=shape), y, room) + 12
    instruction = "The answers, blank by blank:" if answers else "Fill in each numbered blank, then answer:"
    y = _line(page, rf"\text{{{instruction}}}", "question", y) + 4
    for number, question, answer in asked:
        shown = answer if answers else (question if number not in numbered else rf"{question} = \underline{{\phantom{{00000000}}}}_{{{number}}}")
        y = _line(page, rf"\text{{{number}.\ }} " + shown, "question", y, indent=12) + 3
    hoist_symbols(page)
    return serialize(page)


def _line(page, latex, role, top, indent=0.0):
    """Typeset ``latex`` at ``top``; returns where the next line goes (shrunk to fit the width)."""
    size = SIZES[role]
    set_ = formula(latex, size)
    room = PAGE[0] - 2 * MARGIN - indent
    if set_.width > room:
        set_ = formula(latex, max(6.0, size * room / set_.width))
    set_.draw(page, MARGIN + indent, top)
    return top + set_.height


def _place_figure(page, figure, top, room):
    """The figure's SVG nested at ``top``, scaled to the page's width and ``room`` of height."""
    drawing, _ = svg_tree(figure)
    box = [float(v) for v in drawing.get("viewBox").split()]
    scale = min((PAGE[0] - 2 * MARGIN) / box[2], room / box[3], 1.4)
    width, height = box[2] * scale, box[3] * scale
    drawing.set("x", f"{(PAGE[0] - width) / 2:.2f}")
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
    surface = cairosvg.surface.PDFSurface(Tree(bytestring=pages[0].encode("utf-8")), out, 72)
    for page in pages[1:]:
        surface.cairo.show_page()
        surface.draw(Tree(bytestring=page.encode("utf-8")))
    surface.finish()
    return fixed_date(out.getvalue())
