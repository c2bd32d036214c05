r"""Text that a screen reader and a page search can read in an SVG figure.

Typeset math is glyph outlines, and Graphviz titles its elements ``n0`` and ``n0->n4``. Every
node and edge gets its formula in Unicode instead, as its ``<title>`` and its ``aria-label``;
the figure gets ``role="img"``, its title as ``aria-label`` and a ``<desc>`` that reads the
whole graph, forward then backward. Everything comes from the figure model, so the same
figure gives the same bytes.

>>> import graphjac as gj
>>> from graphjac.render import figure_for
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> g.backward(z)
>>> spoken(figure_for(g))["n2"].replace("\u2009", " ")   # a thin space between x and y
'z = x y = 6'
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path

from graphjac.io import cache
from graphjac.notation.mathtext import to_unicode
from graphjac.render.layout.geometry import texts
from graphjac.version import __version__

SVG = "{http://www.w3.org/2000/svg}"


def spoken(figure) -> dict:
    """Figure id (``n3``, ``e5``) -> what its label says, in Unicode; a forward edge says which
    nodes it joins."""
    lines = texts(figure)
    said = iter(in_unicode([line for value in lines.values() for line, _ in value]))
    out = {key: _joined(next(said) for _ in value) for key, value in lines.items()}
    names = {node.id: out.get(node.id) or node.name or node.id for node in figure.nodes}
    for k, edge in enumerate(figure.edges):
        if f"e{k}" not in out and edge.direction in ("forward", "backward"):
            arrow = "→" if edge.direction == "forward" else "← the gradient from"
            out[f"e{k}"] = f"{_short(names.get(edge.src, edge.src))} {arrow} {_short(names.get(edge.dst, edge.dst))}"
    return {key: text for key, text in out.items() if text}


def _joined(lines) -> str:
    """A label's lines as one phrase: a value line (``= 6``) follows its formula with a space."""
    out = ""
    for line in filter(None, lines):
        out += (" " if line.startswith("=") else ", ") + line if out else line
    return out


def _unicode(latex) -> str:
    text = to_unicode(latex).strip()
    return "" if text in ("", " ") else text


UNICODE = "unicode"          # the cache folder's kind: a figure's lines in Unicode
UNICODE_LIMIT = 20 * 2**20   # bytes that folder may hold


def in_unicode(lines: list) -> list:
    """Each LaTeX line of ``lines`` in Unicode (:func:`_unicode`); all of a figure's lines are
    kept as one entry of graphjac's cache, so that a figure drawn again reads them back at once
    instead of reading every formula again (a third of a second for 200 nodes). An entry is used
    only if it answers these lines, read by this reader, with plain text."""
    where = cache.folder(UNICODE)
    if where is None:
        return [_unicode(line) for line in lines]
    request = {"lines": list(lines), "reader": _reader()}
    path = cache.entry_path(where, request)
    entry = cache.read_entry(path)
    if isinstance(entry, dict) and entry.get("request") == request and _plain(entry.get("texts"), len(lines)):
        cache.used(path)
        return entry["texts"]
    said_texts = [_unicode(line) for line in lines]
    cache.write_entry(path, {"request": request, "texts": said_texts}, UNICODE_LIMIT)
    return said_texts


@lru_cache(maxsize=1)
def _reader() -> str:
    """The LaTeX reader's code, which decides the Unicode (a change reads every line afresh)."""
    from graphjac.notation import mathtext
    return cache.code_digest(Path(mathtext.__file__).parent, ["mathtext.py"]) + " " + __version__


def _plain(said_texts, count) -> bool:
    """Whether ``said_texts`` is ``count`` strings of text that XML can hold (no control characters)."""
    return isinstance(said_texts, list) and len(said_texts) == count and all(
        isinstance(t, str) and not any(ord(c) < 32 or 0xFFFE <= ord(c) <= 0xFFFF or 0xD800 <= ord(c) <= 0xDFFF
                                       for c in t) for t in said_texts)


def _short(text: str) -> str:
    """A node named by its formula's left side (``z`` of ``z = x y, = 6``)."""
    return text.split(" = ")[0].split(",")[0]


def label_elements(svg: ET.Element, figure, centres=None) -> None:
    """Give ``svg`` (Graphviz's drawing of ``figure``) its readable titles, labels and summary,
    and each label its words as invisible text where it is drawn (at ``centres[key]``, SVG
    coordinates, for typeset labels), so that a page search finds them."""
    said = spoken(figure)
    for element in list(svg.iter(f"{SVG}g")):
        key, _, piece = element.get("id", "").partition("~")   # e7~1: a piece of a wire returning to the next row
        text = said.get(key)
        if text is None:
            continue
        title = element.find(f"{SVG}title")
        if title is not None:
            title.text = text
        if piece not in ("", "0"):   # the wire is said once, on its first piece
            element.set("aria-hidden", "true")
            continue
        element.set("aria-label", text)
        where = (centres or {}).get(key) or _first_text(element)
        if where is not None:
            say_unseen(element, where[0], where[1], text)
    title = heading(figure)
    svg.set("role", "img")
    svg.set("aria-label", title)
    description = ET.Element(f"{SVG}desc")
    description.text = _summary(figure, said)
    title_element = ET.Element(f"{SVG}title")
    title_element.text = title
    svg.insert(0, description)
    svg.insert(0, title_element)


def say_unseen(parent: ET.Element, x: float, y: float, text: str, size: float = 4.0, anchor: str = "middle"):
    """``text`` as invisible text at (x, y), SVG coordinates: what a page search, a copy, a screen
    reader and a PDF's text layer find where a typeset formula is drawn as outlines (cairo's PDF
    keeps it at an alpha of 1/255, see :func:`.composer.convert`)."""
    ET.SubElement(parent, f"{SVG}text", {"x": f"{x:.2f}", "y": f"{y:.2f}", "font-size": f"{size:g}",
                                         "text-anchor": anchor, "fill-opacity": "0",
                                         "aria-hidden": "true"}).text = text


def unseen(element: ET.Element) -> bool:
    """Whether ``element`` is text :func:`say_unseen` wrote."""
    return element.tag == f"{SVG}text" and element.get("fill-opacity") == "0" and element.get("aria-hidden") == "true"


def heading(figure) -> str:
    """The figure's title in Unicode, its lines joined ("a computational graph" without one)."""
    return ", ".join(filter(None, (_unicode(line) for line in figure.title))) or "a computational graph"


def _first_text(element):
    """Where Graphviz wrote the element's own label (its first text), or None."""
    found = element.find(f".//{SVG}text")
    try:
        return (float(found.get("x")), float(found.get("y"))) if found is not None else None
    except (TypeError, ValueError):
        return None


def _summary(figure, said) -> str:
    nodes = [said[node.id] for node in figure.nodes if node.id in said and node.role not in ("ellipsis",)]
    backward = [said[f"e{k}"] for k, edge in enumerate(figure.edges)
                if edge.direction == "backward" and edge.label and f"e{k}" in said]
    text = f"A computational graph of {len(nodes)} nodes: " + "; ".join(nodes) + "."
    if backward:
        text += " Backward: " + "; ".join(backward) + "."
    return text
