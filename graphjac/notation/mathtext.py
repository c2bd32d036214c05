r"""The one LaTeX reader: formulas as a tree, and that tree written as plain Unicode.

Formulas are authored once, as LaTeX (see :mod:`graphjac.notation.symbols`); this module reads the
small part of LaTeX they use into a tree (:class:`Sym`, :class:`Seq`, :class:`Script`,
:class:`Frac`, :class:`Accent`, :class:`Env`, :class:`Space`) that keeps how each piece is
written in LaTeX. Every output is emitted from that tree: Unicode for terminals (here),
Graphviz HTML-like labels (:mod:`graphjac.render.layout.html_labels`), typeset outlines
(:mod:`graphjac.render.math.math_layout`) and the LaTeX that pdflatex reads
(:mod:`graphjac.notation.latex`). Letters are italic, digits and operators upright, spacing
follows TeX's atom classes.

>>> to_unicode(r"\frac{\partial J}{\partial \vec{x}} = \frac{\partial J}{\partial z} \cdot \vec{w}^{T}")
'∂J/∂x⃗ = ∂J/∂z · w⃗ᵀ'
>>> to_unicode(r"J = \frac{1}{N} \sum_{i=1}^{N} J_{0}^{(i)}")
'J = 1/N Σᵢ₌₁ᴺ J₀⁽ⁱ⁾'
>>> to_unicode(r"\frac{\hat{y} - y}{\hat{y}(1 - \hat{y})}")
'(ŷ − y)/(ŷ(1 − ŷ))'

Matrices and cases:

>>> to_unicode(r"\begin{cases} 1 & z \ge 0 \\ 0 & z < 0 \end{cases}")
'{1 if z ≥ 0; 0 if z < 0}'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Optional

from graphjac.core.records import record
from graphjac.errors import GraphjacError

# ---------------------------------------------------------------------------- vocabulary

GREEK = {name: chr(code) for name, code in (
    ("alpha", 0x3B1), ("beta", 0x3B2), ("gamma", 0x3B3), ("delta", 0x3B4), ("epsilon", 0x3B5),
    ("varepsilon", 0x3B5), ("zeta", 0x3B6), ("eta", 0x3B7), ("theta", 0x3B8), ("iota", 0x3B9),
    ("kappa", 0x3BA), ("lambda", 0x3BB), ("mu", 0x3BC), ("nu", 0x3BD), ("xi", 0x3BE), ("pi", 0x3C0),
    ("rho", 0x3C1), ("sigma", 0x3C3), ("tau", 0x3C4), ("upsilon", 0x3C5), ("phi", 0x3C6),
    ("varphi", 0x3C6), ("chi", 0x3C7), ("psi", 0x3C8), ("omega", 0x3C9), ("Gamma", 0x393),
    ("Delta", 0x394), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E), ("Pi", 0x3A0),
    ("Sigma", 0x3A3), ("Upsilon", 0x3A5), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9))}

# name -> (character, TeX atom class)
SYMBOLS = {
    "partial": ("∂", "ord"), "nabla": ("∇", "ord"), "infty": ("∞", "ord"), "ldots": ("…", "ord"),
    "cdots": ("⋯", "ord"), "vdots": ("⋮", "ord"), "dots": ("…", "ord"), "checkmark": ("✓", "ord"), "square": ("□", "ord"),
    "cdot": ("·", "bin"), "times": ("×", "bin"), "div": ("÷", "bin"), "pm": ("±", "bin"), "circ": ("∘", "bin"),
    "odot": ("⊙", "bin"), "otimes": ("⊗", "bin"), "star": ("⋆", "bin"), "ast": ("∗", "bin"), "le": ("≤", "rel"), "leq": ("≤", "rel"), "ge": ("≥", "rel"),
    "geq": ("≥", "rel"), "ne": ("≠", "rel"), "neq": ("≠", "rel"), "in": ("∈", "rel"),
    "approx": ("≈", "rel"), "to": ("→", "rel"), "mapsto": ("↦", "rel"), "coloneqq": ("≔", "rel"),
    "sum": ("Σ", "op"), "prod": ("Π", "op"), "lbrace": ("{", "open"), "rbrace": ("}", "close"),
    "langle": ("⟨", "open"), "rangle": ("⟩", "close"), "mid": ("|", "rel"), "top": ("T", "ord"),
    "{": ("{", "open"), "}": ("}", "close"), "|": ("‖", "ord"),
}
FUNCTIONS = ("log", "ln", "exp", "tanh", "sinh", "cosh", "sin", "cos", "max", "min", "det", "arg")
SPACES = {",": "\u2009", ":": "\u2005", ";": "\u2004", " ": " ", "quad": "\u2003", "qquad": "\u2003\u2003",
          "!": ""}
ACCENTS = {"vec": "\u20d7", "hat": "\u0302", "bar": "\u0305", "tilde": "\u0303", "dot": "\u0307",
           "overline": "\u0305"}
FONTS = {"mathbf": "bf", "boldsymbol": "bf", "mathrm": "rm", "operatorname": "rm", "mathit": "it",
         "mathbb": "bb", "text": "text", "textrm": "text", "mbox": "text"}
BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
CHAR_CLASS = {"+": "bin", "-": "bin", "*": "bin", "=": "rel", "<": "rel", ">": "rel", "(": "open",
              "[": "open", ")": "close", "]": "close", ",": "punct", ";": "punct", "!": "close",
              "/": "ord", "|": "ord", "'": "ord", ".": "ord", ":": "rel"}
ENVIRONMENTS = ("bmatrix", "pmatrix", "matrix", "cases")
BRACKETS = {"bmatrix": "[]", "pmatrix": "()", "matrix": "[]", "cases": "{}"}
TEXT_ESCAPES = {"textbackslash": "\\", "^": "^", "~": "~"}
MATH_ESCAPES = {"\\": r"\backslash", "^": r"\hat{}", "~": r"\sim"}
DELIMITERS = ("(", ")", "[", "]", "|", "/", ".")
CONTROL_SYMBOLS = set("{}_&%$#|\\")   # \{ \_ \% …: the one-character commands math mode knows
MAX_NESTING = 64     # groups inside groups a formula may hold (deeper is no formula anyone sets)

SUPERSCRIPT = dict(zip("0123456789+-=()niTNjkKmMabcdeghlprstuvwxyzABDEGHIJLOPRUVW",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱᵀᴺʲᵏᴷᵐᴹᵃᵇᶜᵈᵉᵍʰˡᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴸᴼᴾᴿᵁⱽᵂ"))
SUPERSCRIPT["×"] = "ˣ"
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ"))


class MathTextError(GraphjacError, ValueError):
    """LaTeX this module cannot read (unbalanced braces, an unknown command)."""


# ---------------------------------------------------------------------------- the tree


@record
class Sym:
    """One run of characters in one style (it, rm, bf, text) and TeX atom class; ``tex`` is how
    LaTeX writes it when that is not the text itself (``\\alpha``, ``\\log``, ``\\left(``)."""

    text: str
    style: str = "rm"
    cls: str = "ord"
    tex: Optional[str] = None


@record
class Seq:
    items: tuple
    cls: str = "ord"


@record
class Script:
    base: object
    sub: object = None
    sup: object = None

    @property
    def cls(self):
        return getattr(self.base, "cls", "ord")


@record
class Frac:
    num: Seq
    den: Seq
    cls: str = "ord"


@record
class Root:
    """``\\sqrt{…}``."""

    body: Seq
    cls: str = "ord"


@record
class Env:
    kind: str
    rows: tuple       # rows of cells, each a Seq
    cls: str = "ord"


@record
class Space:
    text: str
    cls: str = "space"
    tex: str = " "


@record
class Phantom:
    """``\\phantom{…}``: room as wide as ``body``, nothing drawn (an exercise's blank for a number)."""

    body: Seq
    cls: str = "ord"


@record
class Underline:
    """``\\underline{…}``: ``body`` on a rule (an exercise's blank: a line to write the number on)."""

    body: Seq
    cls: str = "ord"


@record
class Accent:
    """``\\vec{x}``, ``\\hat{y}``: ``name`` is the LaTeX command, ``body`` what it decorates."""

    name: str
    body: object
    cls: str = "ord"


# ---------------------------------------------------------------------------- reading

# \mathrm{word} (an upright run, the commonest label) is one token; spaces are tokens to drop
_TOKEN = re.compile(r"\\(?:mathrm|operatorname)\{\s*([A-Za-z0-9]+)\s*\}|\\([A-Za-z]+)\*?|\\(.)|([{}^_&])|(\s+)"
                    r"|(.[\u0300-\u036f\u20d0-\u20ff]*)", re.S)   # a character with its combining marks


class _Reader:
    """A recursive-descent reader over LaTeX tokens."""

    def __init__(self, latex):
        self.source = latex
        # (command, special, char, end); a word is (None, None, None, end, word); spaces are dropped
        # (math ignores them; \text reads the source)
        self.tokens = [_token(m) for m in _TOKEN.finditer(latex) if m.lastindex != 5]
        self.pos = self.depth = 0

    def fail(self, what):
        source = self.source if len(self.source) <= 80 else self.source[:50] + " … " + self.source[-20:]
        raise MathTextError(f"cannot read the LaTeX {source!r}: {what}")

    def peek(self):
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self):
        token = self.peek()
        self.pos += 1
        return token

    def sequence(self, stop=(), style="it"):
        """Items up to a token in ``stop`` (``}``, ``&``, ``\\\\``, ``\\right``, ``\\end``)."""
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.fail(f"formula too deeply nested (limit {MAX_NESTING} groups, fractions or scripts inside each other)")
        items = []
        while True:
            token = self.peek()
            if token is None or _token_text(token) in stop:
                self.depth -= 1
                return Seq(tuple(items))
            item = self.atom(style)
            if item is None:
                continue
            items.append(self.scripts(item, style))

    def scripts(self, base, style):
        sub = sup = None
        while True:
            token = self.peek()
            if token is None or token[1] not in ("^", "_"):
                break
            self.take()
            argument = self.argument(style)
            if token[1] == "^":
                sup = argument
            else:
                sub = argument
        return base if sub is None and sup is None else Script(base, sub, sup)

    def argument(self, style="it"):
        """A braced group or a single token."""
        token = self.peek()
        if token is None:
            self.fail("a command or script is missing its argument")
        if token[1] == "{":
            self.take()
            seq = self.sequence(("}",), style)
            if self.take() is None:
                self.fail("a { is never closed")
            return seq
        item = self.atom(style)
        return Seq(() if item is None else (item,))

    def atom(self, style):
        token = self.take()
        if len(token) == 5:
            return Sym(token[4], "rm")
        command, special, char, _ = token
        if special == "{":
            seq = self.sequence(("}",), style)
            if self.take() is None:
                self.fail("a { is never closed")
            return seq
        if special is not None:
            self.fail(f"unexpected {special!r}")
        if command is not None:
            return self.command(command, style)
        if char.isalpha():
            return Sym(char, style)
        return Sym(char, "rm", CHAR_CLASS.get(char, "ord"))

    def command(self, name, style):
        tex = "\\" + name
        if name in GREEK:
            return Sym(GREEK[name], "rm", tex=tex)
        if name in SYMBOLS:
            char, cls = SYMBOLS[name]
            return Sym(char, "rm", cls, tex)
        if name in FUNCTIONS:
            return Sym(name, "rm", "op", tex)
        if name in SPACES:
            return Space(SPACES[name], tex=tex)
        if name in ACCENTS:
            return Accent(name, self.argument(style))
        if name == "frac":
            return Frac(self.argument(style), self.argument(style))
        if name == "sqrt":
            return Root(self.argument(style))
        if name == "phantom":
            return Phantom(self.argument(style))
        if name == "underline":
            return Underline(self.argument(style))
        if name in FONTS:
            return self.font(FONTS[name])
        if name in ("left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr"):
            return self.delimiter(tex)
        if name == "begin":
            return self.environment()
        if name in TEXT_ESCAPES:
            self.empty_braces()
            return Sym(TEXT_ESCAPES[name], "rm", tex=MATH_ESCAPES[TEXT_ESCAPES[name]])
        if name in CONTROL_SYMBOLS:
            return Sym(name, "rm", CHAR_CLASS.get(name, "ord"), tex)
        if name in ("[", "]", "(", ")"):
            self.fail(f"\\{name} starts or ends a formula in LaTeX; a label is a formula already: "
                      f"write {name} without the backslash")
        self.fail(f"unknown command \\{name}")

    def empty_braces(self):
        token = self.peek()
        if token is not None and token[1] == "{" and self.pos + 1 < len(self.tokens) \
                and self.tokens[self.pos + 1][1] == "}":
            self.pos += 2

    def font(self, kind):
        if kind == "text":
            return self.text()
        seq = self.argument("rm" if kind in ("rm", "bb") else kind)
        if kind == "bb":
            return _map_syms(seq, lambda s: Sym(BLACKBOARD.get(s.text, s.text), "rm", s.cls,
                                                r"\mathbb{" + s.text + "}" if s.text in BLACKBOARD else s.tex))
        return seq

    def text(self):
        r"""``\text{…}``: the source's characters as they are, with LaTeX's text escapes undone."""
        if self.peek() is None or self.peek()[1] != "{":
            self.fail(r"\text needs a braced argument")
        source, i, depth, out = self.source, self.take()[3], 0, []
        while True:
            if i >= len(source):
                self.fail(r"\text{ is never closed")
            char = source[i]
            if char == "\\":
                name = re.match(r"[A-Za-z]+|.", source[i + 1:], re.S)
                if name is None:
                    self.fail(r"a \ ends the text")
                command = name.group(0)
                i += 1 + len(command)
                if command in TEXT_ESCAPES:
                    if source.startswith("{}", i):
                        i += 2
                    out.append(TEXT_ESCAPES[command])
                elif len(command) == 1:
                    out.append(command)
                else:
                    self.fail(f"unknown command \\{command} inside \\text")
                continue
            i += 1
            if char == "{":
                depth += 1
            elif char == "}" and depth == 0:
                while self.peek() is not None and self.peek()[3] <= i:
                    self.pos += 1
                return Sym("".join(out), "text")
            elif char == "}":
                depth -= 1
            else:
                out.append(char)

    def delimiter(self, size):
        """A delimiter after ``size`` (``\\left``, ``\\big``, …)."""
        token = self.take()
        if token is None:
            self.fail(r"\left or \right is missing its delimiter")
        text = _token_text(token)
        if text == ".":
            return Space("", tex=size + ".")
        if token[0] in SYMBOLS:
            char, cls = SYMBOLS[token[0]]
            return Sym(char, "rm", cls, size + text)
        if text not in DELIMITERS:
            self.fail(f"{size} needs a delimiter such as ( [ | or \\{{; got {text!r}")
        return Sym(text.lstrip("\\"), "rm", CHAR_CLASS.get(text, "ord"), size + text)

    def environment(self):
        kind = self._name()
        if kind not in ENVIRONMENTS:
            self.fail(f"unknown environment {kind!r} (known: {', '.join(ENVIRONMENTS)})")
        rows, cells = [], []
        while True:
            cell = self.sequence(("&", "\\\\", "\\end"), "it")
            cells.append(cell)
            token = self.take()
            if token is None:
                self.fail(f"\\begin{{{kind}}} is never ended")
            text = _token_text(token)
            if text == "\\\\" or text == "\\end":
                rows.append(tuple(cells))
                cells = []
            if text == "\\end":
                if self._name() != kind:
                    self.fail(f"\\begin{{{kind}}} ends with another environment")
                rows = [row for row in rows if any(c.items for c in row)]
                return Env(kind, tuple(rows))

    def _name(self):
        if self.take()[1:2] != ("{",):
            self.fail("an environment name must be braced")
        name = []
        while (token := self.take()) is not None and token[1] != "}":
            name.append(_token_text(token))
        return "".join(name)


def _token(match):
    word, command, single, special, _, char = match.groups()
    if word is not None:
        return (None, None, None, match.end(), word)
    return (command or single, special, char, match.end())


def _token_text(token):
    if len(token) == 5:
        return "\\mathrm{" + token[4] + "}"
    command, special, char = token[:3]
    if command is not None:
        return "\\" + command
    return special or char


def accented(node, mark):
    """Put a combining ``mark`` on the last character of ``node`` (so x⃗ stays one glyph run):
    how Unicode and Graphviz's labels write an accent."""
    if isinstance(node, Accent):
        node = accented(node.body, ACCENTS[node.name])
    if isinstance(node, Sym):
        return Sym(unicodedata.normalize("NFC", node.text + mark), node.style, node.cls)
    if isinstance(node, Script):
        return Script(accented(node.base, mark), node.sub, node.sup)
    if isinstance(node, Seq) and node.items:
        return Seq(node.items[:-1] + (accented(node.items[-1], mark),), node.cls)
    return node


def _map_syms(node, change):
    if isinstance(node, Sym):
        return change(node)
    if isinstance(node, Seq):
        return Seq(tuple(_map_syms(i, change) for i in node.items), node.cls)
    return node


def parse(latex: str) -> Seq:
    """The tree of ``latex`` (see :class:`Sym`, :class:`Seq`, :class:`Script`, :class:`Frac`,
    :class:`Root`, :class:`Accent`, :class:`Env`, :class:`Space`).

    A formula is read piece by piece where it can be split at a space between whole atoms
    (``∂J/∂z = ∂J/∂a ⊙ a(1 − a)``): a figure's formulas share most pieces, and each is read once.

    >>> parse(r"\frac{a}{b} = x^{2}") == Seq(parse(r"\frac{a}{b}").items + parse("=").items + parse("x^{2}").items)
    True
    """
    latex = str(latex)
    parts = pieces(latex)
    if len(parts) > 1:
        try:
            return Seq(tuple(item for piece in parts for item in _parse_piece(piece).items))
        except MathTextError:
            pass   # read whole, for the message
    return _parse_whole(latex)


# a space at brace depth 0 splits a formula, unless a command or script reaches across it
_SPLIT_UNSAFE = re.compile(r"\\\\|\\(left|right|middle|big|Big|begin|end|text|mbox|operatorname)|&")
_LAST_COMMAND = re.compile(r"\\([a-zA-Z]+)$")


def pieces(latex):
    """``latex`` cut at the spaces between whole atoms, or [latex] where that is not safe.

    >>> pieces("a_{1} + b_{2} + c_{3} + d_{4}")
    ['a_{1}', '+', 'b_{2}', '+', 'c_{3}', '+', 'd_{4}']
    """
    if len(latex) < 24 or _SPLIT_UNSAFE.search(latex):
        return [latex]
    pieces, words, depth = [], [], 0
    for word in latex.split(" "):
        words.append(word)
        depth += word.count("{") - word.count("\\{") - word.count("}") + word.count("\\}")
        if depth == 0:
            pieces.append(" ".join(words))
            words = []
    pieces = [p for p in pieces + [" ".join(words)] if p]
    for left, right in zip(pieces, pieces[1:]):
        command = _LAST_COMMAND.search(left) if left[-1].isalpha() else None
        if right[0] in "^_'" or left.endswith("\\") or (command and _takes_argument(command.group(1))):
            return [latex]   # x ^{2}, \hat x, \frac {a}{b}: an argument across the space
    return pieces


def _takes_argument(name):
    return name in ACCENTS or name in FONTS or name in ("frac", "sqrt", "phantom", "underline")


@lru_cache(maxsize=16384)
def _parse_piece(piece):
    return _parse_whole(piece)


def _parse_whole(latex):
    reader = _Reader(latex)
    seq = reader.sequence()
    if reader.peek() is not None:
        reader.fail(f"unexpected {_token_text(reader.peek())!r}")
    return seq


# ---------------------------------------------------------------------------- spacing (TeX's table, simplified)

_THIN, _WIDE = "\u2009", " "
_GAPS = {("ord", "op"): _THIN, ("op", "ord"): _THIN, ("op", "op"): _THIN, ("close", "op"): _THIN,
         ("punct", "*"): " ", ("*", "bin"): _WIDE, ("bin", "*"): _WIDE, ("*", "rel"): _WIDE, ("rel", "*"): _WIDE}


def classes(items):
    """TeX atom classes of ``items``, with a binary operator made unary where TeX would."""
    classes, previous = [], None
    for item in items:
        cls = getattr(item, "cls", "ord")
        if cls == "space":
            classes.append(cls)
            continue
        if cls == "bin" and previous in (None, "bin", "rel", "open", "punct", "op", "unary"):
            cls = "unary"
        classes.append(cls)
        previous = cls
    if previous == "bin":   # a trailing binary operator is unary too
        classes[max(i for i, c in enumerate(classes) if c != "space")] = "unary"
    return classes


def _gap(left, right):
    if left in ("space", "unary", None) or right == "space":
        return ""
    if (left, right) in (("op", "open"), ("rel", "rel")):   # log(x), :=
        return ""
    for key in ((left, right), (left, "*"), ("*", right)):
        if key in _GAPS:
            return _GAPS[key]
    return ""


def spaced(items, render, space):
    """Render ``items`` with TeX's spacing between them (``space`` maps a gap to output)."""
    out, previous = [], None
    for item, cls in zip(items, classes(items)):
        if cls != "space":
            gap = _gap(previous, cls)
            if gap:
                out.append(space(gap))
            previous = cls
        out.append(render(item))
    return "".join(out)


def needs_parens(seq, denominator):
    """Whether an inline fraction's part needs parentheses: (ŷ − y)/(ŷ(1 − ŷ)), but ∂J/∂z and 1/N."""
    items = [i for i in seq.items if not isinstance(i, Space)]
    if len(items) <= 1:
        return False
    if len(items) == 2 and isinstance(items[0], Sym) and items[0].text == "∂":
        return False
    return denominator or any(c in ("bin", "rel") for c in classes(items))


def is_letter(text):
    """Whether a run is a letter (possibly with combining accents): set in italics."""
    return bool(text) and text[0].isalpha()


# ---------------------------------------------------------------------------- Unicode


@lru_cache(maxsize=4096)
def to_unicode(latex: str) -> str:
    r"""``latex`` as plain Unicode text for a terminal: x⃗ᵀw⃗ + b, ∂J/∂z, J₀⁽ⁱ⁾.

    >>> to_unicode(r"\mathbb{R}^{1 \times 3}")
    'ℝ¹ˣ³'
    """
    return _uni(parse(latex))


def to_unicode_tree(node) -> str:
    """A parsed tree (or part of one) as plain Unicode."""
    return _uni(node)


def _uni(node):
    if isinstance(node, Sym):
        text = node.text if node.style == "text" else node.text.replace("-", "−")
        return _bold(text) if node.style == "bf" else text
    if isinstance(node, Space):
        return node.text
    if isinstance(node, Phantom):
        return phantom_text(node)
    if isinstance(node, Underline):
        return underlined(_uni(node.body))
    if isinstance(node, Accent):
        return _uni(accented(node, ""))
    if isinstance(node, Seq):
        return spaced(node.items, _uni, lambda gap: " ")
    if isinstance(node, Frac):
        return _uni_part(node.num, False) + "/" + _uni_part(node.den, True)
    if isinstance(node, Root):
        return "√" + _uni_part(node.body, True)
    if isinstance(node, Script):
        text = _uni(node.base)
        if _fraction(node.base):   # (∂J/∂Kᵀ)ᵀ, not ∂J/∂Kᵀᵀ: a script on a fraction takes all of it
            text = "(" + text + ")"
        if node.sub is not None:
            text += _scripted(_uni(node.sub), SUBSCRIPT, "_")
        if node.sup is not None:
            text += _scripted(_uni(node.sup), SUPERSCRIPT, "^")
        return text
    if isinstance(node, Env):
        left, right = BRACKETS[node.kind]
        join = " if " if node.kind == "cases" else " "
        return left + "; ".join(join.join(_uni(c) for c in row) for row in node.rows) + right
    raise TypeError(node)


def _fraction(node) -> bool:
    """Whether ``node`` is a fraction, braced or not."""
    while isinstance(node, Seq) and len(node.items) == 1:
        node = node.items[0]
    return isinstance(node, Frac)


def underlined(text: str) -> str:
    """Text on a rule: a blank's room as underscores, other characters with a combining low line."""
    return "".join("_" if c == "\u2007" else c + "\u0332" for c in text)


def phantom_text(node) -> str:
    """A phantom as text: a figure space (a digit's width) for each character of what it hides."""
    return "\u2007" * len(_uni(node.body))


def _uni_part(seq, denominator):
    text = _uni(seq)
    return f"({text})" if needs_parens(seq, denominator) else text


def _scripted(text, table, mark):
    text = text.replace("−", "-").replace(" ", "")
    if all(c in table for c in text):
        return "".join(table[c] for c in text)
    return mark + (text if len(text) == 1 else "(" + text + ")")


def _bold(text):
    """Mathematical bold italic letters for bold vectors (𝒙); other characters unchanged."""
    out = []
    for c in text:
        if "a" <= c <= "z":
            out.append(chr(0x1D482 + ord(c) - ord("a")))
        elif "A" <= c <= "Z":
            out.append(chr(0x1D468 + ord(c) - ord("A")))
        else:
            out.append(c)
    return "".join(out)
