"""Time spent reading: from opening a document to leaving it, added to its status row."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ReadingTime:
    """A clock started when a document opens and stopped when the annotator leaves it (or the window).

    The time is taken when the document is left, and written by ``save``: the window saves after
    the next document is on screen (a committed write need not delay it), and before anything
    else is opened or the window closes, so no time is lost.
    """

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._clock = QElapsedTimer()
        self._unsaved: list[tuple[int, float]] = []  # (document id, seconds): left, not yet written

    def start(self) -> None:
        self._clock.start()

    def stop(self, document_id: int | None) -> None:
        """Take the time since start() for the document left; the clock stops until the next start()."""
        if document_id is None or not self._clock.isValid():
            return
        seconds = self._clock.elapsed() / 1000
        self._clock.invalidate()
        if seconds >= 1:
            self._unsaved.append((document_id, seconds))

    def save(self) -> None:
        """Add every time taken to its document's status row."""
        window = self._window
        unsaved, self._unsaved = self._unsaved, []
        for document_id, seconds in unsaved:
            window.attempt(partial(window.service.add_time, document_id, seconds))

    def drop(self) -> None:
        """Stop without taking the time: the document was taken out elsewhere, its time has no row to go to."""
        self._clock.invalidate()

    def record(self, document_id: int | None) -> None:
        """Stop on the document left and write its time now."""
        self.stop(document_id)
        self.save()
