"""Turns the service's change events into a Qt signal, so widgets refresh on what changed."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.models import Changes
from annotator.service import AnnotationService


class ServiceBridge(QObject):
    """Re-emits every Changes of one service as `changed`; the only subscriber Qt needs."""

    changed = Signal(object)  # Changes

    def __init__(self, service: AnnotationService, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe = service.subscribe(self._relay)

    def _relay(self, changes: Changes) -> None:
        self.changed.emit(changes)

    def detach(self) -> None:
        self._unsubscribe()
