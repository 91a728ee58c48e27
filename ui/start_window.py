"""What `annotator` shows at once: the window's frame, saying what it does while the project opens.

Opening a project needs SQLAlchemy, the window's modules, the database and the first document
(several hundred ms on a cold start); a bare Qt window needs none of them. So the start
window is painted first, where the main window will stand, and the project is opened right
after its first paint, one step at a time, each step named in it (ui/app.py runs them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMainWindow, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from PySide6.QtCore import QByteArray
    from PySide6.QtGui import QPaintEvent

# The main window's own size (MainWindow._restore_layout) when no layout is remembered.
DEFAULT_SIZE = (1400, 860)


class StartWindow(QMainWindow):
    """A main window frame with one line of text in its middle; `painted` once that is on the screen."""

    painted = Signal()

    def __init__(self, title: str, geometry: QByteArray | None) -> None:
        super().__init__()
        self.setWindowTitle(title)
        self.message = QLabel()
        self.message.setObjectName("startMessage")
        # Centred by stretches, not by Qt.AlignmentFlag: the first use of the Qt namespace
        # builds all of its enums (tens of ms), which the main window pays after this paint.
        central = QWidget()
        column = QVBoxLayout(central)
        row = QHBoxLayout()
        row.addStretch()
        row.addWidget(self.message)
        row.addStretch()
        column.addStretch()
        column.addLayout(row)
        column.addStretch()
        self.setCentralWidget(central)
        self.resize(*DEFAULT_SIZE)
        if geometry is not None:
            self.restoreGeometry(geometry)
        self._painted = False

    def say(self, message: str) -> None:
        """Show what is being done now, at once (the caller keeps the event loop busy meanwhile)."""
        self.message.setText(message)
        self.message.repaint()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            # Queued: the rest of this paint (the message) reaches the screen before anything slow starts.
            QTimer.singleShot(0, self.painted.emit)
