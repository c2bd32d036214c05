r"""``graphjac run``'s tables for lecture notes: Markdown (math as ``$…$``, as MyST, GitHub and
Jupyter render it) and LaTeX (a ``tabular`` per table, math as the ops' own LaTeX, rows tall
enough for a fraction, shrunk to the line where wider; needs amsmath, amssymb and graphicx).

>>> import graphjac as gj
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> print(markdown(g).splitlines()[4])
| x | input | $x \in \mathbb{R}$ | 3 | 2 |
"""

from __future__ import annotations

import re

import numpy as np

from graphjac.notation.mathtext import to_unicode
from graphjac.notation.report import Tables, number_text, precision_of, shown
from graphjac.notation.latex import for_pdflatex, text_for_pdflatex


def markdown(graph, precision=None) -> str:
    r"""The node and edge tables as Markdown pipe tables under a heading line.

    Whatever the names hold, a cell shows text, never markup: in text, every character that
    Markdown or HTML reads (``<``, ``|``, ``[``, ``*``, ``$``, …) is a character reference, and
    control characters are shown as escapes; in math, ``<``, ``>``, ``&`` and ``|`` become
    ``\lt``, ``\gt``, ``\&`` and ``\vert``, so that a renderer without math support passes no
    HTML through and no row is split.
    """
    precision = precision_of(graph, precision)
    tables = Tables(graph)
    lines = [_heading(tables, precision, _md_math, _md_text), ""]
    node_head, edge_head = tables.headers(to_unicode(tables.J))
    lines += _md_table(node_head, [(_md_text(name), _md_text(kind), _md_math(math), _md_number(value, precision),
                                    _md_number(grad, precision)) for name, kind, math, value, grad in tables.nodes])
    if tables.target is not None:
        rows = [(_md_text(f"{src} → {dst}"), _md_math(equation) if equation else f"{_md_math(symbol)}: no gradient",
                 _md_math(shape) if shape else "", _md_number(value, precision))
                for src, dst, equation, symbol, shape, value in tables.edges]
        lines += [""] + _md_table(edge_head, rows)
    return "\n".join(lines) + "\n"


def latex(graph, precision=None) -> str:
    """The node and edge tables as LaTeX ``tabular`` environments (math in ``$…$``)."""
    precision = precision_of(graph, precision)
    tables = Tables(graph)
    J = for_pdflatex(tables.J)
    parts = [_heading(tables, precision, lambda tex: f"${for_pdflatex(tex)}$", text_for_pdflatex) + "\n"]
    node_rows = [(text_for_pdflatex(name), text_for_pdflatex(kind), f"${for_pdflatex(math)}$",
                  _tex_number(value, precision), _tex_number(grad, precision))
                 for name, kind, math, value, grad in tables.nodes]
    parts.append(_tex_table(("node", "kind", "math", "value", rf"$\partial {J}/\partial\,\cdot$"), node_rows))
    if tables.target is not None:
        rows = [(text_for_pdflatex(src) + r" $\to$ " + text_for_pdflatex(dst),
                 f"${for_pdflatex(equation)}$" if equation else f"${for_pdflatex(symbol)}$: no gradient",
                 f"${for_pdflatex(shape)}$" if shape else "", _tex_number(value, precision))
                for src, dst, equation, symbol, shape, value in tables.edges]
        parts.append("\\par\\bigskip\n" + _tex_table(("edge", "chain rule", "in", "share"), rows))
    return "\n".join(parts)


def _heading(tables, precision, math, text):
    if tables.target is None:
        return text(f"{tables.name}: no loss J")
    return f"{text(tables.name)}: {math(tables.J + ' = ' + _plain(tables.target.value, precision))}"


def _plain(value, precision):
    return f"{float(value):.{precision}g}"


_MD_READS = "\\`*_{}[]()<>#!|~$&:@"     # characters Markdown, HTML or an autolink may act on within a line


def _md_text(text) -> str:
    r"""``text`` as Markdown that shows it as it is.

    >>> _md_text("<b>x</b> | [a](u) $y$")
    '&#60;b&#62;x&#60;/b&#62; &#124; &#91;a&#93;&#40;u&#41; &#36;y&#36;'
    """
    text = shown(str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " "))
    text = "".join(f"&#{ord(c)};" if c in _MD_READS else c for c in text)
    return re.sub(r"(?i)(www)\.", r"\1&#46;", text)


_MATH_SIGNS = {"<": r"\lt", ">": r"\gt", "&": r"\&", "|": r"\vert", "$": r"\$"}
_TEXT_SIGNS = {**_MATH_SIGNS, "[": r"\lbrack", "]": r"\rbrack", "*": r"\ast", "`": r"\grave{}"}   # no link, emphasis, code


def _md_math(tex: str) -> str:
    r"""``tex`` between dollars, with no character that Markdown, HTML or a table would act on:
    the signs ``< > & | $`` become math commands, and in a ``\text{…}`` (which is closed around
    them) so do ``[ ] * `` ` ``.

    >>> _md_math(r"\text{a<b} = |x|")
    '$\\text{a}\\lt\\text{b} = \\vert x\\vert $'
    """
    out, groups, i = [], [], 0   # groups: for each open brace, whether it opened a \text
    tex = tex.replace("\r", " ").replace("\n", " ")
    while i < len(tex):
        if tex.startswith("\\text{", i):
            out.append("\\text{")
            groups.append(True)
            i += 6
            continue
        c = tex[i]
        if c == "\\" and i + 1 < len(tex):
            out.append(tex[i:i + 2])
            i += 2
            continue
        if c == "{":
            groups.append(False)
        elif c == "}" and groups:
            groups.pop()
        in_text = bool(groups) and groups[-1]
        if c in (_TEXT_SIGNS if in_text else _MATH_SIGNS):
            sign = _TEXT_SIGNS[c]
            out.append("}" + sign + "\\text{" if in_text and c != "&" else sign + ("" if c in "&$`" else " "))
        else:
            out.append(c)
        i += 1
    return "$" + "".join(out) + "$"


def _md_number(value, precision):
    return "—" if value is None else "<br>".join(_md_text(line) for line in number_text(value, precision).split("\n"))


def _md_table(headers, rows):
    cells = [" | ".join(headers)] + [" | ".join("---" for _ in headers)] + [" | ".join(r) for r in rows]
    return [f"| {line} |" for line in cells]


def _tex_number(value, precision):
    """A number, or a vector or matrix as a bmatrix (long ones shortened as numpy prints them)."""
    if value is None:
        return "---"
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return f"${_tex_float(array, precision)}$"
    rows = array.reshape(1, -1) if array.ndim == 1 else array.reshape(array.shape[0], -1)
    rows = rows[:, :8] if rows.shape[1] > 8 else rows
    body = r" \\ ".join(" & ".join(_tex_float(x, precision) for x in row) for row in rows[:8])
    return rf"$\begin{{bmatrix}} {body} \end{{bmatrix}}$"


def _tex_float(x, precision):
    text = f"{float(x) + 0.0:.{precision}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}"
    return text


TEX_STRUT = r"\rule[-1.3ex]{0pt}{3.8ex}"   # a row holds a text-style fraction (∂J/∂x) clear of the rules and rows


def _tex_table(headers, rows):
    """A ``tabular`` whose rows are tall enough for a fraction (:data:`TEX_STRUT`, which leaves a
    matrix's own rows alone), shrunk to the line when wider (a long vector), never overflowing."""
    lines = [r"\noindent\resizebox{\ifdim\width>\linewidth\linewidth\else\width\fi}{!}{%",
             r"\begin{tabular}{" + "l" * len(headers) + "}", r"\hline",
             TEX_STRUT + " & ".join(headers) + r" \\", r"\hline"]
    lines += [TEX_STRUT + " & ".join(row) + r" \\" for row in rows]
    return "\n".join(lines + [r"\hline", r"\end{tabular}}"]) + "\n"
