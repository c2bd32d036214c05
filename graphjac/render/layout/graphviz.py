"""The one module that runs Graphviz: ``dot`` with a timeout, its errors as RenderError; the
last few outputs are kept in memory, so that the same DOT text is laid out once a process."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from graphjac.errors import LayoutFailed, RenderError
from graphjac.io.fileio import temporary_folder
from graphjac.render.deadline import DRAW_LESS
from graphjac.render.layout import programs, steps

INSTALL = ("Graphviz's dot program was not found on PATH. Install Graphviz: "
           "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
           "or see https://graphviz.org/download/. DOT output (.dot, .gv) works without it.")


def find_dot():
    """The path of the ``dot`` executable, or None."""
    return shutil.which("dot")


RECENT = 192   # layouts kept in memory: a figure drawn again (fit's choice, a frame, a re-render) skips dot
LAYOUT = "json0"   # dot's JSON of the layout alone: without xdot's drawing operations, a quarter as long to read
_recent: OrderedDict = OrderedDict()


def run_dot(source: str, format: str, timeout: float = 60.0, dpi: int = 150) -> bytes:
    """Lay out DOT ``source`` and return the ``format`` output (svg, png, pdf) as bytes."""
    key = ((format,), dpi if format == "png" else None, source)
    drawn = next((k for k in _recent if k[2] == source and len(k[0]) > 1 and format in k[0]), None)
    if drawn is not None:   # already made with other formats by one run (run_dot_all)
        return _recalled(drawn)[format]
    if key not in _recent:
        _remember(key, _run([f"-T{format}"] + ([f"-Gdpi={dpi}"] if format == "png" else []), source, format, timeout))
    return _recalled(key)


def lay_out_ahead(sources, timeout: float = 60.0) -> None:
    """Lay out several DOT ``sources`` as :data:`LAYOUT` ahead of their use, so that a later
    ``run_dot(source, LAYOUT)`` of any of them finds its layout made: those of one run of dot
    in as few runs as there are cores (the start-up dot takes for each graph, half the time of
    a small one, is paid once a run; Graphviz lays out each graph of a stream as it would alone),
    those laid out in two runs (:mod:`.steps`) each on its own, as many at once as there are
    cores. Nothing is kept of a run that fails or runs past ``timeout``; its sources are then
    laid out (and their errors said) on their own, when used."""
    todo = list(dict.fromkeys(s for s in sources if ((LAYOUT,), None, s) not in _recent))[:RECENT]
    if len(todo) < 2 or find_dot() is None:
        return
    plain = [s for s in todo if not steps.has_placed(s)]
    workers = max(1, min(os.cpu_count() or 1, WORKERS))
    share = -(-len(plain) // workers) if plain else 1
    jobs = [plain[k:k + share] for k in range(0, len(plain), share)] + [[s] for s in todo if steps.has_placed(s)]
    with ThreadPoolExecutor(max_workers=workers) as pool:   # dot and neato run while the threads wait
        for batch, outputs in zip(jobs, pool.map(lambda batch: _laid_out(batch, timeout), jobs)):
            for source, output in zip(batch, outputs):
                _remember(((LAYOUT,), None, source), output)


WORKERS = 4   # Graphviz runs at once, at most (one a core)


def _laid_out(batch, timeout) -> list:
    """The :data:`LAYOUT` output of each DOT source of ``batch``, laid out in one run ([] when it fails)."""
    try:
        output = _run([f"-T{LAYOUT}"], "\n".join(batch), LAYOUT, timeout)
    except RenderError:   # LayoutFailed included: one of them cannot be laid out
        return []
    if len(batch) == 1:
        return [output]
    documents = _json_documents(output.decode("utf-8"))
    return [d.encode("utf-8") for d in documents] if len(documents) == len(batch) else []


def _json_documents(text: str) -> list:
    """The JSON documents that follow one another in ``text`` (dot writes one a graph), as text;
    [] if any is not JSON."""
    documents, decoder, at = [], json.JSONDecoder(), 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            return documents
        try:
            end = decoder.raw_decode(text, at)[1]
        except ValueError:
            return []
        documents.append(text[at:end])
        at = end


def _remember(key, output):
    _recent[key] = output
    while len(_recent) > RECENT:
        _recent.popitem(last=False)


def _recalled(key):
    _recent.move_to_end(key)
    output = _recent[key]
    return dict(output) if isinstance(output, dict) else output


def run_dot_all(source: str, formats: tuple, timeout: float = 60.0) -> dict:
    """One layout of DOT ``source`` written in several formats at once (``{format: bytes}``):
    the layout of ``json`` and the drawing of ``svg`` agree to the point, and dot runs once."""
    key = (tuple(formats), None, source)
    if key not in _recent:
        _remember(key, _run_all(source, formats, timeout))
    return _recalled(key)


def _run_all(source, formats, timeout):
    with temporary_folder("graphjac-dot-") as folder:
        paths = {format: folder / f"out.{format}" for format in formats}
        options = [arg for format, path in paths.items() for arg in (f"-T{format}", f"-o{path}")]
        _run(options, source, "/".join(formats), timeout, output_expected=False)
        outputs = {format: path.read_bytes() if path.exists() else b"" for format, path in paths.items()}
    for format, data in outputs.items():
        if not data:
            raise RenderError(f"Graphviz's dot wrote no {_said(format)} output")
    return outputs


def _run(options, source, format, timeout, output_expected=True):
    if steps.has_placed(source):
        return _run_placed(options, source, format, timeout, output_expected)
    return _run_program(find_dot(), options, source, format, timeout, output_expected)


def _run_placed(options, source, format, timeout, output_expected):
    """A figure whose steps are boxed after the layout (:mod:`.steps`): dot lays it out with the
    steps unboxed, then ``neato -n2`` draws it as laid out, boxes put back (the same bound for both)."""
    text, boxes = steps.unboxed(source)
    with temporary_folder("graphjac-dot-") as folder:
        paths = {format: folder / f"first.{format}" for format in ("dot", LAYOUT)}
        _run_program(find_dot(), [arg for f, path in paths.items() for arg in (f"-T{f}", f"-o{path}")], text,
                     "a layout", timeout, output_expected=False)
        positioned = steps.boxed(paths["dot"].read_text(encoding="utf-8"), paths[LAYOUT].read_bytes(), boxes)
    return _run_program(_neato(), ["-n2"] + options, positioned, format, timeout, output_expected)


def _said(format: str) -> str:
    """A format as an error names it (``json0`` is the layout itself)."""
    return "layout" if format == LAYOUT else format


def _neato():
    """Graphviz's neato, beside dot (it draws a graph whose nodes and edges are placed already)."""
    dot = find_dot()
    if dot is None:
        return None
    beside = Path(dot).with_name("neato")
    return str(beside) if beside.exists() else shutil.which("neato")


def _run_program(executable, options, source, format, timeout, output_expected=True):
    if executable is None:
        raise RenderError(INSTALL)
    command = [executable] + options
    try:
        done = programs.run(command, source.encode("utf-8"), timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz's dot took longer than {timeout:g} s and was stopped: raise the render "
                          f"option timeout (--timeout) for a very large graph, or draw less of it: {DRAW_LESS}") from None
    except OSError as exc:
        raise RenderError(f"could not run Graphviz's dot ({executable}): {exc}") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise LayoutFailed(f"Graphviz's dot failed (exit status {done.returncode}) making {_said(format)}:\n"
                          f"{stderr or '(no message)'}")
    if output_expected and not done.stdout:
        raise RenderError(f"Graphviz's dot wrote no {_said(format)} output" + (f":\n{stderr}" if stderr else ""))
    return done.stdout
