"""Atomic file output: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import os
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
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise GraphjacError(f"{path}: the folder {directory} does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path
