"""Suggested relations, listed under the relation panel's own rows: each to accept or reject.

A suggested relation is listed while the edited layer does not have it (the same label between
spans at its ends' places). Accepting it writes it with whichever of its ends are not spans of
the layer yet (they are suggestions too, or it could not exist): one edit, one undo step.
Rejecting keeps it as a relation_rejections row of the layer (undoable): it is not listed again,
whatever the sources propose.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from annotator.layer_model import LayerModel
from annotator.short_text import one_line
from annotator.suggest.base import SuggestedRelation

__all__ = ["SuggestedRelationList", "undecided_relations"]


def undecided_relations(
    suggested: tuple[SuggestedRelation, ...], layer: LayerModel, rejected: set[SuggestedRelation]
) -> list[SuggestedRelation]:
    """The suggested relations the layer has not, and has not rejected."""
    if not suggested:
        return []
    ids = {(s.start, s.end, s.label): s.id for s in layer.spans.values()}
    present = {(r.label, r.head, r.tail) for r in layer.relations.values()}
    return [
        relation
        for relation in suggested
        if relation not in rejected and (relation.label, ids.get(relation.head), ids.get(relation.tail)) not in present
    ]


class SuggestedRelationList(QWidget):
    """The rows, with Accept and Reject for the one selected; hidden while there is none."""

    accept_requested = Signal(object)  # SuggestedRelation
    reject_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.list = QListWidget()
        self.list.setMaximumHeight(110)
        self.accept_button = QPushButton("Accept")
        self.accept_button.setToolTip("Add the suggested relation (and its ends that are suggestions) to your layer")
        self.reject_button = QPushButton("Reject")
        self.reject_button.setToolTip("Reject the suggested relation: it is not proposed to this layer again")
        self.accept_button.clicked.connect(lambda: self._request(self.accept_requested))
        self.reject_button.clicked.connect(lambda: self._request(self.reject_requested))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.accept_button)
        buttons.addWidget(self.reject_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.title)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self.relations: list[SuggestedRelation] = []
        self.hide()

    def show_relations(self, relations: list[SuggestedRelation], text: str) -> None:
        self.relations = relations
        self.list.clear()
        italic = QFont(self.list.font())
        italic.setItalic(True)
        for relation in relations:
            (hs, he, _hl), (ts, te, _tl) = relation.head, relation.tail
            item = QListWidgetItem(
                f"{relation.label}? '{one_line(text[hs:he], 20)}' → '{one_line(text[ts:te], 24)}'  "
                f"({relation.source}, {relation.score:.2f})"
            )
            item.setFont(italic)
            item.setForeground(Qt.GlobalColor.darkGray)
            self.list.addItem(item)
        if relations:
            self.list.setCurrentRow(0)
        self.title.setText(f"Suggested relations ({len(relations)})")
        self.setVisible(bool(relations))

    def _request(self, signal: SignalInstance) -> None:
        row = self.list.currentRow()
        if 0 <= row < len(self.relations):
            signal.emit(self.relations[row])
