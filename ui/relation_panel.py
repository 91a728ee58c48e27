"""The relation panel: the layer's relations, and buttons to start one from the selected span."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Relation, Span
from annotator.schema import RelationSpec, Schema
from annotator.short_text import one_line
from ui.bridge import follow_layer
from ui.compact_layout import SIDE_PANEL_MIN_WIDTH
from ui.label_bar import FlowLayout, is_plain_key, swatch_icon, text_to_html
from ui.wording import with_article

DELETE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PENDING_STYLE = (
    "QLabel { color: #000000; background: #FFF4D6; border: 1px solid #E69F00; border-radius: 3px; padding: 4px; }"
)


class RelationListWidget(QListWidget):
    """A list that owns Delete and Enter while it has focus.

    The window binds both keys window-wide (remove span, confirm a relation's tail); claiming
    them in ShortcutOverride makes them reach keyPressEvent here instead.
    """

    delete_pressed = Signal()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_plain_key(event, (*DELETE_KEYS, *ENTER_KEYS)):
            event.accept()
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if is_plain_key(event, DELETE_KEYS):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)  # Enter: itemActivated


class RelationPanel(QWidget):
    """Lists the layer's relations as "SAID_BY: 'claim…' → 'actor'"; never edits anything itself.

    ``relation_type_chosen`` starts a relation from the head span given to ``set_head_span``;
    the main window then waits for the tail and calls ``set_pending`` meanwhile.
    """

    relation_selected = Signal(int)
    relation_delete_requested = Signal(int)
    relation_type_chosen = Signal(str)

    def __init__(self, layer: LayerModel, schema: Schema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False  # True while the selection is moved by code, not by the user
        self._layer = layer
        self._schema = schema
        self.type_buttons: dict[str, QPushButton] = {}

        self.title = QLabel("Relations")
        self.title.setStyleSheet("font-weight: bold;")
        self.list = RelationListWidget()
        self.list.setMinimumWidth(SIDE_PANEL_MIN_WIDTH)
        self.list.setAlternatingRowColors(True)
        # No sideways scrolling: rows too long for the dock end in an ellipsis.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.itemSelectionChanged.connect(self._on_selection_changed)  # not currentRowChanged: focus sets that
        self.list.itemActivated.connect(lambda item: self.relation_selected.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.delete_pressed.connect(self._request_delete)

        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Remove the selected relation (Delete)")
        self.remove_button.setEnabled(False)
        self.remove_button.clicked.connect(self._request_delete)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.remove_button)

        self.head_label = QLabel()
        self.head_label.setWordWrap(True)
        self._buttons_host = QWidget()
        self._buttons = FlowLayout(self._buttons_host)
        self._buttons.setContentsMargins(0, 0, 0, 0)
        self.pending_label = QLabel()
        self.pending_label.setWordWrap(True)
        self.pending_label.setStyleSheet(PENDING_STYLE)
        self.pending_label.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.list, 1)
        layout.addLayout(remove_row)
        layout.addWidget(self.head_label)
        layout.addWidget(self._buttons_host)
        layout.addWidget(self.pending_label)
        self.set_head_span(None)
        follow_layer(self, layer, self._on_layer_change)
        if layer.is_open:
            self._reload()

    # -- the list ---------------------------------------------------------------------------

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:
            self._reload()
        elif change.relations_touched or change.spans_removed or change.spans_changed:
            self._apply(change)

    def _reload(self) -> None:
        self._quiet = True
        try:
            self.list.clear()
            for relation in sorted(self._layer.relations.values(), key=self._order):
                self.list.addItem(self._make_item(relation))
        finally:
            self._quiet = False
        self._after_list_change()

    def _apply(self, change: LayerChange) -> None:
        removed = {relation.id for relation in change.relations_removed}
        selected = self.selected_relation()
        self._quiet = True
        try:
            for row in reversed(range(self.list.count())):
                if self.list.item(row).data(Qt.ItemDataRole.UserRole) in removed:
                    self.list.takeItem(row)
            for relation in change.relations_added:
                self._insert(relation)
            if change.spans_changed:  # a relabel or a moved edge changes the texts shown
                for row in range(self.list.count()):
                    item = self.list.item(row)
                    self._describe(item, self._layer.relations[item.data(Qt.ItemDataRole.UserRole)])
        finally:
            self._quiet = False
        if selected is not None and selected not in removed:
            self.select_relation(selected)
        self._after_list_change()

    def select_relation(self, relation_id: int | None) -> None:
        """Select ``relation_id``'s row (None clears) without emitting relation_selected."""
        self._quiet = True
        try:
            row = self._row_of(relation_id) if relation_id is not None else None
            if row is None:
                self.list.setCurrentRow(-1)
                self.list.clearSelection()
            else:
                self.list.setCurrentRow(row)
                self.list.scrollToItem(self.list.item(row))
        finally:
            self._quiet = False
        self.remove_button.setEnabled(self.selected_relation() is not None)

    def selected_relation(self) -> int | None:
        items = self.list.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _order(self, relation: Relation) -> tuple[int, int, int]:
        spans = self._layer.spans
        head, tail = spans.get(relation.head), spans.get(relation.tail)
        return (head.start if head else -1, tail.start if tail else -1, relation.id)

    def _insert(self, relation: Relation) -> None:
        if self._row_of(relation.id) is not None:
            return
        key = self._order(relation)
        row = 0
        relations = self._layer.relations
        while (
            row < self.list.count() and self._order(relations[self.list.item(row).data(Qt.ItemDataRole.UserRole)]) < key
        ):
            row += 1
        self.list.insertItem(row, self._make_item(relation))

    def _row_of(self, relation_id: int) -> int | None:
        for row in range(self.list.count()):
            if self.list.item(row).data(Qt.ItemDataRole.UserRole) == relation_id:
                return row
        return None

    def _make_item(self, relation: Relation) -> QListWidgetItem:
        item = QListWidgetItem()
        item.setData(Qt.ItemDataRole.UserRole, relation.id)
        self._describe(item, relation)
        return item

    def _describe(self, item: QListWidgetItem, relation: Relation) -> None:
        spans = self._layer.spans
        head, tail = spans.get(relation.head), spans.get(relation.tail)
        # Heads are CLAIMs, long; tails are short names: cutting the head keeps the tail in view.
        head_text = one_line(head.text, 20) if head else f"#{relation.head}"
        tail_text = one_line(tail.text, 24) if tail else f"#{relation.tail}"
        item.setText(f"{relation.label}: '{head_text}' → '{tail_text}'")
        spec = self._schema.relation(relation.label)
        item.setIcon(swatch_icon(spec.color if spec else None))
        full_head = one_line(head.text, 300) if head else "?"
        full_tail = one_line(tail.text, 300) if tail else "?"
        item.setToolTip(f"{relation.label}\nfrom: {full_head}\nto: {full_tail}")

    def _on_selection_changed(self) -> None:
        relation_id = self.selected_relation()
        self.remove_button.setEnabled(relation_id is not None)
        if not self._quiet and relation_id is not None:
            self.relation_selected.emit(relation_id)

    def _request_delete(self) -> None:
        relation_id = self.selected_relation()
        if relation_id is not None:
            self.relation_delete_requested.emit(relation_id)

    def _after_list_change(self) -> None:
        count = self.list.count()
        self.title.setText(f"Relations ({count})" if count else "Relations")
        self.remove_button.setEnabled(self.selected_relation() is not None)

    # -- starting a relation ----------------------------------------------------------------

    def set_head_span(self, span: Span | None) -> None:
        """Offer a button per relation type that may start at ``span``; none without a span."""
        for button in self.type_buttons.values():
            self._buttons.removeWidget(button)
            button.deleteLater()  # later: the click that led here may still be on the stack
        self.type_buttons.clear()
        specs: tuple[RelationSpec, ...] = ()
        if span is not None:
            specs = tuple(spec for spec in self._schema.relations if span.label in spec.head)
        for spec in specs:
            self.type_buttons[spec.name] = button = self._type_button(spec)
            self._buttons.addWidget(button)
            if self.isVisible():
                button.show()  # at once, not by Qt's queued show: clickable and focusable right away
        if span is None:
            self.head_label.setText("Select a span to start a relation from it.")
        elif not specs:
            self.head_label.setText(f"No relation starts at {with_article(span.label)}.")
        else:
            self.head_label.setText(f"New relation from '{one_line(span.text, 40)}':")
        self._buttons_host.setVisible(bool(specs))

    def _type_button(self, spec: RelationSpec) -> QPushButton:
        # The hotkey is shown, not bound: the main window owns it (and Esc) window-wide.
        text = f"{spec.name} ({spec.hotkey})" if spec.hotkey else spec.name
        button = QPushButton(swatch_icon(spec.color), text)
        button.setToolTip(f"<b>{spec.name}</b><br>{text_to_html(spec.description)}")
        button.clicked.connect(lambda _checked=False, name=spec.name: self.relation_type_chosen.emit(name))
        return button

    def set_pending(self, relation: str | None) -> None:
        if relation is None:
            self.pending_label.hide()
            return
        self.pending_label.setText(f"Pick the tail span for {relation} — Esc cancels")
        self.pending_label.show()
