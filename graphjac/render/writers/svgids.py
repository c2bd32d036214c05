"""Ids of an SVG figure that stay unique on a page holding many figures.

Graphviz numbers its elements ``node1``, ``edge1``…, and the typeset glyphs are named after the
font, so two figures inlined in one HTML page would share ids (and one figure's ``<use>`` could
draw another's glyph). Every id of a figure gets a prefix derived from the figure's content —
the same input gives the same bytes — and a page that shows the same figure twice numbers the
second copy (:func:`numbered`).

>>> svg = '<svg><g id="node1"/><use href="#node1"/><path fill="url(#grad)"/></svg>'
>>> prefixed(svg)
'<svg><g id="gj3bee11-node1"/><use href="#gj3bee11-node1"/><path fill="url(#gj3bee11-grad)"/></svg>'
>>> numbered(prefixed(svg), 2).count("gj3bee11-2-")
3
"""

from __future__ import annotations

import hashlib
import re

_REFERENCES = re.compile(r'(\sid="|href="#|url\(#)(?=[^")])')   # what comes before an id or a reference to one
_PREFIX = re.compile(r'\bid="(gj[0-9a-f]{6})-')


def prefixed(svg: str) -> str:
    """``svg`` with every id (and every reference to one) prefixed by ``gj`` and a hash of ``svg``."""
    prefix = "gj" + hashlib.sha256(svg.encode("utf-8")).hexdigest()[:6] + "-"
    return _REFERENCES.sub(r"\g<1>" + prefix, svg)


def numbered(svg: str, copy: int) -> str:
    """The ``copy``-th appearance of a prefixed figure on one page (1: as it is)."""
    found = _PREFIX.search(svg)
    if copy <= 1 or found is None:
        return svg
    return svg.replace(found.group(1) + "-", f"{found.group(1)}-{copy}-")

