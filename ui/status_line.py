"""The status bar's standing fields: the open document's place and spans, the layer, the last save."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar


class StatusLine:
    """Permanent labels at the right of the status bar; messages keep the left."""

    def __init__(self, status_bar: QStatusBar, annotator: str) -> None:
        self.position_label = QLabel()
        self.spans_label = QLabel()
        self.layer_label = QLabel(f"Layer: {annotator}")
        self.saved_label = QLabel("No changes yet")
        for label in (self.position_label, self.spans_label, self.layer_label, self.saved_label):
            status_bar.addPermanentWidget(label)

    def show_position(self, position: int, documents: int, spans: int) -> None:
        """Document `position` (from 1; 0 with none open) of `documents`, with its span count."""
        self.position_label.setText(f"Document {position} of {documents}")
        self.spans_label.setText(f"{spans} spans")

    def show_saved(self) -> None:
        self.saved_label.setText(f"Saved {time.strftime('%H:%M:%S')}")
