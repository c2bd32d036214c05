"""A persistent cache of typeset formulas, so that re-rendering a figure does no typesetting.

Each formula the typesetter sets is kept as an entry of graphjac's cache folder
(:mod:`graphjac.io.cache`, its ``formulas`` folder), named by a hash of the LaTeX, the size, the
colour, graphjac's version and typesetting code (the reader, the typesetter and its font reader)
and the font file. The folder holds at most :data:`LIMIT` bytes: every value edited in a figure
makes new formulas, and every new version of graphjac new entries for all of them.

A figure's formulas are also kept together, :data:`TOGETHER` to an entry (:func:`load_many`,
:func:`store_many`), so that a figure drawn again reads a few files and parses them once, not one
of each a formula; the bundle's fragments are checked as one alone would be, and so are the joins
between them.

An entry is used only if its content checks out: the same LaTeX, size, colour and version as
asked for, a digest of all of it that matches, bounded measures, and an SVG fragment made only
of the elements and attributes the typesetter draws (glyph outlines, their uses, fraction
rules), with no references outside itself. Anything else — a corrupt, truncated, edited or
foreign file — is ignored and replaced.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Optional

from graphjac.errors import FontError
from graphjac.io import cache
from graphjac.render.math.opentype import font_path
from graphjac.version import __version__

FORMAT = 3   # the layout of an entry; bump when it changes
LIMIT = 100 * 2**20          # bytes the folder may hold (about 12,000 formulas)
KIND = "formulas"

# What the typesetter draws, and nothing else: tags, and each attribute's allowed values.
_NUMBER = r"-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?"
_ALLOWED_TAGS = {"g", "symbol", "path", "use", "rect"}
_ALLOWED_VALUES = {
    "id": re.compile(r"[A-Za-z][\w.-]{0,80}"),
    "href": re.compile(r"#[A-Za-z][\w.-]{0,80}"),
    "x": re.compile(_NUMBER), "y": re.compile(_NUMBER),
    "width": re.compile(_NUMBER), "height": re.compile(_NUMBER),
    "viewBox": re.compile(rf"{_NUMBER}( {_NUMBER}){{3}}"),
    "fill": re.compile(r"#[0-9A-Fa-f]{3,8}|[a-z]{1,20}|none"),
    "d": re.compile(r"[MLQCZHVmlqczhvAaSsTt0-9eE .,+-]*"),
}


def folder() -> Optional[Path]:
    """Where entries live, or None when the cache is turned off or the folder is not graphjac's."""
    return cache.folder(KIND)


# graphjac's code that decides what a formula looks like: its reader, the typesetter, the font's reader
_TYPESETTING = ("../../notation/mathtext.py", "math_layout.py", "opentype.py")


@lru_cache(maxsize=1)
def _installation() -> str:
    """graphjac's version and typesetting code, and the font file in use (found, not opened:
    that costs time). A change to either sets formulas afresh, also within one version."""
    try:
        font = cache.stamp(font_path())
    except FontError:
        font = "?"
    code = cache.code_digest(Path(__file__).parent, _TYPESETTING)
    return f"graphjac {__version__} {code}; font {font}; format {FORMAT}"


def _request(latex: str, size: float, color: str) -> dict:
    return {"latex": latex, "size": size, "color": color, "installation": _installation()}


def _path(where: Path, request: dict) -> Path:
    return cache.entry_path(where, request)


def _digest(request: dict, width, height, fragment) -> str:
    """What binds an entry's answer to its question: a hash of both."""
    return cache.digest([request, width, height, fragment])


def load(latex: str, size: float, color: str) -> Optional[tuple]:
    """(width, height, fragment) of a cached formula, or None if absent or not to be trusted."""
    where = folder()
    if where is None:
        return None
    request = _request(latex, size, color)
    path = _path(where, request)
    found = _checked(cache.read_entry(path), request)
    if found is not None:
        cache.used(path)
    return found


def holds(latex: str, size: float, color: str) -> bool:
    """Whether an entry for the formula is there (a quick look: :func:`load` still checks it)."""
    where = folder()
    return where is not None and cache.exists(_path(where, _request(latex, size, color)))


def store(latex: str, size: float, color: str, width: float, height: float, fragment: str) -> None:
    """Keep a formula for next time (quietly nothing if the folder cannot be written)."""
    where = folder()
    if where is None:
        return
    request = _request(latex, size, color)
    entry = dict(request, width=width, height=height, fragment=fragment,
                 digest=_digest(request, width, height, fragment))
    if _checked(entry, request) is None:   # never store what would not be trusted
        return
    cache.write_entry(_path(where, request), entry, LIMIT)


# ------------------------------------------------------------------------------ a figure's formulas at once

def _bundle_request(requests) -> dict:
    return {"formulas": [list(r) for r in requests], "installation": _installation(), "bundle": FORMAT}


TOGETHER = 100   # formulas an entry of :func:`store_many` holds (each carries its glyphs: about 5 kB)


def load_many(requests, parsed=None) -> dict:
    """``(latex, size, colour)`` -> (width, height, fragment) of ``requests``, kept together by
    :func:`store_many` in entries of :data:`TOGETHER` (one file read and one parse for each,
    not one of each a formula); a part with no entry to be trusted is left out. ``parsed``, a
    dict, receives each fragment's element tree as the check read it (fragment -> ``<g>``)."""
    found = {}
    for start in range(0, len(requests), TOGETHER):
        found.update(_load_part(requests[start:start + TOGETHER], parsed))
    return found


def store_many(requests, answers) -> None:
    """Keep a figure's formulas (``answers``: their (width, height, fragment)) in entries of
    :data:`TOGETHER`."""
    for start in range(0, len(requests), TOGETHER):
        _store_part(requests[start:start + TOGETHER], answers[start:start + TOGETHER])


def _load_part(requests, parsed=None) -> dict:
    where = folder()
    if where is None or not requests:
        return {}
    question = _bundle_request(requests)
    path = _path(where, question)
    entry = cache.read_entry(path)
    if not isinstance(entry, dict) or set(entry) != set(question) | {"answers", "digest"} \
            or any(entry[key] != value for key, value in question.items()):
        return {}
    answers = entry["answers"]
    if entry["digest"] != cache.digest([question, answers]) or not isinstance(answers, list) \
            or len(answers) != len(requests):
        return {}
    for (latex, size, _), answer in zip(requests, answers):
        if not isinstance(answer, list) or len(answer) != 3 or not _measured(answer[:2], latex, size):
            return {}
    groups = _safe_fragments([answer[2] for answer in answers])
    if groups is None:
        return {}
    if parsed is not None:
        parsed.update((answer[2], group) for answer, group in zip(answers, groups))
    cache.used(path)
    return {tuple(r): (float(a[0]), float(a[1]), a[2]) for r, a in zip(requests, answers)}


def _store_part(requests, answers) -> None:
    where = folder()
    if where is None or not requests:
        return
    question = _bundle_request(requests)
    answers = [[float(w), float(h), fragment] for w, h, fragment in answers]
    cache.write_entry(_path(where, question), dict(question, answers=answers,
                                                   digest=cache.digest([question, answers])), LIMIT)


def _measured(measures, latex, size) -> bool:
    """Whether ``measures`` are numbers a formula of ``latex`` at ``size`` can measure."""
    most = _largest_measure(latex, size)
    return all(not isinstance(m, bool) and isinstance(m, (int, float)) and math.isfinite(m) and 0 <= m <= most
               for m in measures)


def _checked(entry, request) -> Optional[tuple]:
    """The entry's (width, height, fragment) if its content is what the typesetter would have made for
    ``request``: the same question, a digest that binds the answer to it, bounded measures and
    a fragment of glyphs only."""
    if not isinstance(entry, dict) or set(entry) != set(request) | {"width", "height", "fragment", "digest"}:
        return None
    if any(entry[key] != value for key, value in request.items()):
        return None
    width, height, fragment = entry["width"], entry["height"], entry["fragment"]
    if entry["digest"] != _digest(request, width, height, fragment):
        return None
    if not _measured((width, height), request["latex"], request["size"]):
        return None
    if not isinstance(fragment, str) or not _safe_fragment(fragment):
        return None
    return float(width), float(height), fragment


def _largest_measure(latex, size) -> float:
    """More than any formula of ``latex`` can measure: two ems a character, and two for the ends."""
    if not isinstance(latex, str) or isinstance(size, bool) or not isinstance(size, (int, float)):
        return -1.0
    return 2.0 * size * (len(latex) + 2)


def _safe_fragment(fragment: str) -> bool:
    """A ``<g>`` of glyph symbols, uses of them, paths and rules; every use refers to a symbol in it."""
    try:
        root = ET.fromstring(fragment)
    except ET.ParseError:
        return False
    return _safe_group(root)


_APART = "<s/>"   # between a bundle's fragments as they are checked (no fragment may hold it)


def _safe_fragments(fragments) -> Optional[list]:
    """The ``<g>`` of each of ``fragments`` if every one is safe as :func:`_safe_fragment` says
    (else None), read in one parse: joined by :data:`_APART`, they must parse as exactly those
    groups, one between each two marks."""
    if not all(isinstance(f, str) and _APART not in f for f in fragments):
        return None
    try:
        root = ET.fromstring("<b>" + _APART.join(fragments) + "</b>")
    except ET.ParseError:
        return None
    children = list(root)
    if (root.text or "").strip() or len(children) != 2 * len(fragments) - 1:
        return None
    for k, child in enumerate(children):
        if (child.tail or "").strip():
            return None
        if k % 2 and (child.tag != "s" or child.attrib or len(child) or child.text):
            return None
        if not k % 2 and not _safe_group(child):
            return None
    for group in children[::2]:
        group.tail = None
    return children[::2]


_PASSED = set()   # (attribute, value) pairs found allowed in this process (a glyph's outline recurs)


def _safe_group(root) -> bool:
    if root.tag != "g" or root.attrib:
        return False
    ids, refs = set(), set()
    for element in root.iter():
        if element.tag not in _ALLOWED_TAGS or (element.text and element.text.strip()) \
                or (element.tail and element.tail.strip()):
            return False
        for pair in element.items():
            if pair not in _PASSED:
                pattern = _ALLOWED_VALUES.get(pair[0])
                if pattern is None or not pattern.fullmatch(pair[1]):
                    return False
                if len(_PASSED) < 100_000:
                    _PASSED.add(pair)
        if "id" in element.attrib:
            ids.add(element.get("id"))
        if "href" in element.attrib:
            refs.add(element.get("href")[1:])
    return refs <= ids
