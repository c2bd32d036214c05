"""Node names as LaTeX symbols: x⃗, ŷ⁽ⁱ⁾, J₀, W, α — and the templates ops write with them.

>>> Symbol.from_name("J0").latex()
'J_{0}'
>>> Symbol.from_name("y_hat").latex(vector=True, sample="i")
'\\\\hat{\\\\mathbf{y}}^{(i)}'
>>> Symbol.from_name("alpha").latex()
'\\\\alpha'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

from graphjac.core.records import record

GREEK = ("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho sigma tau "
         "upsilon phi chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega").split()

_LETTER = r"([A-Za-z]|" + "|".join(GREEK) + ")"
_SUBSCRIPTED = re.compile(_LETTER + r"(?:_([A-Za-z0-9]+)|(\d+))?")
_HAT = re.compile(_LETTER + r"_?hat")
MAX_SHOWN = 60        # characters of a name a figure shows
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "%": r"\%", "_": r"\_", "^": r"\^{}", "~": r"\~{}"}


def _letter(s):
    return "\\" + s if s in GREEK else s


def shortened(name: str) -> str:
    """A name as a figure shows it: a very long one (past 60 characters) cut, with an ellipsis."""
    return name if len(name) <= MAX_SHOWN else name[:MAX_SHOWN - 1] + "…"


def escape_text(text: str) -> str:
    r"""Text safe inside ``\text{…}``.

    >>> escape_text("a_b & c")
    'a\\_b \\& c'
    """
    return "".join(" " if c in "\t\n\r" else _TEXT_ESCAPES.get(c, c)
                   if unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co", "Cn")
                   else _TEXT_ESCAPES["\\"] + (f"x{ord(c):02x}" if ord(c) < 256 else f"u{ord(c):04x}")
                   for c in text)   # a line break is a space; a control character or lone surrogate its escape


@record
class Symbol:
    """A symbol split into its core (``x``, ``\\hat{y}``) and subscript, so decorations land right."""

    core: str
    sub: Optional[str] = None
    upright: bool = False   # capitals and custom labels take no vector arrow

    @classmethod
    def from_name(cls, name: str, label: Optional[str] = None) -> "Symbol":
        if label is not None:
            return cls(label, upright=True)
        name = shortened(name)
        decomposed = unicodedata.normalize("NFD", name)
        if len(decomposed) == 2 and decomposed[0].isascii() and decomposed[0].isalpha() and decomposed[1] == "\u0302":
            name = decomposed[0] + "_hat"   # ŷ typed as one character: the same symbol as y_hat
        hat = _HAT.fullmatch(name)
        if hat:
            return cls(r"\hat{" + _letter(hat.group(1)) + "}")
        m = _SUBSCRIPTED.fullmatch(name)
        if m:
            letter, sub = m.group(1), m.group(2) or m.group(3)
            if sub is not None and len(sub) > 1 and not sub.isdigit():
                sub = r"\mathrm{" + sub + "}"
            return cls(_letter(letter), sub, upright=letter[0].isupper())
        word = re.fullmatch(r"([A-Za-z]{2,})(\d+)", name)
        if word:   # mul3, layer1: the word upright, its number as a subscript
            return cls(r"\mathrm{" + word.group(1) + "}", word.group(2), upright=True)
        if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*", name):
            return cls(r"\mathrm{" + name + "}", upright=True)
        return cls(r"\text{" + escape_text(name) + "}", upright=True)

    def latex(self, vector: bool = False, sample: Optional[str] = None, index: Optional[str] = None,
              vector_style: str = "arrow") -> str:
        """The symbol, as a vector, for one sample ``(i)``, or its element ``index``."""
        core = self.core
        if vector and index is None and not self.upright:
            accent = re.fullmatch(r"\\(hat|bar|tilde)\{(.+)\}", core)
            if accent:   # ŷ as a vector: a bold y under its hat (an arrow over a hat would stack)
                core = "\\" + accent.group(1) + r"{\mathbf{" + accent.group(2) + "}}"
            else:
                core = (r"\mathbf{" if vector_style == "bold" else r"\vec{") + core + "}"
        subs = [s for s in (self.sub, index) if s is not None]
        text = core + ("_{" + ",".join(subs) + "}" if subs else "")
        if sample is not None:
            text += "^{(" + sample + ")}"
        return text


_PLACEHOLDER = re.compile(r"\$(?:\{(\w+)\}|(\w+))(\^)?")


def fill(template, mapping) -> str:
    r"""Substitute ``$name`` / ``${name}``; a symbol that has a superscript is braced before ``^``.

    >>> fill("$x^{T}", {"x": "x^{(i)}"})
    '{x^{(i)}}^{T}'
    """
    if callable(template):
        template = template(mapping)

    def substitute(match):
        symbol = mapping[match.group(1) or match.group(2)]
        caret = match.group(3) or ""
        if caret and "^" in symbol:
            symbol = "{" + symbol + "}"
        return symbol + caret

    return untransposed(_PLACEHOLDER.sub(substitute, template))


def untransposed(latex: str) -> str:
    r"""``latex`` with every transpose of a transpose written as the matrix itself, however
    deeply the matrix's own symbol nests its braces.

    >>> untransposed(r"g \, {{l_{2}^{(i)}}^{T}}^{T}")
    'g \\, {l_{2}^{(i)}}'
    """
    twice = "^{T}}^{T}"
    at = latex.find(twice)
    while at >= 0:
        depth, start = 0, None
        for k in range(at - 1, -1, -1):   # the brace that opens the group the first ^{T} closes
            depth += {"}": 1, "{": -1}.get(latex[k], 0)
            if depth < 0:
                start = k
                break
        if start is None or (start > 0 and latex[start - 1] == "\\"):
            at = latex.find(twice, at + 1)
            continue
        latex = latex[:start] + latex[start + 1:at] + latex[at + len(twice):]
        at = latex.find(twice)
    return latex


def partial(numerator: str, denominator: str) -> str:
    r"""``\frac{\partial J}{\partial x}``."""
    return r"\frac{\partial " + numerator + r"}{\partial " + denominator + "}"


def partial_text(numerator: str, denominator: str) -> str:
    """∂J/∂x as plain text, for a terminal or a message.

    >>> partial_text("L", "w")
    '∂L/∂w'
    """
    return f"∂{numerator}/∂{denominator}"


def lecture_shape(sample_shape, gradient: bool = True) -> str:
    r"""The lecture's shape of ∂J/∂x (numerator layout: a row 1×n) or of x itself (ℝⁿ).

    >>> lecture_shape((3,))
    '\\mathbb{R}^{1 \\times 3}'
    >>> lecture_shape((3,), gradient=False)
    '\\mathbb{R}^{3}'
    """
    if len(sample_shape) == 0:
        return r"\mathbb{R}"
    if len(sample_shape) == 1:
        n = sample_shape[0]
        return r"\mathbb{R}^{1 \times " + str(n) + "}" if gradient else r"\mathbb{R}^{" + str(n) + "}"
    return r"\mathbb{R}^{" + r" \times ".join(map(str, sample_shape)) + "}"
