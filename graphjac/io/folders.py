"""Folder builds: every spec in a folder rendered, figures whose inputs did not change skipped.

A figure's inputs are its spec file, the formats and render options asked for, and graphjac's
own code; their hash is kept per spec in ``OUT/.graphjac-build.json``, with a hash of each file
as it was written, so that a figure another build drew since is drawn again. Stale figures are
rendered in parallel processes, one per core.

>>> import os, tempfile, graphjac as gj
>>> from graphjac.io.savers import save
>>> folder, out = tempfile.mkdtemp(), tempfile.mkdtemp()
>>> g = gj.Graph("product")
>>> z = g.mul(g.input("x", 3.0), g.input("y", 2.0), name="z")
>>> _ = save(g, os.path.join(folder, "product.yaml"))
>>> [r.status for r in run(plan(folder, out, formats=("dot",)))]
['built']
>>> [r.status for r in run(plan(folder, out, formats=("dot",)))]
['unchanged']
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import signal
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from graphjac.core.ops.custom import scoped_ops
from graphjac.core.records import field, record
from graphjac.errors import GraphjacError, RenderError
from graphjac.io.fileio import atomic_write, remove_temporary, within
from graphjac.io.loaders import DATA_SUFFIXES, load, read_spec
from graphjac.render import draw

MANIFEST = ".graphjac-build.json"


@record
class Job:
    """One spec and the figure files it makes."""

    source: Path
    name: str                 # the spec's path inside the folder: the manifest's key
    outputs: tuple            # (path, format) pairs
    digest: str
    root: Path = Path(".")    # the specs' folder
    out_dir: Path = Path(".")


@record
class Result:
    """What became of one job: built, unchanged or failed (with the one-line error)."""

    job: Job
    status: str
    error: Optional[str] = None
    bad_input: bool = False   # a bad spec (rather than a figure that failed to render)
    files: tuple = ()         # (output path, sha256 of what was written) once built


@dataclass
class FolderBuild:
    """The jobs of a build: ``stale`` ones to render, ``fresh`` ones whose figures are up to date."""

    out_dir: Path
    stale: list = field(default_factory=list)
    fresh: list = field(default_factory=list)
    skipped: list = field(default_factory=list)   # data files that are not graph specs
    options: dict = field(default_factory=dict)
    previous: dict = field(default_factory=dict)  # the manifest's figures: what earlier builds wrote


PYTHON_FIGURE = ".graph.py"   # a Python model opts in to folder builds by this suffix


def is_python_figure(path) -> bool:
    """``model.graph.py``: a Python file that asks to be built (conf.py or setup.py never are)."""
    return Path(path).name.lower().endswith(PYTHON_FIGURE) and len(Path(path).name) > len(PYTHON_FIGURE)


def figure_name(name: str) -> str:
    """The figure's path without suffix: ``nets/model.yaml`` and ``nets/model.graph.py`` → ``nets/model``."""
    return name[:-len(PYTHON_FIGURE)] if is_python_figure(name) else Path(name).with_suffix("").as_posix()


def find_specs(folder, out_dir=None) -> list:
    """Spec files (and ``*.graph.py`` models) under ``folder`` (hidden folders and ``out_dir``
    left out), sorted."""
    folder = Path(folder)
    if not folder.is_dir():
        raise GraphjacError(f"{folder}: {'no such folder' if not folder.exists() else 'is not a folder'}")
    out = Path(out_dir).resolve() if out_dir is not None else None
    found = []
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        wanted = path.suffix.lower() in DATA_SUFFIXES or is_python_figure(path)
        if not wanted or any(p.startswith(".") for p in parts) or not path.is_file():
            continue
        if out is not None and (out == path.resolve().parent or out in path.resolve().parents):
            continue
        found.append(path)
    return found


def _code_fingerprint() -> str:
    """A hash of graphjac's own source: a new version redraws every figure."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.parent.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _is_spec(path) -> bool:
    """False for a data file that is clearly not a graph spec (no 'nodes'); errors count as specs."""
    if is_python_figure(path):
        return True
    try:
        data, _ = read_spec(path)
    except GraphjacError:
        return True
    return isinstance(data, dict) and "nodes" in data


def plan(folder, out_dir, formats=("svg",), options=None, force=False) -> FolderBuild:
    """Which specs under ``folder`` need rendering into ``out_dir`` (all of them with ``force``)."""
    folder, out_dir = Path(folder), Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise GraphjacError(f"{out_dir}: is not a folder")
    if folder.is_dir() and (out_dir.resolve() == folder.resolve() or out_dir.resolve() in folder.resolve().parents):
        raise GraphjacError(f"{out_dir}: the output folder holds the specs' folder {folder}; build into a "
                            f"folder beside it or inside it (e.g. -o {folder / 'build'})")
    manifest_path = out_dir / MANIFEST
    if os.path.lexists(manifest_path) and (manifest_path.is_symlink() or not stat.S_ISREG(manifest_path.lstat().st_mode)):
        raise GraphjacError(f"{manifest_path}: is not the build's own record (a regular file) but "
                            f"{'a link' if manifest_path.is_symlink() else 'a FIFO or a device'}; remove it and build again")
    options = dict(options or {})
    settings = json.dumps([list(formats), options, _code_fingerprint()], sort_keys=True, default=str)
    manifest = _read_manifest(out_dir)
    result, claimed = FolderBuild(out_dir, options=options, previous=manifest), {}
    for source in find_specs(folder, out_dir):
        if not _is_spec(source):
            result.skipped.append(source)
            continue
        name = source.relative_to(folder).as_posix()
        outputs = tuple((out_dir / f"{figure_name(name)}.{fmt}", fmt) for fmt in formats)
        for path, _ in outputs:
            if path in claimed:
                raise GraphjacError(f"{source} and {claimed[path]} would both write {path}; rename one of them")
            claimed[path] = source
        digest = hashlib.sha256(source.read_bytes() + settings.encode()).hexdigest()
        job = Job(source, name, outputs, digest, folder, out_dir)
        fresh = not force and _describes(manifest.get(name), digest, outputs, out_dir)
        (result.fresh if fresh else result.stale).append(job)
    return result


MANIFEST_LIMIT = 64 * 2**20   # bytes of a manifest read; a larger one is not graphjac's
NAME_LIMIT = 1024             # characters of a path a manifest entry may name


def _read_manifest(out_dir) -> dict:
    """The figures an earlier build recorded: read only from a regular file of bounded size (a
    FIFO, /dev/zero or a huge file is no manifest), and only entries whose names are paths this
    build could have written (a 10,000-character key is dropped, not tried on the disk)."""
    try:
        data = json.loads(_regular_bytes(Path(out_dir) / MANIFEST, MANIFEST_LIMIT).decode("utf-8"))
    except (OSError, ValueError, AttributeError):
        return {}
    figures = data.get("figures") if isinstance(data, dict) else None
    if not isinstance(figures, dict):
        return {}
    return {name: entry for name, entry in figures.items() if _plausible(name, entry)}


def _plausible(name, entry) -> bool:
    files = entry.get("files") if isinstance(entry, dict) else None
    return isinstance(name, str) and len(name) <= NAME_LIMIT and isinstance(files, dict) and all(
        isinstance(path, str) and len(path) <= NAME_LIMIT and (digest is None or isinstance(digest, str))
        for path, digest in files.items())


def _regular_bytes(path, limit=None) -> Optional[bytes]:
    """The bytes of ``path`` if it is a regular file (never blocking on a FIFO, never reading a
    device), at most ``limit`` of them; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        found = os.fstat(handle.fileno())
        if not stat.S_ISREG(found.st_mode) or limit is not None and found.st_size > limit:
            return None
        return handle.read() if limit is None else handle.read(limit + 1)[:limit]


def _file_hash(path) -> Optional[str]:
    data = _regular_bytes(path)
    return None if data is None else hashlib.sha256(data).hexdigest()


def _describes(entry, digest, outputs, out_dir) -> bool:
    """Whether a manifest entry describes exactly the files on disk: the same inputs, and each
    output file byte for byte as that build wrote it (another build may have drawn it since)."""
    if not isinstance(entry, dict) or entry.get("digest") != digest or not isinstance(entry.get("files"), dict):
        return False
    files = entry["files"]
    return all(files.get(path.relative_to(out_dir).as_posix()) == _file_hash(path) for path, _ in outputs)


def render_job(job: Job, options: dict) -> Result:
    """Render one job's figures (in a worker process); errors come back as the result. The ops
    a figure's script defines are forgotten after it."""
    try:
        with scoped_ops():
            return Result(job, "built", files=tuple(_render_outputs(job, options)))
    except RenderError as exc:
        return Result(job, "failed", f"{job.source}: {exc}")
    except GraphjacError as exc:
        return Result(job, "failed", str(exc), bad_input=True)
    except OSError as exc:    # OUT/sub is a file, a folder cannot be made
        return Result(job, "failed", f"{job.source}: cannot write {exc.filename or 'its figure'}: {exc.strerror}")
    except Exception as exc:  # a bug: report it with the file, keep building the others
        return Result(job, "failed", f"{job.source}: internal error {type(exc).__name__}: {exc}")


def _render_outputs(job: Job, options: dict):
    """(path, sha256) of each figure file of ``job``, written only into real folders below the
    output folder and never through a link (the build makes none)."""
    if is_python_figure(job.source) and not within(job.source, job.root):
        raise GraphjacError(f"{job.source}: is a link to {os.path.realpath(job.source)}, outside {job.root}; "
                            f"a build runs only the scripts of its own folder")
    graph = load(job.source)
    for path, fmt in job.outputs:
        _make_folders(path.parent, job.out_dir)
        yield path, _file_hash(atomic_write(path, draw(graph, fmt, options=options), inputs=graph.sources,
                                            through_links=False))


def _make_folders(folder: Path, top: Path) -> None:
    """Make ``folder`` and the folders between it and ``top``, refusing a link among them."""
    top.mkdir(parents=True, exist_ok=True)
    for part in reversed([folder, *folder.parents]):
        if part == top or top not in part.parents:
            continue
        if part.is_symlink():
            raise GraphjacError(f"{part}: is a link to {os.readlink(part)}, which the build did not make; "
                                f"it writes only into folders of its own (remove the link)")
        part.mkdir(exist_ok=True)


def default_workers() -> int:
    """The cores this process may use: one figure on each."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def run(build: FolderBuild, workers: Optional[int] = None) -> Iterator[Result]:
    """Render the stale jobs (in parallel), yielding each result as it completes; then the fresh ones.

    The manifest is updated when the iteration ends, also when it is stopped early.
    """
    workers = workers or default_workers()
    out = build.out_dir
    done = {job.name: {"digest": job.digest, "files": {p.relative_to(out).as_posix(): _file_hash(p)
                                                         for p, _ in job.outputs}} for job in build.fresh}
    try:
        for result in _results(build, workers):
            if result.status == "built":
                done[result.job.name] = {"digest": result.job.digest,
                                         "files": {p.relative_to(out).as_posix(): h for p, h in result.files}}
            yield result
        for job in build.fresh:
            yield Result(job, "unchanged")
    finally:
        _remove_unmade(build, done)
        if build.stale or done or build.previous:
            out.mkdir(parents=True, exist_ok=True)
            figures = dict(sorted(done.items()))
            atomic_write(out / MANIFEST, json.dumps({"version": 2, "figures": figures}, indent=1) + "\n",
                         through_links=False)


def _remove_unmade(build: FolderBuild, done: dict) -> None:
    """Remove the files earlier builds wrote (as the manifest records them) that this build no
    longer makes: a format no longer asked for, a spec removed. A file is removed only if it is
    still, byte for byte, what the build wrote (a regular file, no link, inside the output folder);
    a figure that failed this time keeps its old files."""
    made = {path.relative_to(build.out_dir).as_posix() for job in build.stale + build.fresh for path, _ in job.outputs}
    failed = {job.name for job in build.stale} - set(done)     # drawn again and failed: their old files stay
    for name, entry in build.previous.items():
        files = entry.get("files") if isinstance(entry, dict) else None
        if name in failed or not isinstance(files, dict):
            continue
        for relative, digest in files.items():
            path = build.out_dir / relative
            if relative in made or not isinstance(relative, str) or ".." in Path(relative).parts:
                continue
            if path.is_file() and not path.is_symlink() and within(path, build.out_dir) and _file_hash(path) == digest:
                path.unlink()


def _results(build, workers):
    """Each stale job's result. A script that ends its process (``os._exit``, a crash) fails its
    own figure only: scripts run in a process of their own when the build is serial, and when a
    script breaks the shared pool, the figures left are drawn one by one, each in its own."""
    if workers <= 1 or len(build.stale) <= 1:
        for job in build.stale:
            yield _alone(job, build.options) if is_python_figure(job.source) else render_job(job, build.options)
        return
    pool = ProcessPoolExecutor(max_workers=min(workers, len(build.stale)), initializer=_worker_start)
    futures = {pool.submit(render_job, job, build.options): job for job in build.stale}
    try:
        left = dict(futures)
        for future in as_completed(futures):
            if future.exception() is not None:
                break
            del left[future]
            yield future.result()
        pool.shutdown(wait=not left, cancel_futures=True)
        for future, job in left.items():   # only if the pool broke: done ones kept, the rest alone
            done = future.done() and not future.cancelled() and future.exception() is None
            yield future.result() if done else _alone(job, build.options)
    except BaseException:   # Ctrl-C, or the caller stopped early: no figure goes on rendering
        processes = list((getattr(pool, "_processes", None) or {}).values())
        manager = getattr(pool, "_executor_manager_thread", None)   # shutdown forgets it
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            process.terminate()
        _forget(manager)
        raise


def _forget(thread) -> None:
    """Python's exit hook wakes every process pool it has seen, and one whose workers were ended
    (by a signal, by a script) closes its wake-up pipe: "Exception ignored … Bad file descriptor"
    on the way out. Such a pool, once its manager ``thread`` has seen the workers end, is
    forgotten by that hook."""
    from concurrent.futures import process
    wakeups = getattr(process, "_threads_wakeups", None)
    if thread is None or not hasattr(wakeups, "pop"):     # a WeakKeyDictionary
        return
    thread.join(timeout=5)
    if not thread.is_alive():
        wakeups.pop(thread, None)


def _worker_start():
    """A worker leaves stopping to its parent: it ignores the terminal's Ctrl-C and hang-up,
    which reach the parent too, and when the parent (or anyone) stops it with SIGTERM it leaves
    nothing behind: its temporary folders removed, the programs it runs killed, then the process
    ended without unwinding (the parent reports the build's end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_stopped)


def _worker_stopped(signum, frame):
    signal.signal(signal.SIGTERM, signal.SIG_IGN)   # a second SIGTERM (the group's, then the pool's) must
    from graphjac.render.layout.programs import kill_running   # not cut this clean-up short
    kill_running()
    remove_temporary()
    os._exit(128 + signum)


def _alone(job: Job, options: dict) -> Result:
    """``render_job`` in a process of its own, which the job's script may end."""
    with ProcessPoolExecutor(max_workers=1, initializer=_worker_start) as pool:
        try:
            return pool.submit(render_job, job, options).result()
        except BrokenProcessPool:
            _forget(getattr(pool, "_executor_manager_thread", None))
            return Result(job, "failed", f"{job.source}: the script ended its process before the figure was "
                                         f"drawn (os._exit, a crash or a signal)", bad_input=True)
