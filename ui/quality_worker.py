"""Figures computed off the GUI thread: a read of the whole project must never hold up a key.

A plain daemon thread runs a Qt-free computation (annotator/dashboard.py, annotator/agreement/)
that opens its own read snapshot (its own pooled connection); its result comes back to the
GUI thread as a queued signal. Why not a QThread: a QThread object destroyed while it runs
aborts the process, and closing the window must not wait seconds for a bootstrap to finish;
a daemon thread whose window is gone just finds no one to deliver to.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from annotator.errors import AnnotatorError


class BackgroundFigures(QObject):
    """Runs one computation at a time; `done` gets the newest request's result, `failed` its error message.

    A request made while one runs is remembered and started when that one ends, so a burst of
    status changes costs at most two computations and the last answer is never stale.
    """

    done = Signal(object)
    failed = Signal(str)
    _delivered = Signal(int, object, str)  # request number, result, error message ("" when none)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._requested = 0
        self._running = False
        self._waiting: Callable[[], Any] | None = None
        self._delivered.connect(self._arrived)

    @property
    def busy(self) -> bool:
        return self._running

    def request(self, compute: Callable[[], Any]) -> None:
        self._requested += 1
        if self._running:
            self._waiting = compute
            return
        self._start(compute)

    def _start(self, compute: Callable[[], Any]) -> None:
        self._running = True
        number = self._requested
        deliver = self._delivered

        def run() -> None:
            try:
                result, message = compute(), ""
            except AnnotatorError as error:
                result, message = None, str(error)
            except Exception as error:  # shown in the panel, never a crash of a thread nobody sees
                result, message = None, f"internal error: {type(error).__name__}: {error}"
            with contextlib.suppress(RuntimeError):  # the panel was closed meanwhile
                deliver.emit(number, result, message)

        threading.Thread(target=run, name="annotator-figures", daemon=True).start()

    def _arrived(self, number: int, result: Any, message: str) -> None:
        self._running = False
        if self._waiting is not None:
            compute, self._waiting = self._waiting, None
            self._start(compute)
            return  # a newer request is under way: this answer is already old
        if number != self._requested:
            return
        if message:
            self.failed.emit(message)
        else:
            self.done.emit(result)
