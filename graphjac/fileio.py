"""File output that never leaves a partial file and never replaces what it should not.

A regular file (or a link to one) is written atomically: a temporary file beside it, then a
rename, keeping the mode of the file it replaces (a new file gets 0666 less the umask, as
``open`` would). Anything else that already exists — ``/dev/null``, ``/dev/stdout``, a pipe — is
written through, never replaced by a regular file.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from .errors import GraphjacError


def atomic_write(path, data) -> Path:
    """Write ``data`` (bytes or str) to ``path`` so that no partial file is ever left behind."""
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    if path.is_dir():
        raise GraphjacError(f"{path}: is a directory, not a file to write")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        return _write_through(path, data)
    target = path.resolve() if path.is_symlink() else path     # replace the file a link names, not the link
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise GraphjacError(f"{path}: the folder {directory} does not exist")
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise GraphjacError(f"{path}: cannot write it ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except OSError as exc:
        _remove(tmp)
        raise GraphjacError(f"{path}: cannot write it ({exc.strerror})") from None
    except BaseException:
        _remove(tmp)
        raise
    return path


def _write_through(path, data):
    """A device, pipe or other special file: written in place."""
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise GraphjacError(f"{path}: cannot write it ({exc.strerror})") from None
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(tmp):
    if os.path.exists(tmp):
        os.unlink(tmp)
