"""The ``graphjac`` program as a shell starts it: the command line of :mod:`.main` in a process
set up for one short run. (Tests and ``click.testing`` call :data:`.main.main` itself.)

A library cannot choose these for its process; a program can, and each is measured by
``benchmarks/render.py`` (on 2 cores: about 5, 4 and 20 ms of a 130 ms render):

- numpy's BLAS starts a worker thread per core, which spins while it waits for work; graphjac's
  arrays are small, and on a machine with few cores that thread takes the core Graphviz's ``dot``
  runs on. ``OPENBLAS_NUM_THREADS`` is 1 unless it is set already (before numpy is imported).
- The garbage collector walks the growing heap again and again while the modules load; it is
  off until they are loaded, and what they made is then left out of its walks
  (:func:`gc.freeze`). Collections then run as usual, for ``watch`` and ``train`` too.
- Tearing the interpreter down (freeing every module and object) is the costliest part of an
  exit. Once the command is done, its output flushed and the ``atexit`` handlers run (temporary
  folders removed), the process ends without it, as mypy does. While another thread is alive,
  the exit is the usual one.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading


def run() -> None:
    """Run the command the arguments name, then end the process with its exit code."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    gc.disable()
    from .main import main
    gc.freeze()
    gc.enable()
    try:
        main(prog_name="graphjac")
    except SystemExit as done:
        code = done.code
    else:   # pragma: no cover - click's main ends in SystemExit
        code = 0
    end(code)


def end(code) -> None:
    """End the process as ``sys.exit(code)`` would, without freeing what it holds.

    ``code`` is a ``SystemExit``'s: None for 0, a number, or a message for standard error and 1.
    """
    if any(thread is not threading.main_thread() and not thread.daemon for thread in threading.enumerate()):
        sys.exit(code)   # the interpreter waits for that thread, as it should
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is None or stream.closed:   # started closed (>&-), or closed since: nothing to flush
            continue
        try:
            stream.flush()
        except (OSError, ValueError):   # gone: a closed pipe, a full disk
            code = code or 120   # what the interpreter's own exit returns when that flush fails
    os._exit(code & 0xFF)
