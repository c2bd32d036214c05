r"""LaTeX math drawn as SVG outlines by ziamath, measured first so a layout can make room for it.

No TeX installation is needed: ziamath sets the formula in the STIX Two Math font and draws
every glyph as a path, so the SVG (and the PDF or PNG made from it) looks the same everywhere.

>>> f = formula(r"\frac{\partial J}{\partial z}", 14)
>>> f.height > 20 > f.width               # a stacked fraction: taller than it is wide
True
>>> label = Label.of([(r"z = \vec{x}^{T} \vec{w} + b", 14), ("= -0.7", 11)])
>>> label.width == max(line.width for line in label.lines)
True
"""

from __future__ import annotations

import functools
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import ziamath

from ..errors import RenderError

LINE_GAP = 0.3        # space between the lines of a label, in ems of the smaller line
SVG_NS = "http://www.w3.org/2000/svg"

# --- LaTeX as ziamath reads it -------------------------------------------------------------------
# ziamath parses LaTeX through latex2mathml, which (unlike TeX) spaces every minus as binary,
# sets no space before \log, packs the columns of cases and matrices tight, lifts a superscript
# over an accent (x⃗ᵀ with the T above the arrow) and copies \text{…} into XML without unescaping
# it. These rewrites give the look TeX would.

_UNARY_MINUS = re.compile(r"(^|[=(\[{,&<>]|\\\\|\\left[(\[.]|\\(?:cdot|times|le|ge|leq|geq)\b)(\s*)-")
_OPERATOR_AFTER_ORD = re.compile(r"(?<=[\w})\]])\s*\\(log|ln|exp)\b")
_ARRAY = re.compile(r"\\begin\{(cases|[bpv]?matrix)\}(.*?)\\end\{\1\}", re.S)
_COLUMN_GAP = {"cases": r"\quad "}      # TeX: a quad after the value; 2 × 5 pt between matrix columns
_UNESCAPED_AMP = re.compile(r"(?<!\\)&")
_ACCENT_SUP = re.compile(r"(\\(?:vec|hat|bar|tilde|dot|overline)\{(?:[^{}]|\{[^{}]*\})*\})(?=\^)")
_TEXT = re.compile(r"\\text\{")
_TEXT_TOKEN = re.compile(r"\\textbackslash\{\}|\\\^\{\}|\\~\{\}|\\[{}$&%#_ ]|\\|.", re.S)
_TEXT_UNESCAPE = {r"\textbackslash{}": "\\", r"\^{}": "^", r"\~{}": "~"}
_SCRIPTS = {"<super>": "^", "<sub>": "_"}
_XML_CHAR = {"&": "&amp;", "<": "&lt;", ">": "&gt;", "{": "&#123;", "}": "&#125;", "\\": "&#92;"}


def for_ziamath(latex: str) -> str:
    r"""``latex`` rewritten so that ziamath spaces it the way TeX does.

    >>> for_ziamath(r"J = -[y \log a]")
    'J = {-}[y\\,\\log a]'
    >>> for_ziamath(r"\text{a \& (-1)} = -1")
    '\\text{a &amp; (-1)} = {-}1'
    """
    texts = []

    def park(body):
        texts.append(body)
        return f"\0{len(texts) - 1}\0"

    latex = _map_text(latex, park)
    latex = _UNARY_MINUS.sub(lambda m: m.group(1) + m.group(2) + "{-}", latex)
    latex = _OPERATOR_AFTER_ORD.sub(lambda m: r"\," + "\\" + m.group(1), latex)
    latex = _ACCENT_SUP.sub(r"\1{}", latex)
    latex = _ARRAY.sub(_spaced_columns, latex)
    latex = re.sub("\0(\\d+)\0", lambda m: _xml_text(texts[int(m.group(1))]), latex)
    return latex.replace(r"\text{}^", "{}^").replace(r"\text{}_", "{}_").replace(r"}\text{}", "}")


def _spaced_columns(match):
    """A cases or matrix environment with TeX's space between its columns."""
    name, body = match.groups()
    gap = "&" + _COLUMN_GAP.get(name, r"\enspace ")
    return rf"\begin{{{name}}}" + _UNESCAPED_AMP.sub(gap.replace("\\", "\\\\"), body) + rf"\end{{{name}}}"


def _map_text(latex, replace):
    """``latex`` with the body of every ``\\text{…}`` (TeX-escaped) replaced by ``replace(body)``."""
    out, pos = [], 0
    for match in _TEXT.finditer(latex):
        if match.start() < pos:
            continue
        depth, end = 1, len(latex)
        for token in _TEXT_TOKEN.finditer(latex, match.end()):
            depth += (token.group(0) == "{") - (token.group(0) == "}")
            if depth == 0:
                end = token.start()
                break
        out.append(latex[pos:match.end()] + replace(latex[match.end():end]))
        pos = end   # an unbalanced \text{ stays unbalanced: ziamath reports it
    out.append(latex[pos:])
    return "".join(out)


def _xml_text(body):
    """TeX-escaped text as the characters it stands for, escaped for XML; a superscript or
    subscript character (ᵀ, ᵢ, ², ₀ — most of them missing from the math font) becomes a real
    superscript or subscript after the text."""
    chars = []
    for token in _TEXT_TOKEN.finditer(body):
        t = token.group(0)
        if t in ("{", "}"):
            continue
        char = _TEXT_UNESCAPE.get(t, t[1] if len(t) == 2 and t[0] == "\\" else t)
        kind, _, code = unicodedata.decomposition(char).partition(" ")
        if kind in _SCRIPTS and code and " " not in code:
            script = chr(int(code, 16))
            char = "}" + _SCRIPTS[kind] + "{\\text{" + _XML_CHAR.get(script, script) + "}}\\text{"
        chars.append(_XML_CHAR.get(char, char))
    return "".join(chars)


# --- one formula -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Formula:
    """One line of math set by ziamath: its size in points and how to draw it."""

    latex: str
    size: float
    color: str
    width: float
    height: float
    math: object = field(repr=False, compare=False)

    def draw(self, parent: ET.Element, x: float, top: float) -> None:
        """Draw the formula into ``parent`` with its top-left corner at (x, top), SVG coordinates."""
        self.math.drawon(parent, x, top, halign="left", valign="top")


@functools.lru_cache(maxsize=4096)
def formula(latex: str, size: float, color: str = "black") -> Formula:
    """``latex`` (math mode, no ``$``) set at ``size`` points, measured; cached."""
    try:
        math = ziamath.Latex(for_ziamath(latex), size=size, color=color)
        width, height = math.getsize()
    except Exception as err:   # ziamath raises bare assertions and parser errors of several kinds
        reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        raise RenderError(f"cannot typeset the LaTeX {latex!r} ({reason})") from None
    return Formula(latex, size, color, round(width, 3), round(height, 3), math)


# --- a label: lines of math, centred -----------------------------------------------------------

@dataclass(frozen=True)
class Label:
    """Lines of math stacked and centred, as a node or an edge shows them."""

    lines: tuple

    @classmethod
    def of(cls, lines, color: str = "black") -> "Label":
        """A label from ``(latex, size)`` pairs."""
        return cls(tuple(formula(latex, size, color) for latex, size in lines))

    @property
    def width(self) -> float:
        return max((line.width for line in self.lines), default=0.0)

    @property
    def height(self) -> float:
        return sum(line.height for line in self.lines) + sum(self._gaps())

    def _gaps(self):
        return [LINE_GAP * min(a.size, b.size) for a, b in zip(self.lines, self.lines[1:])]

    def draw(self, parent: ET.Element, cx: float, cy: float) -> None:
        """Draw the label centred on (cx, cy), SVG coordinates (y down)."""
        top = cy - self.height / 2
        for line, gap in zip(self.lines, self._gaps() + [0.0]):
            line.draw(parent, cx - line.width / 2, top)
            top += line.height + gap


def hoist_symbols(svg: ET.Element) -> None:
    """Move every glyph ``<symbol>`` into one ``<defs>`` at the top of ``svg``, each id once.

    ziamath puts a glyph's outline beside each formula that uses it; in one figure with many
    formulas that would repeat ids, which SVG forbids. Two different outlines under one id
    (ziamath numbers stretched glyphs by a formula that can collide) are told apart by renaming.
    """
    tag = svg.tag.split("}")[0] + "}" if svg.tag.startswith("{") else ""
    symbols, text = {}, {}
    for parent in list(svg.iter()):
        for child in list(parent):
            if child.tag not in (tag + "symbol", "symbol"):
                continue
            parent.remove(child)
            key, body = child.get("id"), _outline(child)
            n = 1
            while key in text and text[key] != body:
                n += 1
                key = f"{child.get('id')}-{n}"
            if key != child.get("id"):
                for use in parent.iter():
                    if use.get("href") == "#" + child.get("id"):
                        use.set("href", "#" + key)
                child.set("id", key)
            symbols.setdefault(key, child)
            text.setdefault(key, body)
    if symbols:
        defs = ET.Element(tag + "defs")
        defs.extend(symbols[key] for key in sorted(symbols))
        svg.insert(0, defs)


def _outline(symbol):
    """What a glyph ``<symbol>`` draws, without its id."""
    return symbol.get("viewBox", "").encode() + b"".join(ET.tostring(c) for c in symbol)
