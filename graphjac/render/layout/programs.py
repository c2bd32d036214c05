"""Running the programs graphjac draws with (Graphviz's ``dot``, ``pdflatex``) as
``subprocess.run`` does, but waited for in slices, so that a signal stops the wait at once."""

from __future__ import annotations

import subprocess
import tempfile
import time

WAKE = 0.2   # seconds: how often the wait looks at the signals that came meanwhile
RUNNING: set = set()   # the programs running now (a worker told to stop kills them: :func:`kill_running`)


def run(command, data: bytes = b"", timeout: float = 60.0, cwd=None) -> subprocess.CompletedProcess:
    """``subprocess.run(command, input=data, capture_output=True, timeout=timeout, cwd=cwd)``,
    waited for in slices of :data:`WAKE`.

    A SIGTERM that another thread took (numpy's BLAS keeps threads of its own) sets a flag that
    only the main thread's Python code acts on, so a wait of one slice is as long as ``kill``
    waits. The program reads ``data`` from a nameless temporary file (a wait cut short cannot go
    on writing to a pipe), and is killed when the wait ends in an error (a timeout, a signal).
    """
    end = time.monotonic() + timeout
    with tempfile.TemporaryFile() as given:
        given.write(data)
        given.seek(0)
        with subprocess.Popen(command, stdin=given, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=cwd) as process:
            RUNNING.add(process)
            try:
                while True:
                    try:
                        out, err = process.communicate(timeout=max(min(WAKE, end - time.monotonic()), 0.0))
                        return subprocess.CompletedProcess(command, process.returncode, out, err)
                    except subprocess.TimeoutExpired:
                        if time.monotonic() >= end:
                            raise
            except BaseException:
                process.kill()
                raise
            finally:
                RUNNING.discard(process)


def kill_running() -> None:
    """Kill every program :func:`run` is waiting for (a process that ends without unwinding)."""
    for process in list(RUNNING):
        try:
            process.kill()
        except OSError:
            pass
