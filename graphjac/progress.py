"""Long work told to whoever watches it: a ``fit`` lays out dozens of candidates (a whole
transformer layer, a quarter of a minute or more), and the command line shows how it gets on
(``graphjac_cli.progress``). Nothing here imports the renderer: a command that never fits pays
nothing for watching.

>>> class Watcher:
...     def started(self): print("started")
...     def laid_out(self, text): print(f"{text} pt")
...     def finished(self): print("finished")
>>> with watched(Watcher()):
...     with fitting():
...         laid_out(7.5)
started
7.5 pt
finished
>>> laid_out(9.0)    # nobody watching: nothing happens
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

_WATCHER = ContextVar("graphjac_fit_watcher", default=None)


@contextmanager
def watched(watcher):
    """While inside, ``fit`` tells ``watcher`` how it is getting on: ``watcher.started()`` as a
    fit begins, ``watcher.laid_out(text)`` after each candidate it lays out as the render draws it
    (``text``: its smallest text on the page in points, 0 when anything in it collides),
    ``watcher.chose(text, changes)`` (if it has it) with the figure drawn and what was left out
    of it, and ``watcher.finished()`` as the fit ends. Fits may nest (a brief figure's fits,
    inside its figure's)."""
    token = _WATCHER.set(watcher)
    try:
        yield
    finally:
        _WATCHER.reset(token)


@contextmanager
def fitting():
    """A fit under way, for the watcher of :func:`watched`, if any."""
    watcher = _WATCHER.get()
    if watcher is None:
        yield
        return
    watcher.started()
    try:
        yield
    finally:
        watcher.finished()


def laid_out(text: float) -> None:
    """A candidate laid out with its smallest text ``text`` points (0: something collides)."""
    watcher = _WATCHER.get()
    if watcher is not None:
        watcher.laid_out(text)


def chose(text: float, changes: str) -> None:
    """The fit drew its figure with its smallest text ``text`` points, having ``changes`` (what it
    left out of the figure asked for, in words; "" for nothing): told to a watcher that listens
    (``watcher.chose``)."""
    watcher = _WATCHER.get()
    if watcher is not None and hasattr(watcher, "chose"):
        watcher.chose(text, changes)
