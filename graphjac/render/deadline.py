"""A whole render bounded by its ``timeout`` option: typesetting long formulas as well as Graphviz.

Graphviz runs with its own timeout; typesetting runs in this process, so the bound is an alarm
(``SIGALRM``) that stops whatever is running when the time is up. Where there is no alarm (on
Windows, outside the main thread, or in a program that uses SIGALRM itself) only Graphviz is
bounded.

>>> import time
>>> try:
...     with within(0.05):
...         time.sleep(1)
... except RenderError as error:
...     print(error)
the figure took longer than 0.05 s, its timeout; raise --timeout (render option timeout), shorten its longest labels, or draw less of it: fold repeated time steps (--steps k) or draw a PyTorch model's submodules as one node each (--depth k)
"""

from __future__ import annotations

import signal
import threading
from contextlib import contextmanager

from graphjac.errors import RenderError

DRAW_LESS = ("fold repeated time steps (--steps k) or draw a PyTorch model's submodules as one node each "
             "(--depth k)")   # what a render too slow for its timeout can leave out


class _Expired(BaseException):
    """The alarm went off (a BaseException, so that no ``except Exception`` on the way swallows it)."""


_ACTIVE = []   # the bound in force, if any: an inner one adds nothing
GRACE = 0.25   # seconds past the timeout: Graphviz, bounded by the same timeout, says so itself first


def _alarm_in_use() -> bool:
    """Whether the program uses SIGALRM itself (a handler of its own, a timer running): then it keeps it."""
    return signal.getsignal(signal.SIGALRM) not in (signal.SIG_DFL, None) or signal.getitimer(signal.ITIMER_REAL)[0] > 0


@contextmanager
def within(seconds):
    """Run the block for at most ``seconds`` (None: unbounded), then raise a RenderError."""
    if (not seconds or seconds <= 0 or _ACTIVE or not hasattr(signal, "setitimer")
            or threading.current_thread() is not threading.main_thread() or _alarm_in_use()):
        yield
        return

    def expired(signum, frame):
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expired)
    _ACTIVE.append(seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds + GRACE)
    try:
        yield
    except _Expired:
        raise RenderError(f"the figure took longer than {seconds:g} s, its timeout; raise --timeout "
                          f"(render option timeout), shorten its longest labels, or draw less of it: {DRAW_LESS}") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        _ACTIVE.pop()
