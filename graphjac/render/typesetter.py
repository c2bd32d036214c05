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


def set_formula(latex, size, color):
    """(width, height, fragment) of ``latex`` set by ziamath (imported only here: it is slow to load)."""
    import ziamath

    from .latex import for_ziamath
    try:
        math = ziamath.Latex(for_ziamath(latex), size=size, color=color)
        width, height = math.getsize()
        group = ET.Element("g")
        math.drawon(group, 0, 0, halign="left", valign="top")
    except Exception as err:   # ziamath raises bare assertions and parser errors of several kinds
        reason = f"{type(err).__name__}: {err}" if str(err) else type(err).__name__
        raise RenderError(f"cannot typeset the LaTeX {latex!r} ({reason})") from None
    inner = group[0] if len(group) == 1 and group[0].tag == "g" and not group[0].attrib else group
    fragment = ET.Element("g")
    fragment.extend(list(inner))
    return round(width, 3), round(height, 3), ET.tostring(fragment, encoding="unicode")


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
                running.append((share, *_start(share, os.path.join(folder, str(k)))))
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


def _start(share, stem):
    with open(stem + ".in", "w", encoding="utf-8") as requests:
        json.dump(share, requests)
    with open(stem + ".in", "rb") as stdin, open(stem + ".out", "wb") as stdout:
        process = subprocess.Popen([sys.executable, "-m", __name__], stdin=stdin, stdout=stdout,
                                   stderr=subprocess.DEVNULL)
    return process, stem + ".out"


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
