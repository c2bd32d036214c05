"""A persistent cache of typeset formulas, so that re-rendering a figure does no typesetting.

Each formula the typesetter sets is kept as one small JSON file in the user's cache folder
(``platformdirs.user_cache_dir("graphjac")``, or ``$GRAPHJAC_CACHE_DIR``, in its ``formulas``
folder), named by a hash of the LaTeX, the size, the colour, graphjac's version and typesetting
code (the reader, the typesetter and its font reader) and the font file. Entries are
written atomically (a temporary file, then a rename), so processes of ``graphjac build -j``
share the folder safely.

The cache touches nothing it did not write:

- The ``formulas`` folder is graphjac's only when it carries graphjac's ``CACHEDIR.TAG`` (written
  when graphjac makes the folder; an empty folder, or one holding only entries of an older
  graphjac, is taken over). A folder that holds anything else is left alone: no entry is read,
  written or removed there, and a warning says so once.
- An entry is read only if it is a regular file (never through a link, never a pipe or a
  device) of at most :data:`MAX_ENTRY_BYTES`, and used only if its content checks out: the same
  LaTeX, size, colour and version as asked for, a digest of all of it that matches, bounded
  measures, and an SVG fragment made only of the elements and attributes the typesetter draws (glyph
  outlines, their uses, fraction rules), with no references outside itself. Anything else — a
  corrupt, truncated, edited or foreign file — is ignored and replaced.
- The folder stays within :data:`LIMIT`: every value edited in a figure makes new formulas, and
  every new version of graphjac new entries for all of them. About once a day, after a formula
  is stored, the least recently used entries are removed (each entry's time is refreshed when it
  is read), and so are temporary files a killed process left behind. That sweep looks only at
  graphjac's own names (``ab/<sha256>.json`` and its temporary files) in real folders directly
  below ``formulas``, follows no link and removes nothing else.

``GRAPHJAC_NO_CACHE=1`` (or ``true``, ``yes``, ``on``) turns the cache off; a folder that cannot
be written only costs speed.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import stat
import tempfile
import time
import warnings
import xml.etree.ElementTree as ET
from functools import lru_cache
from pathlib import Path
from typing import Optional

from ..errors import FontError
from ..version import __version__
from .opentype import font_path

FORMAT = 3   # the layout of an entry; bump when it changes
LIMIT = 100 * 2**20          # bytes the folder may hold (about 12,000 formulas)
MAX_ENTRY_BYTES = 4 * 2**20  # an entry larger than this is none of graphjac's
SWEEP_EVERY = 24 * 3600      # seconds between two looks at the folder's size
_LEFT_BEHIND = 3600          # a temporary file older than this belongs to a process that died

TAG_NAME = "CACHEDIR.TAG"
TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
       b"# This folder holds graphjac's typeset formulas; it may be removed at any time.\n"
       b"# Backup tools that follow the Cache Directory Tagging Specification skip it.\n")
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_TEMPORARY = re.compile(r"\.tmp-[A-Za-z0-9_]{1,32}\.json")
_OWN_FILES = {TAG_NAME, ".last-sweep"}
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NO_FOLLOW
OFF_WORDS = ("1", "true", "yes", "on")   # GRAPHJAC_NO_CACHE values that turn the cache off

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
    if os.environ.get("GRAPHJAC_NO_CACHE", "").strip().lower() in OFF_WORDS:
        return None
    base = os.environ.get("GRAPHJAC_CACHE_DIR")
    if not base:
        import platformdirs
        base = platformdirs.user_cache_dir("graphjac", appauthor=False)
    where = Path(base) / "formulas"
    return where if _owned(str(where)) else None


@lru_cache(maxsize=8)
def _owned(where: str) -> bool:
    """Whether ``where`` is graphjac's cache folder: made by it (tagged), or made so now.

    >>> import tempfile, pathlib
    >>> mine = pathlib.Path(tempfile.mkdtemp()) / "formulas"
    >>> _owned(str(mine)), (mine / TAG_NAME).read_bytes() == TAG
    (True, True)
    >>> theirs = pathlib.Path(tempfile.mkdtemp()); _ = (theirs / "thesis.tex").write_text("…")
    >>> import warnings; warnings.simplefilter("ignore")
    >>> _owned(str(theirs))
    False
    """
    path = Path(where)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False            # cannot be made: the cache only costs speed
    try:
        os.mkdir(path)
    except FileExistsError:
        pass
    except OSError:
        return False
    if _tagged(path):
        return True
    if _only_graphjacs(path):
        return _tag(path)
    warnings.warn(f"the formula cache folder {path} holds files graphjac did not write, so it is left "
                  f"alone and every formula is typeset afresh; point GRAPHJAC_CACHE_DIR at a folder of its own")
    return False


def _tagged(path: Path) -> bool:
    try:
        fd = os.open(path / TAG_NAME, os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(TAG) + 1) == TAG
    finally:
        os.close(fd)


def _only_graphjacs(path: Path) -> bool:
    """Whether the real folder ``path`` holds nothing but what graphjac writes there (an older
    graphjac wrote no tag)."""
    if path.is_symlink() or not path.is_dir():
        return False
    for item in os.scandir(path):
        if item.name in _OWN_FILES and item.is_file(follow_symlinks=False):
            continue
        if not (_SHARD.fullmatch(item.name) and item.is_dir(follow_symlinks=False)):
            return False
        if not all(_ours(inner.name) and inner.is_file(follow_symlinks=False) for inner in os.scandir(item.path)):
            return False
    return True


def _ours(name: str) -> bool:
    return bool(_ENTRY.fullmatch(name) or _TEMPORARY.fullmatch(name))


def _tag(path: Path) -> bool:
    try:
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "wb") as out:
            out.write(TAG)
        os.replace(tmp, path / TAG_NAME)
        return True
    except OSError:
        return False


# graphjac's code that decides what a formula looks like: its reader, the typesetter, the font's reader
_TYPESETTING = ("../mathtext.py", "typesetter.py", "opentype.py")


@lru_cache(maxsize=1)
def _installation() -> str:
    """graphjac's version and typesetting code, and the font file in use (found, not opened:
    that costs time). A change to either sets formulas afresh, also within one version."""
    try:
        origin = font_path()
    except FontError:
        origin = "?"
    try:
        info = os.stat(origin)
        stamp = f"{info.st_size}:{info.st_mtime_ns}"
    except OSError:
        stamp = "?"
    code = hashlib.sha256()
    for name in _TYPESETTING:
        code.update((Path(__file__).parent / name).read_bytes())
    return f"graphjac {__version__} {code.hexdigest()[:16]}; font {origin} {stamp}; format {FORMAT}"


def _request(latex: str, size: float, color: str) -> dict:
    return {"latex": latex, "size": size, "color": color, "installation": _installation()}


def _path(where: Path, request: dict) -> Path:
    digest = hashlib.sha256(json.dumps(request, sort_keys=True).encode()).hexdigest()
    return where / digest[:2] / f"{digest}.json"


def _digest(request: dict, width, height, fragment) -> str:
    """What binds an entry's answer to its question: a hash of both."""
    return hashlib.sha256(json.dumps([request, width, height, fragment], sort_keys=True).encode()).hexdigest()


def load(latex: str, size: float, color: str) -> Optional[tuple]:
    """(width, height, fragment) of a cached formula, or None if absent or not to be trusted."""
    where = folder()
    if where is None:
        return None
    request = _request(latex, size, color)
    path = _path(where, request)
    try:
        entry = json.loads(_read_entry(path))
    except (OSError, ValueError, UnicodeDecodeError):
        return None
    found = _checked(entry, request)
    if found is not None:
        _quietly(os.utime, path, None, follow_symlinks=False)   # the sweep removes the least recently used first
    return found


def _read_entry(path: Path) -> bytes:
    """The bytes of the regular file ``path``: a link, a pipe, a device or a large file is refused
    (OSError) without waiting on it."""
    fd = os.open(path, os.O_RDONLY | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            raise OSError(f"{path}: not a cache entry")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_ENTRY_BYTES:
        raise OSError(f"{path}: not a cache entry")
    return data


def holds(latex: str, size: float, color: str) -> bool:
    """Whether an entry for the formula is there (a quick look: :func:`load` still checks it)."""
    where = folder()
    if where is None:
        return False
    try:
        return stat.S_ISREG(os.lstat(_path(where, _request(latex, size, color))).st_mode)
    except OSError:
        return False


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
    target = _path(where, request)
    try:
        try:
            os.mkdir(target.parent)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(target.parent).st_mode):   # a link or a file: not graphjac's
                return
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
        if time.time() - os.lstat(marker).st_mtime < SWEEP_EVERY:
            return
    except OSError:
        pass
    if _quietly(_touch, marker):
        sweep(where, LIMIT)


def _touch(path: Path) -> None:
    """Make ``path`` a regular file modified now (never through a link)."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | _NO_FOLLOW | getattr(os, "O_NONBLOCK", 0), 0o666))
    os.utime(path, None, follow_symlinks=False)


def sweep(where: Path, limit: int) -> None:
    """Remove the least recently used entries of ``where`` until it holds at most 80% of ``limit``
    bytes (nothing, if it holds no more than ``limit``), and temporary files left behind.

    Only graphjac's own names in real folders directly below ``where`` are looked at; no link is
    followed (each folder is opened without following one, and files are removed relative to it).
    Other processes may be reading and writing meanwhile: what they lose costs them only speed.
    """
    if os.unlink not in os.supports_dir_fd or os.scandir not in os.supports_fd:
        return       # without folder handles a removal could be sent through a link: keep it all
    try:
        root = os.open(where, _FOLDER_FLAGS)
    except OSError:
        return
    shards, entries, total, now = [], [], 0, time.time()
    try:
        for shard in _scan(root):
            if not (_SHARD.fullmatch(shard.name) and shard.is_dir(follow_symlinks=False)):
                continue
            try:
                shards.append(os.open(shard.name, _FOLDER_FLAGS, dir_fd=root))
            except OSError:
                continue
            for item in _scan(shards[-1]):
                try:
                    info = item.stat(follow_symlinks=False)
                except OSError:
                    continue
                if not stat.S_ISREG(info.st_mode):
                    continue
                if _ENTRY.fullmatch(item.name):
                    entries.append((info.st_mtime, footprint(info), item.name, shards[-1]))
                    total += entries[-1][1]
                elif _TEMPORARY.fullmatch(item.name) and now - info.st_mtime > _LEFT_BEHIND:
                    _quietly(os.unlink, item.name, dir_fd=shards[-1])
        if total <= limit:
            return
        for _, size, name, shard in sorted(entries, key=lambda entry: entry[:3]):
            if total <= 0.8 * limit:
                break
            if _quietly(os.unlink, name, dir_fd=shard):
                total -= size
    finally:
        for fd in shards + [root]:
            os.close(fd)


def _scan(fd: int) -> list:
    """The items of the folder open as ``fd`` (none if it cannot be read)."""
    try:
        with os.scandir(fd) as items:
            return list(items)
    except OSError:
        return []


def footprint(info: os.stat_result) -> int:
    """The bytes a file takes on disk, as ``du`` counts them (its size where blocks are not told)."""
    return max(info.st_size, 512 * getattr(info, "st_blocks", 0))


def _quietly(action, *args, **kwargs) -> bool:
    """Whether ``action(*args)`` was done: the file system may refuse (the cache only costs speed)."""
    try:
        action(*args, **kwargs)
        return True
    except OSError:
        return False


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
    most = _largest_measure(request["latex"], request["size"])
    for measure in (width, height):
        if isinstance(measure, bool) or not isinstance(measure, (int, float)) or not math.isfinite(measure) \
                or not 0 <= measure <= most:
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
