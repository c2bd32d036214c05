r"""Formulas as Graphviz HTML-like label markup, emitted from the one LaTeX tree.

In HTML-like markup a combining arrow stays inside its letter's ``<I>`` run (Pango would draw
it detached otherwise), and every character outside ASCII is a numeric entity:

>>> to_html(r"\vec{x}^{T}")
'<I>x&#8407;</I><SUP>T</SUP>'
>>> to_html(r"a < b \le c")
'<I>a</I> &lt; <I>b</I> &#8804; <I>c</I>'

Matrices and cases become tables (Graphviz cannot set them inline):

>>> to_html(r"\begin{bmatrix} 1 & 2 \end{bmatrix}").startswith("<TABLE")
True
"""

from __future__ import annotations

import re
from functools import lru_cache

from graphjac.notation.mathtext import (Accent, Env, Frac, MathTextError, Phantom, Root, Script, Seq, Space, Sym, Underline, accented, is_letter, needs_parens, parse, phantom_text, spaced, to_unicode_tree)
from graphjac.render.layout.quoting import escape_html

@lru_cache(maxsize=4096)
def to_html(latex: str) -> str:
    r"""``latex`` as Graphviz HTML-like markup (without the enclosing ``< >``).

    Inline markup for ordinary formulas; a ``<TABLE>`` when the formula holds a matrix,
    cases or a fraction to stack, which Graphviz can only set as a table.

    >>> to_html(r"J_{0}^{(i)}")
    '<I>J</I><SUB>0</SUB><SUP>(<I>i</I>)</SUP>'
    >>> to_html(r"\text{A & B}")
    'A &amp; B'
    """
    number = _NUMBER.fullmatch(latex)
    if number is not None:
        return _number_html(*number.groups())
    return _indexed_html(latex) or _formula_html(latex)


def _formula_html(latex):
    """:func:`to_html` of any formula, read as a tree."""
    seq = parse(latex)
    blocks = [item for item in seq.items if _is_block(item)]
    if not blocks:
        return _merged(_html(seq))
    marked = spaced(seq.items, lambda item: "\0" if _is_block(item) else _html(item), escape_html)
    pieces = marked.split("\0")
    cells = [_html_cell(pieces[0])]
    for block, text in zip(blocks, pieces[1:]):
        cells += ["<TD>" + _html_block(block) + "</TD>", _html_cell(text)]
    cells = [c for c in cells if c != "<TD></TD>"]
    return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>' + "".join(cells) + "</TR></TABLE>"


# a number as :mod:`.numbers` writes it, after "= " or alone: the commonest line of a figure
_NUMBER = re.compile(r"(= )?(-?[0-9]+(?:\.[0-9]+)?)(?: \\times 10\^\{(-?[0-9]+)\})?")


def _number_html(equals, mantissa, exponent):
    """The markup of a number line, written without reading it as a formula (it is the same).

    >>> _number_html("= ", "-1.5", "-4")
    '= &#8722;1.5 &#215; 10<SUP>&#8722;4</SUP>'
    """
    out = (equals or "") + mantissa.replace("-", "&#8722;")
    if exponent is not None:
        out += " &#215; 10<SUP>" + exponent.replace("-", "&#8722;") + "</SUP>"
    return out


# a numeric subscript, as in the names a large graph numbers its nodes by (\mathrm{add}_{270});
# not where its characters may be rewritten: a matrix set inline is Unicode (x₃), a phantom is
# as wide as its characters, blackboard letters are swapped
_INDEX = re.compile(r"_\{([0-9]+)\}")
_NOT_AS_DIGITS = re.compile(r"\\(phantom|begin|mathbb)(?![a-zA-Z])")
_SLOT = 0xE000   # placeholders from the private-use area: an ASCII formula holds none
_BRACED_SLOTS = ["_{" + chr(_SLOT + k) + "}" for k in range(64)]
_SLOT_MARKUP = re.compile("&#(" + "|".join(str(_SLOT + k) for k in range(64)) + ");")   # as markup writes them


def _indexed_html(latex):
    r"""The markup of a formula with numeric subscripts, from that of its shape, read once: the
    formula with each subscript's digits replaced by a placeholder (``\mathrm{add}_{270} =
    \mathrm{add}_{266} + 1`` and ``\mathrm{add}_{5} = \mathrm{add}_{1} + 1`` share one). Digits and a
    placeholder are read and set alike (one ordinary upright symbol run), so the shape's markup
    with the digits put back is the formula's. None where the shortcut does not apply.

    >>> _indexed_html(r"\mathrm{add}_{270} = x_{12}")
    'add<SUB>270</SUB> = <I>x</I><SUB>12</SUB>'
    """
    parts = _INDEX.split(latex)   # text, digits, text, digits, …, text
    indices = parts[1::2]
    if not indices or len(indices) > len(_BRACED_SLOTS) or not latex.isascii() or _NOT_AS_DIGITS.search(latex):
        return None
    parts[1::2] = _BRACED_SLOTS[:len(indices)]
    pieces = _shape_html("".join(parts), len(indices))
    if pieces is None:
        return None
    out = list(pieces)
    out[1::2] = [indices[k] for k in pieces[1::2]]
    return "".join(out)


@lru_cache(maxsize=1024)
def _shape_html(shape, slots):
    """The markup of a formula's shape cut at its placeholders: (text, slot, text, slot, …, text),
    if each of the ``slots`` placeholders is in it exactly once (else None)."""
    try:
        markup = _formula_html(shape)
    except MathTextError:
        return None   # the formula itself is read, for its own message
    pieces = _SLOT_MARKUP.split(markup)
    pieces[1::2] = [int(code) - _SLOT for code in pieces[1::2]]
    return tuple(pieces) if sorted(pieces[1::2]) == list(range(slots)) else None


def _is_block(item):
    """Set as a table of its own: a matrix, cases, or a fraction that inline would need
    parentheses for ((ŷ − y)/(ŷ(1 − ŷ)) reads better stacked)."""
    return isinstance(item, Env) or isinstance(item, Frac) and (needs_parens(item.num, False)
                                                                 or needs_parens(item.den, True))


def _html_block(block):
    if isinstance(block, Env):
        return _html_env(block)
    rule = '<TR><TD BORDER="1" SIDES="T" CELLPADDING="0" HEIGHT="1"></TD></TR>'
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f"<TR><TD>{_merged(_html(block.num))}</TD></TR>{rule}<TR><TD>{_merged(_html(block.den))}</TD></TR></TABLE>")


def _html_cell(markup):
    return "<TD>" + _merged(markup) + "</TD>"


def _merged(markup):
    """Adjacent italic runs as one run (``<I>xy</I>``), as Pango sets them best."""
    return markup.replace("</I><I>", "")


_MARKUP_OF = {}   # id(node) -> (node, markup): the parser's cached pieces recur in many formulas


def _html(node):
    """The markup of one node of the tree, remembered for the node (held, so its id stays its own)."""
    hit = _MARKUP_OF.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    markup = _node_html(node)
    if len(_MARKUP_OF) >= 65536:
        _MARKUP_OF.clear()
    _MARKUP_OF[id(node)] = (node, markup)
    return markup


def _node_html(node):
    if isinstance(node, Sym):
        text = escape_html(node.text.replace("-", "−") if node.style != "text" else node.text)
        if node.style == "it" and is_letter(node.text):
            return "<I>" + text + "</I>"
        if node.style == "bf":
            return "<B><I>" + text + "</I></B>" if is_letter(node.text) else "<B>" + text + "</B>"
        return text
    if isinstance(node, Space):
        return escape_html(node.text)
    if isinstance(node, Phantom):
        return escape_html(phantom_text(node))
    if isinstance(node, Underline):
        return "<U>" + _html(node.body) + "</U>"
    if isinstance(node, Accent):
        return _html(accented(node, ""))
    if isinstance(node, Seq):
        return spaced(_clear_of_brackets(node.items), _html, escape_html)
    if isinstance(node, Frac):
        return _html_part(node.num, False) + "/" + _html_part(node.den, True)
    if isinstance(node, Root):
        return "&#8730;" + _html_part(node.body, True)
    if isinstance(node, Script):
        text = _html(node.base)
        if node.sub is not None:
            text += "<SUB>" + _tight(_html(node.sub)) + "</SUB>"
        if node.sup is not None:
            text += "<SUP>" + _tight(_html(_upright_transpose(node.sup))) + "</SUP>"
        return text
    if isinstance(node, Env):   # nested inside a fraction or a script: inline
        return escape_html(to_unicode_tree(node))
    raise TypeError(node)


def _clear_of_brackets(items):
    """A thin space between an opening bracket and a vector after it: Graphviz sets the arrow of
    x⃗ reaching left over a narrow letter's edge, into the bracket of softmax(l⃗)."""
    out = list(items[:1])
    for left, item in zip(items, items[1:]):
        if isinstance(left, Sym) and left.text in "([{" and _vector(item):
            out.append(Space("\u2009"))
        out.append(item)
    return tuple(out)


def _vector(node):
    base = node.base if isinstance(node, Script) else node
    return isinstance(base, Accent) and base.name == "vec"


def _tight(markup):
    """Scripts are set without the spaces around operators (ℝ¹ˣ³, Σᵢ₌₁ᴺ), as TeX sets them."""
    return markup.replace(" ", "").replace("&#8201;", "")


def _upright_transpose(seq):
    """The T of a transpose is upright: x⃗ᵀ, not x⃗ᵀ in italics."""
    if isinstance(seq, Seq) and len(seq.items) == 1 and seq.items[0] == Sym("T", "it"):
        return Seq((Sym("T", "rm"),))
    return seq


def _html_part(seq, denominator):
    text = _html(seq)
    return f"({text})" if needs_parens(seq, denominator) else text


def _html_env(env):
    """A matrix as a table between square brackets (drawn as cell borders); cases after a brace."""
    n = len(env.rows)
    width = max((len(row) for row in env.rows), default=0)
    rows = []
    for r, row in enumerate(env.rows):
        cells = [f'<TD ALIGN="{"RIGHT" if env.kind != "cases" else "LEFT"}">{_html(c) or " "}</TD>'
                 for c in row] + ["<TD> </TD>"] * (width - len(row))
        if env.kind == "cases":
            cells = [cells[0], '<TD ALIGN="LEFT">  if ' + (_html(row[1]) if len(row) > 1 else "") + "</TD>"]
        if r == 0:
            cells = _brackets(env.kind, n, cells)
        rows.append("<TR>" + "".join(cells) + "</TR>")
    return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="3">' + "".join(rows) + "</TABLE>"


def _brackets(kind, n, cells):
    if kind in ("bmatrix", "pmatrix"):
        left = f'<TD ROWSPAN="{n}" BORDER="1" SIDES="LTB" WIDTH="4"> </TD>'
        right = f'<TD ROWSPAN="{n}" BORDER="1" SIDES="RTB" WIDTH="4"> </TD>'
        return [left] + cells + [right]
    if kind == "cases":
        brace = f'<TD ROWSPAN="{n}"><FONT POINT-SIZE="{14 * n}">{{</FONT></TD>'
        return [brace] + cells
    return cells
