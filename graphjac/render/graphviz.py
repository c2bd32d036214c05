"""The one module that runs Graphviz: ``dot`` with a timeout, its errors as RenderError."""

from __future__ import annotations

import shutil
import subprocess

from ..errors import RenderError

INSTALL = ("Graphviz's dot program was not found on PATH. Install Graphviz: "
           "'sudo apt-get install graphviz' (Debian/Ubuntu), 'brew install graphviz' (macOS), "
           "or see https://graphviz.org/download/. DOT output (.dot, .gv) works without it.")


def find_dot():
    """The path of the ``dot`` executable, or None."""
    return shutil.which("dot")


def run_dot(source: str, format: str, timeout: float = 60.0, dpi: int = 150) -> bytes:
    """Lay out DOT ``source`` and return the ``format`` output (svg, png, pdf) as bytes."""
    executable = find_dot()
    if executable is None:
        raise RenderError(INSTALL)
    command = [executable, f"-T{format}"] + ([f"-Gdpi={dpi}"] if format == "png" else [])
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise RenderError(f"Graphviz's dot took longer than {timeout:g} s and was stopped "
                          f"(raise the render option timeout for a very large graph)") from None
    except OSError as exc:
        raise RenderError(f"could not run Graphviz's dot ({executable}): {exc}") from None
    stderr = done.stderr.decode("utf-8", "replace").strip()
    if done.returncode != 0:
        raise RenderError(f"Graphviz's dot failed (exit status {done.returncode}) making {format}:\n"
                          f"{stderr or '(no message)'}")
    if not done.stdout:
        raise RenderError(f"Graphviz's dot wrote no {format} output" + (f":\n{stderr}" if stderr else ""))
    return done.stdout
