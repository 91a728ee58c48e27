"""What a newly opened document's first screen does not need, started right after it is painted.

Opening a long document, the person waits for its text on screen. The side panels' rows (10,000
spans sorted, a thousand relations), the previous document's reading time (a committed write)
are not on that screen: built before it, they only delay it. A FirstPaint says when that screen
is painted, and the window does them then (ui/span_list.py, ui/relation_panel.py,
ui/controllers/navigation.py); each also catches up at once if needed earlier (an edit, a
selection, another document), so nothing is lost or shown stale.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QAbstractScrollArea

from annotator.layer_model import LayerChange, LayerModel
from ui.bridge import follow_layer


class FirstPaint(QObject):
    """Emits ``painted`` once after the first paint of ``view`` that shows each new document of ``layer``."""

    painted = Signal()

    def __init__(self, view: QAbstractScrollArea, layer: LayerModel) -> None:
        super().__init__(view)
        self._waiting = False  # a document was loaded and has not been painted yet
        view.viewport().installEventFilter(self)
        follow_layer(self, layer, self._on_layer_change)

    @property
    def waiting(self) -> bool:
        """True from a new document until its first paint has been announced."""
        return self._waiting

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:
            self._waiting = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._waiting and event.type() == QEvent.Type.Paint:
            self._waiting = False
            # The filter sees the paint before the view draws it: the signal goes out once it is drawn.
            QTimer.singleShot(0, self, self.painted.emit)
        return False
