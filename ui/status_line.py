"""The status bar's standing fields: the open document's place and spans, the layer, the last save."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QLabel, QStatusBar

from annotator.models import DocumentSummary
from ui.document_state import OpenDocument


class StatusLine:
    """Permanent labels at the right of the status bar; messages keep the left."""

    def __init__(self, status_bar: QStatusBar, annotator: str) -> None:
        self.position_label = QLabel()
        self.spans_label = QLabel()
        self.layer_label = QLabel(f"Layer: {annotator}")
        self.saved_label = QLabel("No changes yet")
        for label in (self.position_label, self.spans_label, self.layer_label, self.saved_label):
            status_bar.addPermanentWidget(label)

    def show_position(self, documents: list[DocumentSummary], doc: OpenDocument | None) -> None:
        ids = [d.id for d in documents]
        position = ids.index(doc.id) + 1 if doc and doc.id in ids else 0
        self.position_label.setText(f"Document {position} of {len(ids)}")
        self.spans_label.setText(f"{len(doc.spans) if doc else 0} spans")

    def show_saved(self) -> None:
        self.saved_label.setText(f"Saved {time.strftime('%H:%M:%S')}")
