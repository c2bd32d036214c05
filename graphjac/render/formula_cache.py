"""A persistent cache of typeset formulas, so that re-rendering a figure does no typesetting.

Each formula set by ziamath is kept as one small JSON file in the user's cache folder
(``platformdirs.user_cache_dir("graphjac")``, or ``$GRAPHJAC_CACHE_DIR``), named by a hash of
the LaTeX, the size, the colour, graphjac's version and typesetting code (the files that decide
what ziamath is given) and the ziamath installation. Entries are
written atomically (a temporary file, then a rename), so processes of ``graphjac build -j``
share the folder safely. An entry is used only if its content checks out: the same LaTeX, size,
colour and version as asked for, finite measures, and an SVG fragment made only of the
elements and attributes ziamath draws (glyph outlines, their uses, fraction rules), with no
references outside itself. Anything else — a corrupt, truncated or foreign file — is ignored
and replaced. ``GRAPHJAC_NO_CACHE=1`` turns the cache off; a folder that cannot be written
only costs speed.

The folder stays within :data:`LIMIT`: every value edited in a figure makes new formulas, and
every new version of graphjac new entries for all of them. About once a day, after a formula is
stored, the least recently used entries are removed (each entry's time is refreshed when it is
read), and so are temporary files a killed process left behind.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import tempfile
import time
import xml.etree.ElementTree as ET
from functools import lru_cache
from importlib.util import find_spec
from pathlib import Path
from typing import Optional

from ..version import __version__

FORMAT = 1   # the layout of an entry; bump when it changes
LIMIT = 100 * 2**20          # bytes the folder may hold (about 12,000 formulas)
SWEEP_EVERY = 24 * 3600      # seconds between two looks at the folder's size
_LEFT_BEHIND = 3600          # a temporary file older than this belongs to a process that died

# What ziamath draws, and nothing else: tags, and each attribute's allowed values.
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
    """Where entries live, or None when the cache is turned off."""
    if os.environ.get("GRAPHJAC_NO_CACHE", "") not in ("", "0"):
        return None
    base = os.environ.get("GRAPHJAC_CACHE_DIR")
    if not base:
        import platformdirs
        base = platformdirs.user_cache_dir("graphjac", appauthor=False)
    return Path(base) / "formulas"


# graphjac's code that decides what ziamath draws for a formula: its reader, what ziamath is given, how
_TYPESETTING = ("../mathtext.py", "latex.py", "typesetter.py")


@lru_cache(maxsize=1)
def _installation() -> str:
    """graphjac's version and typesetting code, and the ziamath files in use (found, not imported:
    imports cost time). A change to either sets formulas afresh, also within one version."""
    spec = find_spec("ziamath")
    origin = spec.origin if spec and spec.origin else "?"
    try:
        stat = os.stat(origin)
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    except OSError:
        stamp = "?"
    code = hashlib.sha256()
    for name in _TYPESETTING:
        code.update((Path(__file__).parent / name).read_bytes())
    return f"graphjac {__version__} {code.hexdigest()[:16]}; ziamath {origin} {stamp}; format {FORMAT}"


def _request(latex: str, size: float, color: str) -> dict:
    return {"latex": latex, "size": size, "color": color, "installation": _installation()}


def _path(where: Path, request: dict) -> Path:
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    return where / digest[:2] / f"{digest}.json"


def load(latex: str, size: float, color: str) -> Optional[tuple]:
    """(width, height, fragment) of a cached formula, or None if absent or not to be trusted."""
    where = folder()
    if where is None:
        return None
    request = _request(latex, size, color)
    path = _path(where, request)
    try:
        entry = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    found = _checked(entry, request)
    if found is not None:
        _quietly(os.utime, path)      # used now: the sweep removes the least recently used first
    return found


def holds(latex: str, size: float, color: str) -> bool:
    """Whether an entry for the formula is there (a quick look: :func:`load` still checks it)."""
    where = folder()
    return where is not None and _path(where, _request(latex, size, color)).is_file()


def store(latex: str, size: float, color: str, width: float, height: float, fragment: str) -> None:
    """Keep a formula for next time (quietly nothing if the folder cannot be written)."""
    where = folder()
    if where is None:
        return
    request = _request(latex, size, color)
    entry = dict(request, width=width, height=height, fragment=fragment)
    if _checked(entry, request) is None:   # never store what would not be trusted
        return
    target = _path(where, request)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(tmp, target)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
    _sweep_now_and_then(where)


_SWEPT = set()   # the folders this process has looked at


def _sweep_now_and_then(where: Path) -> None:
    """Keep ``where`` within :data:`LIMIT`, looking at most once per process and per day."""
    if where in _SWEPT:
        return
    _SWEPT.add(where)
    marker = where / ".last-sweep"
    try:
        if time.time() - marker.stat().st_mtime < SWEEP_EVERY:
            return
    except OSError:
        pass
    if _quietly(marker.touch):
        sweep(where, LIMIT)


def sweep(where: Path, limit: int) -> None:
    """Remove the least recently used entries of ``where`` until it holds at most 80% of ``limit``
    bytes (nothing, if it holds no more than ``limit``), and temporary files left behind.

    Other processes may be reading and writing meanwhile: what they lose costs them only speed.
    """
    entries, total, now = [], 0, time.time()
    for path in where.glob("*/*"):
        try:
            stat = path.stat()
        except OSError:
            continue
        if not path.name.startswith(".tmp-"):
            entries.append((stat.st_mtime, footprint(stat), path))
            total += entries[-1][1]
        elif now - stat.st_mtime > _LEFT_BEHIND:
            _quietly(path.unlink)
    if total <= limit:
        return
    for _, size, path in sorted(entries):
        if total <= 0.8 * limit:
            break
        if _quietly(path.unlink):
            total -= size


def footprint(stat: os.stat_result) -> int:
    """The bytes a file takes on disk, as ``du`` counts them (its size where blocks are not told)."""
    return max(stat.st_size, 512 * getattr(stat, "st_blocks", 0))


def _quietly(action, *args) -> bool:
    """Whether ``action(*args)`` was done: the file system may refuse (the cache only costs speed)."""
    try:
        action(*args)
        return True
    except OSError:
        return False


def _checked(entry, request) -> Optional[tuple]:
    """The entry's (width, height, fragment) if its content is what ziamath would have made."""
    if not isinstance(entry, dict) or set(entry) != set(request) | {"width", "height", "fragment"}:
        return None
    if any(entry[key] != value for key, value in request.items()):
        return None
    width, height, fragment = entry["width"], entry["height"], entry["fragment"]
    for measure in (width, height):
        if isinstance(measure, bool) or not isinstance(measure, (int, float)) or not math.isfinite(measure) \
                or not 0 <= measure < 1e5:
            return None
    if not isinstance(fragment, str) or not _safe_fragment(fragment):
        return None
    return float(width), float(height), fragment


def _safe_fragment(fragment: str) -> bool:
    """A ``<g>`` of glyph symbols, uses of them, paths and rules; every use refers to a symbol in it."""
    try:
        root = ET.fromstring(fragment)
    except ET.ParseError:
        return False
    if root.tag != "g" or root.attrib:
        return False
    ids, refs = set(), set()
    for element in root.iter():
        if element.tag not in _ALLOWED_TAGS or (element.text or "").strip() or (element.tail or "").strip():
            return False
        for name, value in element.attrib.items():
            pattern = _ALLOWED_VALUES.get(name)
            if pattern is None or not pattern.fullmatch(value):
                return False
        if "id" in element.attrib:
            ids.add(element.get("id"))
        if "href" in element.attrib:
            refs.add(element.get("href")[1:])
    return refs <= ids
