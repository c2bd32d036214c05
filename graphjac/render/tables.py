r"""``graphjac run``'s tables for lecture notes: Markdown (math as ``$…$``, as MyST, GitHub and
Jupyter render it) and LaTeX (a ``tabular`` per table, math as the ops' own LaTeX; needs
amsmath and amssymb).

>>> import graphjac as gj
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> print(markdown(g).splitlines()[4])
| x | input | $x \in \mathbb{R}$ | 3 | 2 |
"""

from __future__ import annotations

import numpy as np

from ..mathtext import to_unicode
from ..report import Tables, number_text
from .latex import for_pdflatex, text_for_pdflatex


def markdown(graph, precision: int = 4) -> str:
    """The node and edge tables as Markdown pipe tables under a heading line."""
    tables = Tables(graph)
    lines = [_heading(tables, precision, lambda tex: f"${tex}$", _md_text), ""]
    node_head, edge_head = tables.headers(to_unicode(tables.J))
    lines += _md_table(node_head, [(_md_text(name), _md_text(kind), f"${math}$", _md_number(value, precision),
                                    _md_number(grad, precision)) for name, kind, math, value, grad in tables.nodes])
    if tables.target is not None:
        rows = [(_md_text(f"{src} → {dst}"), f"${equation}$" if equation else f"${symbol}$: no gradient",
                 f"${shape}$" if shape else "", _md_number(value, precision))
                for src, dst, equation, symbol, shape, value in tables.edges]
        lines += [""] + _md_table(edge_head, rows)
    return "\n".join(lines) + "\n"


def latex(graph, precision: int = 4) -> str:
    """The node and edge tables as LaTeX ``tabular`` environments (math in ``$…$``)."""
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
        parts.append(_tex_table(("edge", "chain rule", "in", "share"), rows))
    return "\n".join(parts)


def _heading(tables, precision, math, text):
    if tables.target is None:
        return text(f"{tables.name}: no loss J")
    return f"{text(tables.name)}: {math(tables.J + ' = ' + _plain(tables.target.value, precision))}"


def _plain(value, precision):
    return f"{float(value):.{precision}g}"


def _md_text(text):
    return str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ").replace("$", "\\$")


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


def _tex_table(headers, rows):
    lines = [r"\begin{tabular}{" + "l" * len(headers) + "}", r"\hline",
             " & ".join(headers) + r" \\", r"\hline"]
    lines += [" & ".join(row) + r" \\" for row in rows]
    return "\n".join(lines + [r"\hline", r"\end{tabular}"]) + "\n"
