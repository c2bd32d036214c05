"""A signal that another thread takes, as a SIGTERM may land on numpy's BLAS thread: Python acts
on it only when the main thread runs its own code, so a wait blocked in C holds it off."""

import contextlib
import signal
import threading
import time


class Stopped(BaseException):
    """What the signal's handler raises in the main thread."""


@contextlib.contextmanager
def signalled_from_another_thread(after: float = 0.3):
    """Within the block, SIGUSR1 arrives on another thread ``after`` seconds in; its handler
    raises :class:`Stopped`. Yields the monotonic time the block began."""
    def stop(signum, frame):
        raise Stopped
    previous = signal.signal(signal.SIGUSR1, stop)
    other = threading.Thread(target=lambda: (time.sleep(after),
                                             signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)))
    try:
        other.start()
        yield time.monotonic()
    finally:
        other.join()
        signal.signal(signal.SIGUSR1, previous)
