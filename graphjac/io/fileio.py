"""File output that never leaves a partial file and never replaces what it should not.

A regular file (or a link to one) is written atomically: a temporary file beside it, then a
rename, keeping the mode of the file it replaces (a new file gets 0666 less the umask, as
``open`` would). Anything else that already exists — ``/dev/null``, ``/dev/stdout``, a pipe — is
written through, never replaced by a regular file. An output is never one of the figure's own
inputs (its spec, its script, a module the script imported), under any name or link; and a
writer that owns its folder (``graphjac build``) can refuse to write through a link at all.

>>> import tempfile, pathlib
>>> spec = pathlib.Path(tempfile.mkdtemp()) / "m.yaml"; _ = spec.write_text("nodes: []")
>>> try:
...     atomic_write(spec, "<svg/>", inputs=[spec])
... except GraphjacError as error:
...     print(str(error).replace(str(spec), "m.yaml"))
m.yaml: is this figure's own input m.yaml; refusing to replace it (name another output file)
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path

from graphjac.errors import GraphjacError, OutputError


def atomic_write(path, data, inputs=(), through_links=True) -> Path:
    """Write ``data`` (bytes or str) to ``path`` so that no partial file is ever left behind;
    ``inputs``: files it must never replace; ``through_links=False``: refuse a link at ``path``."""
    return atomic_write_all({path: data}, inputs, through_links)[0]


def atomic_write_all(files: dict, inputs=(), through_links=True) -> list:
    """Write every ``{path: data}`` or none: each is staged beside its target first, and only
    when all are staged are they moved into place. Returns the paths. Nothing is written if a
    path is one of ``inputs``, or a link while ``through_links`` is false."""
    refuse_same(list(files))
    for path in files:
        refuse_inputs(path, inputs)
        if not through_links and os.path.islink(path):
            raise GraphjacError(f"{path}: is a link to {os.readlink(path)}, which this folder's writer did not "
                                f"make; it writes only files of its own (remove the link)")
    staged, current = [], None
    try:
        for current, data in files.items():
            staged.append(_stage(Path(current), data.encode("utf-8") if isinstance(data, str) else data))
        for current, tmp, target, data in staged:
            if tmp is None:
                _write_through(current, data)
            else:
                os.replace(tmp, target)
    except OSError as exc:   # named by the file asked for, never by a temporary one
        raise OutputError(f"{current}: cannot write it ({exc.strerror})") from None
    finally:
        for _, tmp, _, _ in staged:
            if tmp is not None:
                _remove(tmp)
    return [Path(path) for path in files]


def within(path, folder) -> bool:
    """Whether ``path``, links followed, lies inside ``folder`` (links followed too).

    >>> within("/docs/figures/../model.yaml", "/docs"), within("/docs/../secret.yaml", "/docs")
    (True, False)
    """
    real, top = os.path.realpath(path), os.path.realpath(folder)
    return os.path.commonpath([real, top]) == top


def identity(path):
    """What a path names, links resolved: (device, inode) of an existing file, else its real path."""
    try:
        found = os.stat(path)
        return ("inode", found.st_dev, found.st_ino)
    except OSError:
        return ("path", os.path.realpath(path))


def refuse_same(paths) -> None:
    """Raise a GraphjacError if two of ``paths`` name one file (under any name, through any link):
    writing both would leave only the second.

    >>> import tempfile
    >>> folder = tempfile.mkdtemp()
    >>> try:
    ...     refuse_same([os.path.join(folder, "s.pdf"), os.path.join(folder, ".", "s.pdf")])
    ... except GraphjacError as error:
    ...     print(str(error).replace(str(folder), "dir"))
    dir/s.pdf and dir/./s.pdf are one file; name two different files
    """
    seen = {}
    for path in paths:
        key = identity(path)
        if key in seen:
            raise GraphjacError(f"{seen[key]} and {path} are one file; name two different files")
        seen[key] = path


def refuse_inputs(path, inputs) -> None:
    """Raise a GraphjacError if ``path`` is (under any name, through any link) one of ``inputs``."""
    if not inputs or not os.path.exists(path):
        return
    for source in inputs:
        try:
            same = os.path.samefile(path, source)
        except OSError:
            continue
        if same:
            raise GraphjacError(f"{path}: is this figure's own input {source}; refusing to replace it "
                                f"(name another output file)")


def _stage(path, data):
    """(path, temporary file holding ``data``, the file to replace, data); a special file that
    already exists (a device, a pipe) has no temporary file: it is written through."""
    if path.is_dir():
        raise GraphjacError(f"{path}: is a directory, not a file to write")
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        return path, None, path, data
    target = path.resolve() if path.is_symlink() else path     # replace the file a link names, not the link
    directory = target.parent if str(target.parent) else Path(".")
    if not directory.is_dir():
        raise GraphjacError(f"{path}: the folder {directory} does not exist")
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o666 & ~_umask()
    prefix = f".{target.name}."
    if len(os.fsencode(prefix)) + 12 > _name_limit(directory):    # mkstemp adds 8 characters and the suffix
        prefix = ".graphjac-"
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
        _LIVE.add(tmp)
    except OSError as exc:
        raise OutputError(f"{path}: cannot write it ({exc.strerror})") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
    except OSError as exc:
        _remove(tmp)
        raise OutputError(f"{path}: cannot write it ({exc.strerror})") from None
    return path, tmp, target, data


def _name_limit(directory) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _write_through(path, data):
    """A device, pipe or other special file: written in place."""
    with open(path, "wb") as handle:
        handle.write(data)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _remove(tmp):
    _LIVE.discard(tmp)
    if os.path.exists(tmp):
        os.unlink(tmp)


# ------------------------------------------------------------------------------ temporary files

_LIVE: set = set()   # temporary files and folders this process has made and not yet removed


@contextlib.contextmanager
def temporary_folder(prefix: str):
    """A temporary folder (as ``tempfile.TemporaryDirectory``) that :func:`remove_temporary`
    also removes, from a signal handler that ends the process without unwinding it.

    >>> with temporary_folder("graphjac-doc-") as folder:
    ...     folder.is_dir(), str(folder) in _LIVE
    (True, True)
    >>> folder.exists(), str(folder) in _LIVE
    (False, False)
    """
    folder = tempfile.mkdtemp(prefix=prefix)
    _LIVE.add(folder)
    try:
        yield Path(folder)
    finally:
        _LIVE.discard(folder)
        shutil.rmtree(folder, ignore_errors=True)


def remove_temporary() -> None:
    """Remove every temporary file and folder this process still holds (a worker told to stop)."""
    for path in list(_LIVE):
        _LIVE.discard(path)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        elif os.path.lexists(path):
            with contextlib.suppress(OSError):
                os.unlink(path)
