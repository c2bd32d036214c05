r"""graphjac's typesetter: a formula's tree (:func:`graphjac.notation.mathtext.parse`) set the way TeX sets
it, in the STIX Two Math font, and drawn as SVG glyph outlines.

It sets exactly the LaTeX that graphjac reads — letters, digits, operators, scripts, fractions,
large operators with limits, accents, roots, ``\left``/``\right`` and ``\big`` delimiters,
matrices and cases, spaces, phantoms and underlines — with the rules of TeX's Appendix G as the
OpenType ``MATH`` table states them (the font's own shifts, gaps and rule thicknesses), TeX's
spacing between atoms, and the font's script-size glyphs. Nothing else is loaded: the font is
read as needed (:mod:`.opentype`), so the first formula costs a few milliseconds, not the
quarter of a second ziamath (a general MathML typesetter, whose font this is, and the reference
the tests hold this one to) takes to start.

A formula measures as TeX's box across (its glyphs' advances and spaces, widened where ink
reaches beyond them) and as its ink up and down; the fragment draws it with that box's top-left
corner at (0, 0).

>>> width, height, fragment = set_formula(r"\frac{\partial J}{\partial z}", 14)
>>> height > 1.5 * 14 > width > 0.5 * 14          # a stacked fraction, about an em wide
True
>>> fragment.startswith("<g><symbol id=")
True
"""

from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET
from functools import lru_cache

from graphjac.errors import RenderError
from graphjac.notation.mathtext import (Accent, Env, Frac, MathTextError, Phantom, Root, Script, Seq, Space, Sym, Underline, classes, parse)
from graphjac.render.math.opentype import math_font

SCRIPT_LEVELS = 2          # scripts of scripts of scripts are set at the second level's size
NULL_DELIMITER = 0.12      # TeX's \nulldelimiterspace (1.2 pt at 10 pt) either side of a fraction, ems
COLUMN_GAP = 1.0           # amsmath: 2 × \arraycolsep between a matrix's columns, ems (cases: a quad)
STRUT = (0.84, 0.36)       # the height and depth every array row has at least (TeX's \strut), ems
DELIMITER_FACTOR = 0.901   # TeX's \delimiterfactor: a delimiter covers 90.1% of what it encloses ...
DELIMITER_SHORTFALL = 0.5  # ... or all of it but \delimitershortfall (5 pt at 10 pt), ems
BIG = {"big": 1, "bigl": 1, "bigr": 1, "Big": 2, "Bigl": 2, "Bigr": 2}   # which of the font's larger sizes
SPACE_MU = {r"\,": 3, r"\:": 4, r"\;": 5, r"\quad": 18, r"\qquad": 36, r"\!": -3}
GLYPH_ID = "STIXTwoMath-"  # a glyph's <symbol> is this and its number in the font
LARGE_OPERATORS = {r"\sum": "\u2211", r"\prod": "\u220f"}   # the reader gives their Greek letters

# TeX's spacing between atoms (The TeXbook, chapter 18): mu, and whether only in display and text styles
_THIN, _MEDIUM, _THICK = 3, 4, 5
_SPACING = {
    ("ord", "op"): (_THIN, False), ("ord", "bin"): (_MEDIUM, True), ("ord", "rel"): (_THICK, True),
    ("ord", "inner"): (_THIN, True),
    ("op", "ord"): (_THIN, False), ("op", "op"): (_THIN, False), ("op", "rel"): (_THICK, True),
    ("op", "inner"): (_THIN, True),
    ("bin", "ord"): (_MEDIUM, True), ("bin", "op"): (_MEDIUM, True), ("bin", "open"): (_MEDIUM, True),
    ("bin", "inner"): (_MEDIUM, True),
    ("rel", "ord"): (_THICK, True), ("rel", "op"): (_THICK, True), ("rel", "open"): (_THICK, True),
    ("rel", "inner"): (_THICK, True),
    ("close", "op"): (_THIN, False), ("close", "bin"): (_MEDIUM, True), ("close", "rel"): (_THICK, True),
    ("close", "inner"): (_THIN, True),
    ("inner", "ord"): (_THIN, True), ("inner", "op"): (_THIN, False), ("inner", "bin"): (_MEDIUM, True),
    ("inner", "rel"): (_THICK, True), ("inner", "open"): (_THIN, True), ("inner", "punct"): (_THIN, True),
    ("inner", "inner"): (_THIN, True),
}
_SPACING.update({("punct", right): (_THIN, True) for right in ("ord", "op", "rel", "open", "close", "punct", "inner")})

# characters as math sets them
_MATH_CHARS = {"-": "\u2212", "*": "\u2217", "'": "\u2032"}
_ACCENT_CHARS = {"vec": "\u20d7", "hat": "\u0302", "tilde": "\u0303", "dot": "\u0307", "bar": "\u0304"}
_ENV_DELIMITERS = {"bmatrix": ("[", "]"), "pmatrix": ("(", ")"), "matrix": (None, None), "cases": ("{", None)}


class Box:
    """Something set: its advance ``width``, its ink above (``height``) and below (``depth``)
    the baseline, in points, and what it draws, placed relative to its origin (y up)."""

    __slots__ = ("width", "height", "depth", "glyphs", "rules", "room", "italic", "script_height", "overhang",
                 "glyph")

    def __init__(self, width=0.0, height=0.0, depth=0.0, glyphs=(), italic=0.0, glyph=None):
        self.width, self.height, self.depth = width, height, depth
        self.glyphs = list(glyphs)    # (x, y, glyph, scale)
        self.rules = []               # (x, y, width, height): y is the rule's bottom
        self.room = []                # (left, bottom, right, top) measured as ink but not drawn (a phantom)
        self.italic = italic          # the italic correction of its last glyph, points
        self.script_height = height   # the height a script is placed against (an accent's body's)
        self.overhang = 0.0           # how far an accent reaches right of the body: a superscript clears it
        self.glyph = glyph            # the glyph, when the box is one

    def add(self, other: "Box", dx: float, dy: float) -> None:
        """Draw ``other`` into this box with its origin at (dx, dy)."""
        self.glyphs.extend((x + dx, y + dy, g, s) for x, y, g, s in other.glyphs)
        self.rules.extend((x + dx, y + dy, w, h) for x, y, w, h in other.rules)
        self.room.extend((x0 + dx, y0 + dy, x1 + dx, y1 + dy) for x0, y0, x1, y1 in other.room)

    @property
    def empty(self) -> bool:
        return not self.glyphs and not self.rules and not self.room


class Style:
    """TeX's style: the script level (0 for display and text), display or not, cramped or not."""

    __slots__ = ("level", "display", "cramped", "size", "base")

    def __init__(self, base: float, level=0, display=True, cramped=False):
        self.base, self.level, self.display, self.cramped = base, level, display, cramped
        font = math_font()
        scale = (1.0, font.constant("scriptPercentScaleDown") / 100,
                 font.constant("scriptScriptPercentScaleDown") / 100)[min(level, SCRIPT_LEVELS)]
        self.size = base * scale

    def script(self, cramped=None) -> "Style":
        return Style(self.base, self.level + 1, False, self.cramped if cramped is None else cramped)

    def text(self, cramped=None) -> "Style":
        """The style of a fraction's parts, a matrix's cells: text style in display, else one level down."""
        if self.display:
            return Style(self.base, self.level, False, self.cramped if cramped is None else cramped)
        return self.script(cramped)

    def cramp(self) -> "Style":
        """The same style, cramped (TeX: what stands under a bar or a radical keeps its exponents lower)."""
        return Style(self.base, self.level, self.display, True)

    def units(self, value: float) -> float:
        """Font units as points at this style's size."""
        return value * self.size / math_font().units_per_em

    def constant(self, name: str) -> float:
        return self.units(math_font().constant(name))

    def em(self, ems: float) -> float:
        return ems * self.size


# ------------------------------------------------------------------------------------------ entry


def set_formula(latex: str, size: float, color: str = "black") -> tuple:
    """(width, height, fragment) of ``latex`` set at ``size`` points: the SVG fragment is a ``<g>``
    of glyph ``<symbol>`` outlines, their ``<use>`` and rule ``<rect>``, its ink's top-left at (0, 0)."""
    try:
        tree = parse(latex)
    except MathTextError as err:
        raise RenderError(f"cannot typeset the LaTeX {latex!r} ({err})") from None
    box = set_node(tree, Style(size))
    return _drawn(box, color)


def set_node(node, style: Style) -> Box:
    """The box of a parsed node in ``style``."""
    return _SETTERS[type(node)](node, style)


# ------------------------------------------------------------------------------------------ glyphs


def _glyph_box(glyph: int, style: Style) -> Box:
    font = math_font()
    scale = style.size / font.units_per_em
    ink = font.box(glyph)
    height, depth = (ink.ymax * scale, -ink.ymin * scale) if ink else (0.0, 0.0)
    return Box(font.advance(glyph) * scale, height, depth, [(0.0, 0.0, glyph, scale)],
               italic=font.italic_correction(glyph) * scale, glyph=glyph)


def _char_glyph(char: str, style: Style) -> int:
    font = math_font()
    glyph = font.glyph_of(char)      # 0, the font's box for a missing character, for one it lacks (😀)
    return font.script_glyph(glyph, min(style.level, SCRIPT_LEVELS)) if style.level else glyph


@lru_cache(maxsize=4096)
def _styled(char: str, style: str) -> str:
    """The character math draws for ``char`` in a run of style ``style``: italic letters (and
    lower-case Greek), bold, the minus sign for a hyphen."""
    if style == "text":
        return char
    code = ord(char)
    if style == "bf":
        if "a" <= char <= "z":
            return chr(0x1D41A + code - 0x61)
        if "A" <= char <= "Z":
            return chr(0x1D400 + code - 0x41)
        if "0" <= char <= "9":
            return chr(0x1D7CE + code - 0x30)
        return _MATH_CHARS.get(char, char)
    if style == "it" or 0x3B1 <= code <= 0x3C9:
        if "a" <= char <= "z":
            return "\u210e" if char == "h" else chr(0x1D44E + code - 0x61)
        if "A" <= char <= "Z":
            return chr(0x1D434 + code - 0x41)
        if 0x3B1 <= code <= 0x3C9:
            return chr(0x1D6FC + code - 0x3B1)
    return _MATH_CHARS.get(char, char)


def _set_sym(sym: Sym, style: Style) -> Box:
    if sym.tex in LARGE_OPERATORS and style.display:
        return _large_operator(sym, style)
    if sym.tex and sym.tex.startswith(("\\big", "\\Big")):
        return _sized(sym.text, BIG.get(sym.tex[1:].rstrip("()[]|/.\\{}"), 1), style)
    text = LARGE_OPERATORS.get(sym.tex, sym.text)
    return _beside(_char_box(_styled(char, sym.style), style) for char in text if char != " " or sym.style == "text")


def _char_box(char: str, style: Style) -> Box:
    """One character: its glyph, or for a superscript or subscript character the font lacks (ᵀ,
    ᵢ), its plain form set as a script."""
    if char.isspace():
        char = " "                   # a tab or a no-break space in text: a space
    if math_font().glyph_of(char) == 0:
        kind, _, plain = unicodedata.decomposition(char).partition(" ")
        if kind in ("<super>", "<sub>") and plain:
            inner = _char_box(chr(int(plain.split()[0], 16)), style.script())
            shift = style.constant("superscriptShiftUp") if kind == "<super>" else -style.constant("subscriptShiftDown")
            out = _raised(inner, shift)
            out.width += style.constant("spaceAfterScript")
            return out
    return _glyph_box(_char_glyph(char, style), style)


def _large_operator(sym: Sym, style: Style) -> Box:
    """A display-style ∑: the font's display size, centred on the axis."""
    glyph = math_font().glyph_of(LARGE_OPERATORS[sym.tex])
    return _centred(_stretched(glyph, style.constant("displayOperatorMinHeight"), style), style)


def _raised(box: Box, shift: float) -> Box:
    out = Box(box.width, box.height + shift, box.depth - shift, italic=box.italic)
    out.add(box, 0.0, shift)
    return out


def _centred(box: Box, style: Style) -> Box:
    """``box`` moved up or down to be centred on the math axis (a large operator, a delimiter)."""
    return _raised(box, style.constant("axisHeight") - (box.height - box.depth) / 2)


def _beside(boxes) -> Box:
    """Boxes side by side on one baseline (a box with nothing drawn is a space: it takes no height)."""
    row = Box()
    for box in boxes:
        row.add(box, row.width, 0.0)
        row.width += box.width
        if not box.empty:
            row.height, row.depth = max(row.height, box.height), max(row.depth, box.depth)
        row.italic = box.italic
    if len(row.glyphs) == 1 and not row.rules and row.glyphs[0][:2] == (0.0, 0.0):
        row.glyph = row.glyphs[0][2]        # one glyph at the origin: an accent finds its attachment
    return row


# ------------------------------------------------------------------------------------------ rows


class _Group:
    """``\\left … \\right``: set as one inner atom."""

    __slots__ = ("left", "items", "right")
    cls = "inner"

    def __init__(self, left, items, right):
        self.left, self.items, self.right = left, items, right


def _grouped(items) -> list:
    """Items with each ``\\left … \\right`` made one :class:`_Group`."""
    out, stack = [], []
    for item in items:
        tex = getattr(item, "tex", None) or ""
        if tex.startswith("\\left"):
            stack.append((out, item))
            out = []
        elif tex.startswith("\\right") and stack:
            outer, left = stack.pop()
            outer.append(_Group(left, out, item))
            out = outer
        else:
            out.append(item)
    while stack:            # a \left never closed: its items stand as they are
        outer, left = stack.pop()
        out = outer + [left] + out
    return out


def _set_seq(seq: Seq, style: Style) -> Box:
    return _row(_grouped(seq.items), style)


def _row(items, style: Style) -> Box:
    """Atoms side by side with TeX's spaces between them (none but thin ones in scripts)."""
    boxes, previous = [], None
    for item, cls in zip(items, classes(items)):
        if cls == "space":
            boxes.append(Box(_space_width(item, style)))
            continue
        cls = "ord" if cls == "unary" else "inner" if isinstance(item, (Frac, _Group)) else cls
        mu, only_big = _SPACING.get((previous, cls), (0, False))
        if mu and not (only_big and style.level):
            boxes.append(Box(style.em(mu / 18)))
        boxes.append(_set_group(item, style) if isinstance(item, _Group) else set_node(item, style))
        previous = cls
    return _beside(boxes)


def _space_width(space: Space, style: Style) -> float:
    if space.tex in SPACE_MU:
        return style.em(SPACE_MU[space.tex] / 18)
    if space.tex.endswith("."):       # \left. or \right.: an empty delimiter
        return style.em(NULL_DELIMITER)
    font = math_font()
    return style.units(font.advance(font.glyph_of(" "))) if space.text else 0.0


def _set_group(group: _Group, style: Style) -> Box:
    inner = _row(group.items, style)
    return _beside([_fence(group.left, inner, style), inner, _fence(group.right, inner, style)])


def _fence(sym, inner: Box, style: Style) -> Box:
    """A ``\\left`` or ``\\right`` delimiter as tall as TeX makes one around ``inner``."""
    if isinstance(sym, Space) or not sym.text:
        return Box(style.em(NULL_DELIMITER))
    return _delimiter(sym.text, _covering(inner, style), style)


def _covering(inner: Box, style: Style) -> float:
    """The size TeX gives a delimiter around ``inner`` (centred on the axis)."""
    axis = style.constant("axisHeight")
    reach = max(inner.height - axis, inner.depth + axis)
    return max(2 * reach * DELIMITER_FACTOR, 2 * reach - style.em(DELIMITER_SHORTFALL))


def _delimiter(char: str, size: float, style: Style) -> Box:
    """``char`` at least ``size`` points from top to bottom (a larger variant of its glyph, or
    one assembled from parts), centred on the axis."""
    return _centred(_stretched(math_font().glyph_of(char), size, style), style)


def _stretched(glyph: int, size: float, style: Style) -> Box:
    """``glyph`` at least ``size`` points from top to bottom: the smallest of its sizes that is,
    else assembled from its parts, else its largest size."""
    font = math_font()
    sizes, assembly = font.variants(glyph, True)
    for candidate, _ in sizes:
        ink = font.box(candidate)
        if ink and style.units(ink.ymax - ink.ymin) >= size:
            return _glyph_box(candidate, style)
    return _assembled(assembly, size, style) if assembly else _glyph_box(sizes[-1][0], style)


def _sized(char: str, step: int, style: Style) -> Box:
    r"""``\big(``, ``\Big(``: the font's first or second size larger than the delimiter's own."""
    font = math_font()
    sizes, _ = font.variants(font.glyph_of(char), True)
    return _centred(_glyph_box(sizes[min(step, len(sizes) - 1)][0], style), style)


def _assembled(parts, size: float, style: Style) -> Box:
    """A glyph assembly at least ``size`` points tall: its extenders repeated as often as needed,
    the overlaps between parts shared out evenly (OpenType's GlyphAssembly)."""
    font = math_font()
    overlap = font.min_connector_overlap()
    target = size * font.units_per_em / style.size
    for repeats in range(1, 64):
        pieces = [part for part in parts for _ in range(repeats if part.extender else 1)]
        longest = sum(p.advance for p in pieces) - overlap * (len(pieces) - 1)
        if longest >= target or repeats == 63:
            break
    joins = len(pieces) - 1
    most = [min(a.end, b.start) for a, b in zip(pieces, pieces[1:])]
    shared = (sum(p.advance for p in pieces) - target) / joins if joins else 0.0
    box, y = Box(), 0.0
    scale = style.size / font.units_per_em
    for k, piece in enumerate(pieces):
        box.glyphs.append((0.0, y * scale, piece.glyph, scale))
        box.width = max(box.width, font.advance(piece.glyph) * scale)
        if k < joins:
            y += piece.advance - max(overlap, min(shared, most[k]))
    top = y + pieces[-1].advance if pieces else 0.0
    box.height, box.depth = top * scale, 0.0
    return box


# ------------------------------------------------------------------------------------------ scripts


def _set_script(script: Script, style: Style) -> Box:
    base_node = script.base
    if isinstance(base_node, Sym) and base_node.tex in LARGE_OPERATORS and style.display:
        return _limits(script, style)
    base = set_node(base_node, style)
    sup = set_node(script.sup, style.script()) if script.sup is not None else None
    sub = set_node(script.sub, style.script(cramped=True)) if script.sub is not None else None
    simple = isinstance(base_node, (Sym, Accent)) or base.glyph is not None
    up = down = 0.0
    if sup is not None:
        shift = "superscriptShiftUpCramped" if style.cramped else "superscriptShiftUp"
        up = max(style.constant(shift), sup.depth + style.constant("superscriptBottomMin"),
                 0.0 if simple else base.script_height - style.constant("superscriptBaselineDropMax"))
    if sub is not None:
        down = style.constant("subscriptShiftDown")
        if not simple:
            down = max(down, base.depth + style.constant("subscriptBaselineDropMin"))
        down = max(down, sub.height - style.constant("subscriptTopMax"))
    if sup is not None and sub is not None:     # too close: raise the superscript as far as allowed, then lower the subscript
        gap = (up - sup.depth) - (sub.height - down)
        least = style.constant("subSuperscriptGapMin")
        if gap < least:
            raised = min(least - gap, max(0.0, style.constant("superscriptBottomMaxWithSubscript") - (up - sup.depth)))
            up += raised
            down += least - gap - raised
    out = Box(base.width, base.height, base.depth, italic=0.0)
    out.add(base, 0.0, 0.0)
    end = base.width
    if sup is not None:
        x = base.width + max(base.italic, base.overhang)
        out.add(sup, x, up)
        out.height = max(out.height, up + sup.height)
        end = max(end, x + sup.width)
    if sub is not None:
        out.add(sub, base.width, -down)
        out.depth = max(out.depth, down + sub.depth)
        end = max(end, base.width + sub.width)
    out.width = end + style.constant("spaceAfterScript")
    out.script_height = out.height
    return out


def _limits(script: Script, style: Style) -> Box:
    """A display-style ∑ with its limits above and below, centred."""
    base = set_node(script.base, style)
    sup = set_node(script.sup, style.script()) if script.sup is not None else None
    sub = set_node(script.sub, style.script(cramped=True)) if script.sub is not None else None
    width = max(box.width for box in (base, sup, sub) if box is not None)
    out = Box(width, base.height, base.depth)
    out.add(base, (width - base.width) / 2, 0.0)
    if sup is not None:
        rise = max(style.constant("upperLimitGapMin") + sup.depth, style.constant("upperLimitBaselineRiseMin"))
        out.add(sup, (width - sup.width) / 2 + base.italic / 2, base.height + rise)
        out.height = base.height + rise + sup.height
    if sub is not None:
        drop = max(style.constant("lowerLimitGapMin") + sub.height, style.constant("lowerLimitBaselineDropMin"))
        out.add(sub, (width - sub.width) / 2 - base.italic / 2, -(base.depth + drop))
        out.depth = base.depth + drop + sub.depth
    out.script_height = out.height
    return out


# ------------------------------------------------------------------------------------------ fractions, roots


def _set_frac(frac: Frac, style: Style) -> Box:
    parts = style.text()
    num, den = set_node(frac.num, parts), set_node(frac.den, parts.cramp())
    display = style.display
    rule = style.constant("fractionRuleThickness")
    axis = style.constant("axisHeight")
    up = max(style.constant("fractionNumeratorDisplayStyleShiftUp" if display else "fractionNumeratorShiftUp"),
             axis + rule / 2 + style.constant("fractionNumDisplayStyleGapMin" if display else "fractionNumeratorGapMin")
             + num.depth)
    down = max(style.constant("fractionDenominatorDisplayStyleShiftDown" if display else
                              "fractionDenominatorShiftDown"),
               rule / 2 - axis + style.constant("fractionDenomDisplayStyleGapMin" if display else
                                                "fractionDenominatorGapMin") + den.height)
    pad = style.em(NULL_DELIMITER)
    width = max(num.width, den.width)
    out = Box(width + 2 * pad, up + num.height, down + den.depth)
    out.add(num, pad + (width - num.width) / 2, up)
    out.add(den, pad + (width - den.width) / 2, -down)
    out.rules.append((pad, axis - rule / 2, width, rule))
    out.height, out.depth = max(out.height, axis + rule / 2), max(out.depth, rule / 2 - axis)
    return out


def _set_root(root: Root, style: Style) -> Box:
    body = set_node(root.body, style.cramp())
    rule = style.constant("radicalRuleThickness")
    gap = style.constant("radicalDisplayStyleVerticalGap" if style.display else "radicalVerticalGap")
    sign = _stretched(math_font().glyph_of("\u221a"), body.height + body.depth + gap + rule, style)
    clearance = max(gap, (sign.height + sign.depth - rule - body.height - body.depth) / 2)
    top = body.height + clearance + rule
    out = Box(sign.width + body.width, top + style.constant("radicalExtraAscender"), max(body.depth, 0.0))
    out.add(sign, 0.0, top - sign.height)
    out.depth = max(out.depth, sign.depth - (top - sign.height))
    out.add(body, sign.width, 0.0)
    out.rules.append((sign.width, top - rule, body.width, rule))
    out.height = top
    return out


# ------------------------------------------------------------------------------------------ accents, rules


def _set_accent(accent: Accent, style: Style) -> Box:
    body = set_node(accent.body, style.cramp())
    if accent.name == "overline":
        return _overbar(body, style)
    font = math_font()
    mark = font.glyph_of(_ACCENT_CHARS[accent.name])
    sizes, _ = font.variants(mark, False)
    scale = style.size / font.units_per_em
    fitting = [size for size, _ in sizes[1:] if font.advance(size) * scale <= body.width]
    mark = fitting[-1] if fitting else mark    # the widest size no wider than the body
    mark_box = _glyph_box(mark, style)
    mark_ink = font.box(mark)
    attach = font.accent_attachment(mark)
    mark_attach = (attach if attach is not None else (mark_ink.xmin + mark_ink.xmax) / 2 if mark_ink else 0) * scale
    body_attach = body.width / 2
    if body.glyph is not None:
        own = font.accent_attachment(body.glyph)
        body_attach = own * scale if own is not None else body_attach
    lift = max(0.0, body.height - style.constant("accentBaseHeight"))
    out = Box(body.width, body.height, body.depth, italic=body.italic)
    out.add(body, 0.0, 0.0)
    out.add(mark_box, body_attach - mark_attach, lift)
    if not mark_box.empty:
        out.height = max(out.height, lift + mark_box.height)
    out.script_height = body.height
    if mark_ink is not None:
        out.overhang = max(0.0, body_attach - mark_attach + mark_ink.xmax * scale - body.width)
    return out


def _overbar(body: Box, style: Style) -> Box:
    rule, gap = style.constant("overbarRuleThickness"), style.constant("overbarVerticalGap")
    out = Box(body.width, body.height + gap + rule, body.depth, italic=body.italic)
    out.add(body, 0.0, 0.0)
    out.rules.append((0.0, body.height + gap, body.width, rule))
    out.script_height = body.height
    return out


def _set_underline(node: Underline, style: Style) -> Box:
    body = set_node(node.body, style)
    rule, gap = style.constant("underbarRuleThickness"), style.constant("underbarVerticalGap")
    depth = max(body.depth, 0.0) + gap
    out = Box(body.width, body.height, depth + rule, italic=body.italic)
    out.add(body, 0.0, 0.0)
    out.rules.append((0.0, -depth - rule, body.width, rule))
    return out


def _set_phantom(node: Phantom, style: Style) -> Box:
    body = set_node(node.body, style)
    out = Box(body.width, body.height, body.depth)
    out.room.append((0.0, -body.depth, body.width, body.height))
    return out


def _set_space(space: Space, style: Style) -> Box:
    return Box(_space_width(space, style))


# ------------------------------------------------------------------------------------------ matrices


def _set_env(env: Env, style: Style) -> Box:
    cells_style = style.text()
    rows = [[set_node(cell, cells_style) for cell in row] for row in env.rows]
    columns = max((len(row) for row in rows), default=0)
    widths = [max((row[k].width for row in rows if k < len(row)), default=0.0) for k in range(columns)]
    gap = style.em(COLUMN_GAP)
    strut_height, strut_depth = style.em(STRUT[0]), style.em(STRUT[1])
    table, y = Box(sum(widths) + gap * max(columns - 1, 0)), 0.0
    placed = []
    for row in rows:
        height = max([strut_height] + [cell.height for cell in row])
        depth = max([strut_depth] + [cell.depth for cell in row])
        y -= height
        placed.append((row, y))
        y -= depth
    total = -y
    centre = style.constant("axisHeight")
    for row, baseline in placed:
        x = 0.0
        for k, cell in enumerate(row):
            left = x if env.kind == "cases" else x + (widths[k] - cell.width) / 2
            table.add(cell, left, baseline + total / 2 + centre)
            x += widths[k] + gap
    table.height, table.depth = total / 2 + centre, total / 2 - centre
    opening, closing = _ENV_DELIMITERS[env.kind]
    return _beside(part if isinstance(part, Box) else _delimiter(part, _covering(table, style), style)
                   for part in (opening, table, closing) if part is not None)


_SETTERS = {Sym: _set_sym, Seq: _set_seq, Script: _set_script, Frac: _set_frac, Root: _set_root,
            Accent: _set_accent, Underline: _set_underline, Phantom: _set_phantom, Space: _set_space,
            Env: _set_env}


# ------------------------------------------------------------------------------------------ drawing


def _drawn(box: Box, color: str) -> tuple:
    """(width, height, fragment) of the box drawn with its top-left corner at (0, 0): across, its
    advance or its ink where that reaches further; up and down, its ink."""
    font = math_font()
    inked = []       # (left, bottom, right, top, glyph) of each glyph with ink
    for x, y, glyph, scale in box.glyphs:
        ink = font.box(glyph)
        if ink is not None and ink.xmax > ink.xmin and ink.ymax > ink.ymin:
            inked.append((x + ink.xmin * scale, y + ink.ymin * scale, x + ink.xmax * scale, y + ink.ymax * scale, glyph))
    extents = [g[:4] for g in inked] + [(x, y, x + w, y + h) for x, y, w, h in box.rules] + box.room
    if not extents:
        return round(box.width, 3), 0.0, "<g />"
    left, top = min([0.0] + [e[0] for e in extents]), max(e[3] for e in extents)
    right, bottom = max([box.width] + [e[2] for e in extents]), min(e[1] for e in extents)
    group = ET.Element("g")
    for glyph in dict.fromkeys(g[4] for g in inked):
        ink = font.box(glyph)
        symbol = ET.SubElement(group, "symbol", {"id": f"{GLYPH_ID}{glyph}", "viewBox": f"{ink.xmin} {-ink.ymax} "
                                                 f"{ink.xmax - ink.xmin} {ink.ymax - ink.ymin}"})
        ET.SubElement(symbol, "path", {"d": font.outline(glyph).path})
    for x0, y0, x1, y1, glyph in inked:
        ET.SubElement(group, "use", {"href": f"#{GLYPH_ID}{glyph}", "x": _f(x0 - left), "y": _f(top - y1),
                                     "width": _f(x1 - x0), "height": _f(y1 - y0), "fill": color})
    for x, y, w, h in box.rules:
        if h > 0:
            ET.SubElement(group, "rect", {"x": _f(x - left), "y": _f(top - (y + h)), "width": _f(w),
                                          "height": _f(h), "fill": color})
    return round(right - left, 3), round(top - bottom, 3), ET.tostring(group, encoding="unicode")


def _f(value: float) -> str:
    text = f"{value:.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
