"""The layer chooser: which other layer of the open document is shown read-only beside the own one.

A combo box in the toolbar: "none", then each other layer the annotator may read, with its span
count and status (annotator/layer_list.py). Choosing one asks for it to be shown; the window
keeps the choice for the next documents (ui/layer_control.py).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from annotator.layer_list import LayerSummary
from annotator.short_text import short_name

__all__ = ["LayerChooser"]

NONE_SHOWN = "none"
HOW_SHOWN = (
    "Another annotator's layer of this document, shown read-only: its spans are hatched and framed "
    "with a dashed line in their label's colour (your own are filled). Hover one for its layer, label "
    "and attributes; click it to select it for copying.\n"
    "Ctrl+Shift+L shows the next layer; Ctrl+Shift+C copies the span under the cursor into your layer; "
    "Ctrl+Alt+C copies every span of the shown layer (one undo step)."
)


class LayerChooser(QWidget):
    """'Also show: [reference · 77 spans · done]': emits ``chosen`` with a layer's name, or None for none."""

    chosen = Signal(object)  # str | None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setObjectName("layerChooser")
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.setToolTip(HOW_SHOWN)
        self.combo.addItem(NONE_SHOWN, None)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 0, 4, 0)
        label = QLabel("Also show:")
        label.setToolTip(HOW_SHOWN)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        self.combo.activated.connect(lambda index: self.chosen.emit(self.combo.itemData(index)))

    def set_layers(self, layers: list[LayerSummary], shown: str | None) -> None:
        """List ``layers`` (the open document's other layers) with ``shown`` current."""
        self.combo.clear()
        self.combo.addItem(NONE_SHOWN if layers else "none (no other layer)", None)
        for layer in layers:
            status = layer.status.replace("_", " ")
            self.combo.addItem(f"{short_name(layer.annotator)} · {layer.span_count} spans · {status}", layer.annotator)
            self.combo.setItemData(self.combo.count() - 1, layer.annotator, Qt.ItemDataRole.ToolTipRole)
        self.show_current(shown)

    def show_current(self, name: str | None) -> None:
        index = self.combo.findData(name) if name is not None else 0
        self.combo.setCurrentIndex(max(index, 0))

    def names(self) -> list[str]:
        """The layers listed, in their order."""
        return [str(self.combo.itemData(i)) for i in range(1, self.combo.count())]
