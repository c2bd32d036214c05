r"""LaTeX math drawn as SVG outlines, measured first so a layout can make room for it.

No TeX installation is needed: graphjac's typesetter (:mod:`.typesetter`) sets the formula in
the STIX Two Math font and draws every glyph as a path, so the SVG (and the PDF or PNG made
from it) looks the same everywhere.

>>> f = formula(r"\frac{\partial J}{\partial z}", 14)
>>> f.height > 20 > f.width               # a stacked fraction: taller than it is wide
True
>>> label = Label.of([(r"z = \vec{x}^{T} \vec{w} + b", 14), ("= -0.7", 11)])
>>> label.width == max(line.width for line in label.lines)
True
>>> across = Label.of([(r"z = \vec{x}^{T} \vec{w} + b", 14), ("= -0.7", 11)], across=True)
>>> across.width > label.width and across.height < label.height      # side by side: wider, lower
True
"""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Optional

from graphjac.core.records import field, record
from graphjac.render.math import formula_cache

LINE_GAP = 0.3        # space between the lines of a label, in ems of the smaller line
SIDE_GAP = 0.35       # space between the lines of a label set side by side, in ems of the smaller line
SVG_NS = "http://www.w3.org/2000/svg"

# --- one formula -----------------------------------------------------------------------------------

@record
class Formula:
    """One line of math, set: its size in points and how to draw it.

    ``fragment`` is the SVG the typesetter drew with the formula's top-left corner at (0, 0); drawing
    it elsewhere moves it there, so a fragment from the cache and a fresh one give the same bytes.
    """

    latex: str
    size: float
    color: str
    width: float
    height: float
    fragment: str = field(repr=False, compare=False)

    def draw(self, parent: ET.Element, x: float, top: float) -> None:
        """Draw the formula into ``parent`` with its top-left corner at (x, top), SVG coordinates."""
        group = copy.deepcopy(_parsed(self.fragment))
        group.set("transform", f"translate({x:.3f} {top:.3f})")
        parent.append(group)


MEMORY = 4096     # formulas a process keeps (the oldest are let go first)
_KEPT = {}        # (latex, size, colour) -> Formula, set or read in this process
_PARSED = {}      # fragment -> its element tree, read once (a copy of it is drawn: ten times faster)


def _parsed(fragment: str) -> ET.Element:
    if fragment not in _PARSED:
        _PARSED[fragment] = ET.fromstring(fragment)
        _let_go(_PARSED)
    return _PARSED[fragment]


def _let_go(kept: dict) -> None:
    """Let the oldest of ``kept`` go until it holds :data:`MEMORY`."""
    while len(kept) > MEMORY:
        del kept[next(iter(kept))]


def set_formula(latex: str, size: float, color: str = "black") -> tuple:
    """(width, height, fragment) of a formula set afresh (the typesetter is loaded only then: a
    render whose formulas are all cached needs none of it)."""
    from graphjac.render.math.math_layout import set_formula as typeset
    return typeset(latex, size, color)


def formula(latex: str, size: float, color: str = "black") -> Formula:
    """``latex`` (math mode, no ``$``) set at ``size`` points, measured; kept in memory and on
    disk (:mod:`.formula_cache`), so each formula is set once."""
    key = (latex, size, color)
    if key not in _KEPT:
        cached = formula_cache.load(*key)
        if cached is None:
            cached = set_formula(*key)
            formula_cache.store(*key, *cached)
        if len(_KEPT) >= MEMORY:
            del _KEPT[next(iter(_KEPT))]
        _KEPT[key] = Formula(*key, *cached)
    return _KEPT[key]


def kept_together(requests):
    """A context in which the formulas of ``requests`` (``(latex, size, colour)``, a figure's) are
    read from one cache entry at once, and kept so on leaving it if they were not."""
    return _Together(list(dict.fromkeys(tuple(r) for r in requests)))


class _Together:
    def __init__(self, requests):
        self.requests = requests
        self.found = False

    def __enter__(self):
        missing = [r for r in self.requests if r not in _KEPT]
        found = formula_cache.load_many(self.requests, _PARSED) if missing else {}
        self.found = all(r in found for r in missing)   # else a part is kept afresh on leaving
        for key, answer in found.items():
            if key not in _KEPT:
                _KEPT[key] = Formula(*key, *answer)
        _let_go(_PARSED)
        return self

    def __exit__(self, kind, error, trace):
        if kind is None and not self.found and all(r in _KEPT for r in self.requests):
            formula_cache.store_many(self.requests, [(_KEPT[r].width, _KEPT[r].height, _KEPT[r].fragment)
                                                     for r in self.requests])
        return False


def forget() -> None:
    """Let go of the formulas kept in memory (the disk cache stays)."""
    _KEPT.clear()
    _PARSED.clear()


# --- a label: lines of math, centred -----------------------------------------------------------

@record
class Label:
    """Lines of math stacked and centred, as a node or an edge shows them, or (``across``) set
    side by side on one line, each centred on it (a compact figure's nodes)."""

    lines: tuple
    across: bool = False

    @classmethod
    def of(cls, lines, color: str = "black", across: bool = False) -> "Label":
        """A label from ``(latex, size)`` pairs (or ``(latex, size, colour)`` for a line of its own colour)."""
        return cls(tuple(formula(line[0], line[1], line[2] if len(line) > 2 else color) for line in lines), across)

    @property
    def width(self) -> float:
        if self.across:
            return sum(line.width for line in self.lines) + sum(self._gaps())
        return max((line.width for line in self.lines), default=0.0)

    @property
    def height(self) -> float:
        if self.across:
            return max((line.height for line in self.lines), default=0.0)
        return sum(line.height for line in self.lines) + sum(self._gaps())

    def _gaps(self):
        gap = SIDE_GAP if self.across else LINE_GAP
        return [gap * min(a.size, b.size) for a, b in zip(self.lines, self.lines[1:])]

    def boxes(self, cx: float, cy: float) -> list:
        """(x, top, width, height) of each line when the label is centred on (cx, cy), SVG coordinates."""
        out, x, top = [], cx - self.width / 2, cy - self.height / 2
        for line, gap in zip(self.lines, self._gaps() + [0.0]):
            if self.across:
                out.append((x, cy - line.height / 2, line.width, line.height))
                x += line.width + gap
            else:
                out.append((cx - line.width / 2, top, line.width, line.height))
                top += line.height + gap
        return out

    def draw(self, parent: ET.Element, cx: float, cy: float, line_ids: Optional[str] = None) -> None:
        """Draw the label centred on (cx, cy), SVG coordinates (y down); with ``line_ids``, each
        line in a group of its own, ``<line_ids>.<k>`` (frames reveal them one at a time)."""
        for k, (line, (x, top, _, _)) in enumerate(zip(self.lines, self.boxes(cx, cy))):
            into = parent if line_ids is None else ET.SubElement(parent, f"{{{SVG_NS}}}g", {"id": f"{line_ids}.{k}"})
            line.draw(into, x, top)


def hoist_symbols(svg: ET.Element) -> None:
    """Move every glyph ``<symbol>`` into one ``<defs>`` at the top of ``svg``, each id once.

    Each formula carries the outlines of its glyphs beside it (a cached one must stand alone);
    in one figure with many formulas that would repeat ids, which SVG forbids. Two different
    outlines under one id (a cache entry of an older font) are told apart by renaming.
    """
    tag = svg.tag.split("}")[0] + "}" if svg.tag.startswith("{") else ""
    symbols, outlines = {}, {}
    for parent in list(svg.iter()):
        for child in list(parent):
            if child.tag not in (tag + "symbol", "symbol"):
                continue
            parent.remove(child)
            key, n = child.get("id"), 1
            while key in symbols and outlines.setdefault(key, _outline(symbols[key])) != _outline(child):
                n += 1
                key = f"{child.get('id')}-{n}"
            if key != child.get("id"):
                for use in parent.iter():
                    if use.get("href") == "#" + child.get("id"):
                        use.set("href", "#" + key)
                child.set("id", key)
            symbols.setdefault(key, child)
    if symbols:
        defs = ET.Element(tag + "defs")
        defs.extend(symbols[key] for key in sorted(symbols))
        svg.insert(0, defs)


def _outline(symbol):
    """What a glyph ``<symbol>`` draws, without its id."""
    parts = [(part.tag, sorted(part.attrib.items())) for part in symbol.iter() if part is not symbol]
    return symbol.get("viewBox"), parts


def inline_symbols(svg: ET.Element) -> None:
    """Draw every glyph ``<use>`` of a ``<symbol>`` as the symbol's own paths, placed as SVG
    places a symbol in the use's viewport (``xMidYMid meet``): the same picture, for cairosvg,
    which reads the whole document again for every ``<use>`` (two seconds for a figure of a
    thousand glyphs)."""
    tag = svg.tag.split("}")[0] + "}" if svg.tag.startswith("{") else ""
    symbols = {s.get("id"): s for s in svg.iter(tag + "symbol")}
    for parent in svg.iter():
        for k, use in enumerate(list(parent)):
            symbol = symbols.get((use.get("href") or "").removeprefix("#")) if use.tag == tag + "use" else None
            if symbol is None or use.get("width") is None or symbol.get("viewBox") is None:
                continue
            vx, vy, vw, vh = (float(v) for v in symbol.get("viewBox").split())
            x, y, width, height = (float(use.get(name, 0)) for name in ("x", "y", "width", "height"))
            if min(vw, vh, width, height) <= 0:   # an empty viewport or viewBox draws nothing
                parent[k] = ET.Element(tag + "g")
                continue
            scale = min(width / vw, height / vh)
            dx, dy = x + (width - vw * scale) / 2 - vx * scale, y + (height - vh * scale) / 2 - vy * scale
            group = ET.Element(tag + "g", {"transform": f"translate({dx:.4f} {dy:.4f}) scale({scale:.6f})"})
            if use.get("fill"):
                group.set("fill", use.get("fill"))
            group.extend(symbol)
            parent[k] = group
    for defs in svg.iter(tag + "defs"):
        for symbol in [s for s in defs if s.tag == tag + "symbol"]:
            defs.remove(symbol)
