"""The typesetter: ziamath setting formulas, in this process or, for a large figure's first
render, in worker processes on every core.

Each worker is a fresh interpreter (``python -m graphjac.render.typesetter``), not a fork,
so that it works the same on every system and never runs a user's script again. It reads a
JSON list of ``[latex, size, colour]`` requests on stdin and writes, in the same order, each
formula's ``[width, height, fragment]``, or null where ziamath could not set it (the caller
sets that one itself, for its message). Whatever goes wrong in a worker only costs speed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from ..errors import RenderError


CHUNK = 300    # characters of a long formula set at a time: ziamath's time grows with the square of a row


def set_formula(latex, size, color):
    """(width, height, fragment) of ``latex`` set by ziamath (imported only here: it is slow to load).

    A long formula (a sum of hundreds of terms) is set in chunks cut before its operators,
    placed side by side on one baseline, so that its time grows with its length, not its square.
    """
    parts = [_set(chunk, size, color, latex) for chunk in chunks(latex)]
    if len(parts) == 1:
        width, height, _, elements = parts[0]
    else:
        width, height, elements = _side_by_side(parts)
    fragment = ET.Element("g")
    fragment.extend(elements)
    return round(width, 3), round(height, 3), ET.tostring(fragment, encoding="unicode")


def chunks(latex: str) -> list:
    """``latex`` cut into pieces of about :data:`CHUNK` characters, each after the first starting
    at a binary operator or relation (written after ``{}``, so that it keeps its spacing); a
    formula that cannot be cut so stays whole.

    >>> chunks("a + b")
    ['a + b']
    >>> parts = chunks(" + ".join(f"x_{{{k}}}" for k in range(200)))
    >>> len(parts), all(part.startswith("{} + x_") for part in parts[1:])
    (5, True)
    """
    if len(latex) <= 2 * CHUNK:
        return [latex]
    from ..mathtext import pieces
    out, current = [], []
    for piece in pieces(latex):
        if current and sum(map(len, current)) >= CHUNK and piece in _OPERATORS:
            out.append(" ".join(current))
            current = ["{}"]
        current.append(piece)
    return out + [" ".join(current)]


_OPERATORS = {"+", "-", "=", "<", ">", r"\cdot", r"	imes", r"\odot", r"\le", r"\ge", r"pprox", r"\pm"}


def _set(latex, size, color, whole):
    """(width, height, ascent, elements) of ``latex`` drawn by ziamath with its top-left at (0, 0)."""
    import ziamath

    from .latex import for_ziamath
    try:
        math = ziamath.Latex(for_ziamath(latex), size=size, color=color)
        width, height = math.getsize()
        group = ET.Element("g")
        math.drawon(group, 0, 0, halign="left", valign="top")
        ascent = height + math.getyofst()      # getyofst: the baseline's height above the bottom, negated
    except Exception as err:   # ziamath raises bare assertions and parser errors of several kinds
        reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        raise RenderError(f"cannot typeset the LaTeX {whole!r} ({reason})") from None
    inner = group[0] if len(group) == 1 and group[0].tag == "g" and not group[0].attrib else group
    return width, height, ascent, list(inner)


def _side_by_side(parts):
    """(width, height, elements) of drawn chunks placed left to right on one baseline."""
    ascent = max(part[2] for part in parts)
    height = ascent + max(part[1] - part[2] for part in parts)
    elements, x = [], 0.0
    for width, _, top, drawn in parts:
        group = ET.Element("g", {"transform": f"translate({x:.3f} {ascent - top:.3f})"})
        group.extend(drawn)
        elements.append(group)
        x += width
    return x, height, elements


def usable_cores() -> int:
    """The cores this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def set_in_workers(requests: list, workers: int) -> dict:
    """``{request: (width, height, fragment)}`` for the requests ``workers`` processes could set."""
    shares = [requests[k::workers] for k in range(workers)]
    out, running = {}, []
    with tempfile.TemporaryDirectory(prefix="graphjac-typeset-") as folder:
        try:
            for k, share in enumerate(shares):
                _start(share, os.path.join(folder, str(k)), running)
            for share, process, output in running:
                out.update((r, result) for r, result in zip(share, _results(process, output, len(share)))
                           if result is not None)
        except OSError:   # no interpreter to start (an embedded Python): this process sets them all
            pass
        finally:          # Ctrl-C, or a start that failed: no worker is left running
            for _, process, _ in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
    return out


def _start(share, stem, running):
    """Start a worker on ``share``, noted in ``running`` at once: a SIGTERM or Ctrl-C that comes
    next finds it there, to be stopped."""
    with open(stem + ".in", "w", encoding="utf-8") as requests:
        json.dump(share, requests)
    with open(stem + ".in", "rb") as stdin, open(stem + ".out", "wb") as stdout:
        running.append((share, subprocess.Popen([sys.executable, "-m", __name__], stdin=stdin, stdout=stdout,
                                                stderr=subprocess.DEVNULL), stem + ".out"))


def _results(process, output, count):
    """A worker's results, or nothing (it failed: its formulas are set in this process)."""
    if process.wait() != 0:
        return []
    try:
        with open(output, encoding="utf-8") as results:
            out = json.load(results)
    except (OSError, ValueError):
        return []
    if not isinstance(out, list) or len(out) != count:
        return []
    return [tuple(item) if isinstance(item, list) and len(item) == 3 else None for item in out]


def main() -> None:
    """A worker: requests on stdin, results on stdout."""
    out = []
    for latex, size, color in json.load(sys.stdin):
        try:
            out.append(list(set_formula(latex, size, color)))
        except RenderError:
            out.append(None)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
