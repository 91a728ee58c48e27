"""Time spent reading: from opening a document to leaving it, added to its status row."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QElapsedTimer

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class ReadingTime:
    """A clock started when a document opens and read when the annotator leaves it (or the window)."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._clock = QElapsedTimer()

    def start(self) -> None:
        self._clock.start()

    def record(self, document_id: int | None) -> None:
        """Add the time since start() to the document left; the clock stops until the next start()."""
        if document_id is None or not self._clock.isValid():
            return
        seconds = self._clock.elapsed() / 1000
        self._clock.invalidate()
        if seconds >= 1:
            window = self._window
            window.attempt(lambda: window.service.add_time(document_id, seconds))
