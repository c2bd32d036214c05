"""A long ``--fit`` told on the terminal: one line on standard error, kept up to date and wiped
when the fit ends (a whole transformer layer lays out dozens of candidates, for a quarter of a
minute or more); then, if the fit left anything out of the figure to make it legible (steps
folded, submodules collapsed, numbers left off), one line that says so and which option keeps
it. Nothing is written when standard error is not a terminal, and no progress line for a fit
that ends within :data:`QUIET` seconds."""

from __future__ import annotations

import time

QUIET = 2.0    # seconds a fit runs before its line appears
EVERY = 0.5    # seconds between two updates of the line


class FitProgress:
    """The watcher :func:`graphjac.progress.watched` tells, writing to ``stream``
    (a terminal) ``\\r``-rewritten lines such as ``fitting to the page: 12 layouts in 9 s, the
    clearest with 7.4 pt text``."""

    def __init__(self, stream, clock=time.monotonic):
        self.stream, self.clock = stream, clock
        self.depth, self.shown, self.changes = 0, False, ""

    def started(self):
        if self.depth == 0:
            self.start, self.last, self.count, self.best = self.clock(), 0.0, 0, 0.0
        self.depth += 1

    def laid_out(self, text: float):
        self.count += 1
        self.best = max(self.best, text)
        now = self.clock()
        if now - self.start >= QUIET and now - self.last >= EVERY:
            self.last = now
            layouts = f"{self.count} layout{'s' if self.count > 1 else ''}"
            clearest = f", the clearest with {self.best:.1f} pt text" if self.best else ""
            self._write(f"\rfitting to the page: {layouts} in {now - self.start:.0f} s{clearest}\x1b[K")
            self.shown = True

    def chose(self, text: float, changes: str):
        self.changes = f"fitted to the page at {text:.1f} pt: {changes}" if changes else ""

    def finished(self):
        self.depth -= 1
        if self.depth == 0 and self.shown:
            self._write("\r\x1b[K")
            self.shown = False
        if self.depth == 0 and self.changes:   # what the figure left out, and how to keep it
            self._write(self.changes + "\n")
            self.changes = ""

    def _write(self, text):
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):   # the terminal is gone: the fit goes on without it
            pass
