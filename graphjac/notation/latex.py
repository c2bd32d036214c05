r"""Formulas as the LaTeX that pdflatex reads, emitted from the one LaTeX tree.

The emitter walks the tree of :func:`graphjac.notation.mathtext.parse`; no LaTeX text is rewritten by
pattern. pdflatex reads ASCII, and whatever reaches a ``.tex`` file must be inert: text is
TeX-escaped character by character (no ``^^`` sequence, no raw ``%``, ``#``, ``$``, ``&``,
``~``, control character or line break can come through), characters outside ASCII become the
commands that draw them (α → ``\alpha``, ŷ → ``\hat{y}``) or, for scripts TeX cannot set
without packages (CJK, emoji), a ``?``; a group holding an accent and its superscript gets an
empty atom, so that a further superscript is no double superscript.

>>> for_pdflatex(r"J = -[y \log a]")
'J = -[y \\log a]'
>>> for_pdflatex(r"\text{50% of #1 ^^5c}")
'\\text{50\\% of \\#1 \\^{}\\^{}5c}'
>>> for_pdflatex(r"{\vec{x}^{(1)}}^{T} = \text{Σ xᵢ}")
'{\\vec{x}^{(1)}{}}^{T} = \\text{\\ensuremath{\\Sigma} x\\ensuremath{_{i}}}'
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from graphjac.notation.mathtext import (ACCENTS, BLACKBOARD, GREEK, SYMBOLS, Accent, Env, Frac, Phantom, Root, Script, Seq, Space, Sym, Underline, classes, parse)


# characters outside ASCII as the math commands that draw them (for pdflatex)
UNICODE = {char: "\\" + name for name, (char, _) in SYMBOLS.items() if len(name) > 1 and ord(char) > 126}
UNICODE.update({char: "\\" + name for name, char in GREEK.items() if not name.startswith("var")})
UNICODE.update({char: r"\mathbb{" + letter + "}" for letter, char in BLACKBOARD.items()})
UNICODE.update({"\u2212": "-", "\u2009": r"\,", "\u2005": r"\:", "\u2004": r"\;", "\u2003": r"\quad",
                "\u00d7": r"\times", "\u00b7": r"\cdot"})
_ACCENT_NAMES = {char: name for name, char in reversed(list(ACCENTS.items()))}
_MATH_SPECIALS = {"%": r"\%", "#": r"\#", "$": r"\$", "&": r"\&", "~": r"\sim"}
_TEXT_SPECIALS = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                  "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}
_SCRIPTS = {"<super>": "^", "<sub>": "_"}
_CLUSTER = re.compile(r".[\u0300-\u036f\u20d0-\u20ff]*", re.S)   # a character and its combining marks


@lru_cache(maxsize=4096)
def for_pdflatex(latex: str) -> str:
    """``latex`` as pdflatex with amsmath reads it: ASCII only, every text inert."""
    return _items(parse(latex).items)


def text_for_pdflatex(text: str) -> str:
    r"""Plain text (a node's name) as pdflatex sets it, every character inert: ``\text{…}``."""
    return _text(str(text))


def _items(items):
    """A sequence of atoms, with a space between them where it reads best (none inside a number,
    after an opening bracket or before a closing one or a comma)."""
    out, previous, last = [], None, ""
    for item, cls in zip(items, classes(items)):
        text = _emit(item)
        if text:
            tight = previous in ("open", "unary") or cls in ("close", "punct") or _numeric(last) and _numeric(text) \
                or cls == "open" and previous in ("ord", "op", "close")
            out.append(text if not out or tight else " " + text)
            last = text
        if cls != "space":
            previous = cls
    return "".join(out)


def _numeric(piece):
    return len(piece) == 1 and (piece.isdigit() or piece == ".")


def _group(seq):
    return "{" + _items(seq.items) + "}"


def _emit(node):
    if isinstance(node, Sym):
        return _sym(node)
    if isinstance(node, Space):
        return node.tex
    if isinstance(node, Seq):
        return _group(node)
    if isinstance(node, Accent):
        return "\\" + node.name + _argument(node.body)
    if isinstance(node, Frac):
        return r"\frac" + _group(node.num) + _group(node.den)
    if isinstance(node, Root):
        return r"\sqrt" + _group(node.body)
    if isinstance(node, Phantom):
        return r"\phantom" + _group(node.body)
    if isinstance(node, Underline):
        return r"\underline" + _group(node.body)
    if isinstance(node, Script):
        return _script(node)
    if isinstance(node, Env):
        return _environment(node)
    raise TypeError(node)


def _argument(node):
    return _group(node) if isinstance(node, Seq) else "{" + _emit(node) + "}"


def _script(node):
    base = _emit(node.base)
    if _accent_with_superscript(node.base):
        base = base[:-1] + "{}}"   # TeX takes {\vec{x}^{a}} for the accent atom: a second ^ would be double
    if node.sub is not None:
        base += "_" + _argument(node.sub)
    if node.sup is not None:
        base += "^" + _argument(node.sup)
    return base


def _accent_with_superscript(base):
    return (isinstance(base, Seq) and len(base.items) == 1 and isinstance(base.items[0], Script)
            and isinstance(base.items[0].base, Accent) and base.items[0].sup is not None)


def _environment(env):
    rows = [" & ".join(_items(cell.items) for cell in row) for row in env.rows]
    return rf"\begin{{{env.kind}}} " + r" \\ ".join(rows) + rf" \end{{{env.kind}}}"


def _sym(node):
    if node.style == "text":
        return _text(node.text)
    if node.tex is not None:
        return node.tex
    text = "".join(_math_char(c.group()) for c in _CLUSTER.finditer(node.text))
    if node.style == "bf":
        return r"\mathbf{" + text + "}"
    if node.style == "rm" and node.text.isalpha():
        return r"\mathrm{" + text + "}"
    return "".join(_MATH_SPECIALS.get(c, c) for c in text)


def _math_char(char):
    """One character of math for pdflatex: ASCII as it is, anything else as a command (a script
    character on an empty atom, so that it never makes a double script)."""
    if char.isascii():
        return char
    command = _command(char) or "?"
    return "{}" + command if command[0] in "^_" else command


def _command(char):
    """The math command that draws ``char`` (α, ŷ, x⃗, ᵀ, ℝ; a character with its combining
    marks), or None."""
    if char in UNICODE:
        return UNICODE[char]
    base, *accents = unicodedata.normalize("NFD", char)
    if accents and all(a in _ACCENT_NAMES for a in accents):
        inner = base if ord(base) < 128 else _command(base)
        if inner is None:
            return None
        for accent in accents:
            inner = "\\" + _ACCENT_NAMES[accent] + "{" + inner + "}"
        return inner
    if len(char) != 1:       # a letter with marks that have no command (e, then U+0301 twice)
        return None
    kind, _, code = unicodedata.decomposition(char).partition(" ")
    if kind in _SCRIPTS and code and " " not in code and int(code, 16) < 128:
        return _SCRIPTS[kind] + "{" + chr(int(code, 16)) + "}"
    return None


def _text(text):
    """``\\text{…}`` holding ``text`` (the characters themselves, escapes undone by the parser)."""
    out = []
    for char in (m.group() for m in _CLUSTER.finditer(text)):
        if char in _TEXT_SPECIALS:
            out.append(_TEXT_SPECIALS[char])
        elif len(char) == 1 and (ord(char) < 32 or ord(char) == 127):
            out.append(" ")
        elif char.isascii():
            out.append(char)
        else:
            out.append(_text_char(char))
    return r"\text{" + "".join(out) + "}"


def _text_char(char):
    """A character outside ASCII in text, for pdflatex: its command in math, its letter without
    accents, or ``?`` (a script TeX cannot set without packages)."""
    command = _command(char)
    if command is not None:
        return r"\ensuremath{" + command + "}"
    plain = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
    if plain and plain.isascii() and plain.isprintable():
        return "".join(_TEXT_SPECIALS.get(c, c) for c in plain)
    return "?"


# what graphjac's specs and alt texts write that pdflatex's utf8 input does not know
PDFLATEX_CHARACTERS = {"2212": r"\ensuremath{-}", "22C5": r"\ensuremath{\cdot}", "2202": r"\ensuremath{\partial}",
                       "2299": r"\ensuremath{\odot}", "2208": r"\ensuremath{\in}", "211D": r"\ensuremath{\mathbb{R}}",
                       "2211": r"\ensuremath{\sum}", "20D7": "", "0302": "", "2192": r"\ensuremath{\to}",
                       "2207": r"\ensuremath{\nabla}", "00B7": r"\ensuremath{\cdot}"}
PDFLATEX_CHARACTERS.update({f"{0x3B1 + k:04X}": rf"\ensuremath{{\{name}}}" for k, name in enumerate(
    "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi o pi rho varsigma sigma tau upsilon "
    "phi chi psi omega".split()) if name not in ("o", "varsigma")})
