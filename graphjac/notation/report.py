"""A graph as terminal tables: every node's value and ∂J/∂node, every edge's share of ∂J/∂·.

The math is the annotations' LaTeX written as Unicode (x⃗, J₀⁽ⁱ⁾, ∂J/∂z · w⃗ᵀ):

>>> import graphjac as gj
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> print(report(g))
product: z = 6
<BLANKLINE>
node  kind   math     value  ∂z/∂node
x     input  x ∈ ℝ    3      2
y     input  y ∈ ℝ    2      3
z     mul    z = x y  6      1
<BLANKLINE>
edge   ∂z/∂· through the edge (chain rule)  in  share
x → z  ∂z/∂x = y                            ℝ   2
y → z  ∂z/∂y = x                            ℝ   3
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from graphjac.notation.mathtext import to_unicode


def number_text(value, precision: int = 4) -> str:
    """A value with ``precision`` significant digits, a matrix one row per line; None is —.

    >>> print(number_text(np.array([[1.0, -2.5], [3.0, 40.0]])))
    [[   1 −2.5]
     [   3   40]]
    >>> number_text(np.arange(30.0))
    '[ 0  1  2  … 27 28 29]'
    """
    if value is None:
        return "—"
    array = np.asarray(value, dtype=float)

    def one(x):
        return re.sub(r"^-", "−", f"{x + 0.0:.{precision}g}")   # + 0.0 turns −0 into 0
    cell = max(len(one(x)) for x in array.flat)
    text = np.array2string(array, threshold=12, edgeitems=3, max_line_width=10**6,
                           formatter={"float_kind": lambda x: one(x).rjust(cell)})
    return text.replace("...", "…".rjust(cell))


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (combining marks such as the arrow of x⃗ take none)."""
    return sum(0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
               for c in text)


def shown(text: str) -> str:
    r"""``text`` safe for a terminal: control and format characters (ESC, BEL, NUL, RTL marks)
    and lone surrogates as escapes, so that a name can never drive the terminal.

    >>> print(shown("x\x1b[31m"), shown("a\u200fb"))
    x\x1b[31m a\u200fb
    """
    return "".join(c if unicodedata.category(c) not in ("Cc", "Cf", "Cs") or c == "\n"
                   else (f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}") for c in text)


def table(headers, rows) -> str:
    """Rows of cells as aligned columns; a cell may span several lines."""
    cells = [[shown(cell).split("\n") for cell in row] for row in [headers, *rows]]
    widths = [max(width(line) for row in cells for line in row[k]) for k in range(len(headers))]
    lines = []
    for row in cells:
        for i in range(max(len(cell) for cell in row)):
            parts = [cell[i] if i < len(cell) else "" for cell in row]
            lines.append("  ".join(p + " " * (w - width(p)) for p, w in zip(parts, widths)).rstrip())
    return "\n".join(lines)


class Tables:
    """What ``graphjac run`` shows, before it is written as text, Markdown or LaTeX: the heading
    (the target's symbol and value), one row per node and one per edge, math as LaTeX."""

    def __init__(self, graph):
        notes = graph.prepare().annotate()
        self.name = notes.name
        self.target = next((n for n in notes.nodes if n.is_target), None)
        self.J = self.target.symbol if self.target else "J"
        # numbers in expressions are in their gate's formula, not rows of their own
        self.nodes = [(n.name, n.op or n.kind, n.formula or f"{n.symbol} \\in {n.value_space}", n.value, n.grad)
                      for n in notes.nodes if not (n.kind == "const" and n.auto_named)]
        names = {n.id: n.name for n in notes.nodes}
        self.edges = [] if self.target is None else [
            (names[e.src], names[e.dst], e.equation if e.differentiable else None, e.symbol,
             e.shape if e.differentiable else "", e.value) for e in notes.edges if not e.constant]

    def headers(self, J):
        return (("node", "kind", "math", "value", f"∂{J}/∂node"),
                ("edge", f"∂{J}/∂· through the edge (chain rule)", "in", "share"))


def precision_of(graph, precision=None) -> int:
    """``precision``, else the graph's render option ``precision`` (the spec's ``render:``), else
    the figures' default: one setting governs every table and figure."""
    if precision is not None:
        return precision
    from graphjac.options import RenderOptions
    return RenderOptions.from_mapping(dict(graph.render_options)).precision


def report(graph, precision=None) -> str:
    """Node and edge tables of ``graph`` (values computed if missing; gradients if it has a target),
    numbers to ``precision`` significant digits (:func:`precision_of`)."""
    precision = precision_of(graph, precision)
    tables = Tables(graph)
    J = to_unicode(tables.J)
    head = shown(f"{tables.name}: {J} = {number_text(tables.target.value, precision)}" if tables.target else
                 f"{tables.name}: no loss J (give the spec a 'target' to see ∂J/∂·)")
    node_head, edge_head = tables.headers(J)
    node_rows = [(name, kind, to_unicode(math), number_text(value, precision), number_text(grad, precision))
                 for name, kind, math, value, grad in tables.nodes]
    parts = [head, "", table(node_head, node_rows)]
    if tables.target is not None:
        edge_rows = [(f"{src} → {dst}", to_unicode(equation) if equation else f"{to_unicode(symbol)}: no gradient",
                      to_unicode(shape), number_text(value, precision))
                     for src, dst, equation, symbol, shape, value in tables.edges]
        parts += ["", table(edge_head, edge_rows)]
    return "\n".join(parts)
