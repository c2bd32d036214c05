"""graphjac's cache folder: what is costly to make, kept between runs, one sub-folder a kind
(``formulas``: typeset formulas; ``specs``: what PyYAML made of a spec's text).

The folder is ``platformdirs.user_cache_dir("graphjac")``, or ``$GRAPHJAC_CACHE_DIR``;
``GRAPHJAC_NO_CACHE=1`` (or ``true``, ``yes``, ``on``) turns it off, and a folder that cannot be
written only costs speed. Each entry is one small JSON file, ``ab/<sha256 of its question>.json``,
written atomically (a temporary file, then a rename), so processes of ``graphjac build -j`` share
the folder safely. What an entry holds is checked by the module that reads it, against a digest
that binds its answer to its question: a checksum against corruption and truncation, not a
signature — whoever can write the folder can write an entry graphjac trusts, so the folder must be
as private as the user's own files (docs/guide.md, "Speed").

The cache touches nothing it did not write:

- A kind's folder is graphjac's only when it carries graphjac's ``CACHEDIR.TAG`` (written when
  graphjac makes the folder; an empty folder, or one holding only entries of an older graphjac,
  is taken over). A folder that holds anything else is left alone: no entry is read, written or
  removed there, and a warning says so once.
- An entry is read only if it is a regular file (never through a link, never a pipe or a
  device) of at most :data:`MAX_ENTRY_BYTES`.
- A kind's folder stays within its limit: about once a day, after an entry is stored, the least
  recently used entries are removed (an entry's time is refreshed when it is read), and so are
  temporary files a killed process left behind. That sweep looks only at graphjac's own names
  (``ab/<sha256>.json`` and its temporary files) in real folders directly below the kind's
  folder, follows no link and removes nothing else.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tempfile
import time
import warnings
from functools import lru_cache
from pathlib import Path
from typing import Optional

MAX_ENTRY_BYTES = 4 * 2**20  # an entry larger than this is none of graphjac's
SWEEP_EVERY = 24 * 3600      # seconds between two looks at a folder's size
_LEFT_BEHIND = 3600          # a temporary file older than this belongs to a process that died

TAG_NAME = "CACHEDIR.TAG"
TAG = (b"Signature: 8a477f597d28d172789f06886806bc55\n"
       b"# This folder holds graphjac's cache; it may be removed at any time.\n"
       b"# Backup tools that follow the Cache Directory Tagging Specification skip it.\n")
_SHARD = re.compile(r"[0-9a-f]{2}")
_ENTRY = re.compile(r"[0-9a-f]{64}\.json")
_TEMPORARY = re.compile(r"\.tmp-[A-Za-z0-9_]{1,32}\.json")
_OWN_FILES = {TAG_NAME, ".last-sweep"}
_NO_FOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FOLDER_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _NO_FOLLOW
OFF_WORDS = ("1", "true", "yes", "on")   # GRAPHJAC_NO_CACHE values that turn the cache off


def folder(kind: str) -> Optional[Path]:
    """Where entries of ``kind`` live, or None when the cache is off or the folder is not graphjac's."""
    if os.environ.get("GRAPHJAC_NO_CACHE", "").strip().lower() in OFF_WORDS:
        return None
    base = os.environ.get("GRAPHJAC_CACHE_DIR")
    if not base:
        import platformdirs
        base = platformdirs.user_cache_dir("graphjac", appauthor=False)
    where = Path(base) / kind
    return where if _owned(str(where)) else None


@lru_cache(maxsize=8)
def _owned(where: str) -> bool:
    """Whether ``where`` is a folder of graphjac's cache: made by it (tagged), or made so now.

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
    warnings.warn(f"the cache folder {path} holds files graphjac did not write, so it is left alone and "
                  f"what it would keep is made afresh each time; point GRAPHJAC_CACHE_DIR at a folder of its own")
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
        if (item.name in _OWN_FILES or _TEMPORARY.fullmatch(item.name)) and item.is_file(follow_symlinks=False):
            continue       # the tag, the sweep's time, a tag a full disk cut short
        if not (_SHARD.fullmatch(item.name) and item.is_dir(follow_symlinks=False)):
            return False
        if not all(_ours(inner.name) and inner.is_file(follow_symlinks=False) for inner in os.scandir(item.path)):
            return False
    return True


def _ours(name: str) -> bool:
    return bool(_ENTRY.fullmatch(name) or _TEMPORARY.fullmatch(name))


def _tag(path: Path) -> bool:
    """Write the tag atomically; on a full disk (or any failure) leave no temporary file."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "wb") as out:
            out.write(TAG)
        os.replace(tmp, path / TAG_NAME)
        return True
    except OSError:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        return False


def digest(value) -> str:
    """The SHA-256 of ``value`` as JSON with sorted keys (hex)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def code_digest(folder: Path, names) -> str:
    """A short digest of the source files ``names`` in ``folder``: what an entry's answer was
    made by, so that other code makes it afresh, also within one version."""
    return digest([(folder / name).read_text(encoding="utf-8") for name in names])[:16]


def stamp(path) -> str:
    """The file at ``path`` as found, not read: its name, size and time of change ("?" if none)."""
    try:
        info = os.stat(path)
    except (OSError, TypeError, ValueError):
        return "?"
    return f"{path} {info.st_size}:{info.st_mtime_ns}"


def entry_path(where: Path, question: dict) -> Path:
    """The file of the entry that answers ``question`` (plain data) in the folder ``where``."""
    name = digest(question)
    return where / name[:2] / f"{name}.json"


def read_entry(path: Path):
    """The JSON of the entry ``path``, or None when it is absent, unreadable, not a regular file
    (a link, a pipe, a device: never waited on) or larger than :data:`MAX_ENTRY_BYTES`."""
    try:
        return json.loads(_read_regular(path))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None


def _read_regular(path: Path) -> bytes:
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


def used(path: Path) -> None:
    """Mark the entry ``path`` as read now: the sweep removes the least recently used first."""
    _quietly(os.utime, path, None, follow_symlinks=False)


def exists(path: Path) -> bool:
    """Whether a regular file is at ``path`` (a quick look: :func:`read_entry` still checks it)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def write_entry(path: Path, entry, limit: int) -> None:
    """Store ``entry`` (plain data) as ``path`` (an :func:`entry_path`), atomically, and keep its
    kind's folder within ``limit`` bytes; quietly nothing if it cannot be written or is too large."""
    text = json.dumps(entry)
    if len(text.encode()) > MAX_ENTRY_BYTES:
        return
    try:
        try:
            os.mkdir(path.parent)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path.parent).st_mode):   # a link or a file: not graphjac's
                return
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return
    _sweep_now_and_then(path.parent.parent, limit)


_SWEPT = set()   # the folders this process has looked at


def _sweep_now_and_then(where: Path, limit: int) -> None:
    """Keep ``where`` within ``limit``, looking at most once per process and per day."""
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
        sweep(where, limit)


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
