"""Where the core's change events meet Qt: the service's as a signal, the open layer's per widget."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from annotator.layer_model import LayerListener, LayerModel
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


def follow_layer(owner: QObject, layer: LayerModel, listener: LayerListener) -> None:
    """Call ``listener`` with the layer's changes for as long as ``owner`` lives: a deleted
    widget is never called (the layer outlives the widgets of one window)."""
    unsubscribe = layer.subscribe(listener)
    owner.destroyed.connect(lambda _object=None: unsubscribe())
