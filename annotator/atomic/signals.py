"""Signals: SIGTERM and SIGHUP take Ctrl+C's path (which removes partials), and the few steps
that publish an output are not cut in the middle by any of them."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

TERMINATION = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Interrupted(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where the program is, like KeyboardInterrupt for Ctrl+C."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextmanager
def interrupt_on_termination() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise Interrupted (a KeyboardInterrupt): every
    `except BaseException` / `finally` that cleans up after Ctrl+C cleans up after them too."""
    if not _in_main_thread():
        yield
        return
    previous = {signum: signal.signal(signum, _raise_interrupted) for signum in TERMINATION}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold SIGINT, SIGTERM and SIGHUP back until the block ends (they arrive right after).

    For the short, multi-step publication of an output: renaming a finished folder's files
    into place must not stop half-way because the user pressed Ctrl+C at that moment.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    held = {signal.SIGINT, *TERMINATION}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)
