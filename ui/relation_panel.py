"""The relation panel: the layer's relations, and buttons to start one from the selected span."""

from __future__ import annotations

import bisect
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Relation, Span
from annotator.schema import RelationSpec, Schema
from annotator.short_text import one_line
from ui.bridge import follow_layer
from ui.colors import relation_color
from ui.compact_layout import SIDE_PANEL_MIN_WIDTH
from ui.label_bar import FlowLayout, is_plain_key, swatch_icon, text_to_html
from ui.wording import with_article

DELETE_KEYS = (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_Index = QModelIndex | QPersistentModelIndex
_Key = tuple[int, int, int]  # (head start, tail start, relation id): the list's order
PENDING_STYLE = (
    "QLabel { color: #000000; background: #FFF4D6; border: 1px solid #E69F00; border-radius: 3px; padding: 4px; }"
)


class RelationListModel(QAbstractListModel):
    """The layer's relations as rows ordered by their spans' starts; Qt.UserRole gives a row's relation id.

    The rows are the relations' order keys only: each row's text, icon and tooltip are made from
    the layer when a view asks for them (for the rows on screen), so opening a document with
    thousands of relations builds no item per relation, and an edit moves or redraws a few rows.
    """

    def __init__(self, layer: LayerModel, schema: Schema, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self._schema = schema
        self.keys: list[_Key] = []
        self._key_of: dict[int, _Key] = {}  # relation id -> its key in ``keys``
        self._icons: dict[str, QIcon] = {}

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.keys)

    def key(self, relation: Relation) -> _Key:
        spans = self._layer.spans
        head, tail = spans.get(relation.head), spans.get(relation.tail)
        return (head.start if head else -1, tail.start if tail else -1, relation.id)

    def reload(self, *, empty: bool = False) -> None:
        """The layer's relations (none if ``empty``: until the next reload)."""
        self.beginResetModel()
        relations = () if empty else self._layer.relations.values()
        self._key_of = {relation.id: self.key(relation) for relation in relations}
        self.keys = sorted(self._key_of.values())
        self.endResetModel()

    def row_of(self, relation_id: int) -> int | None:
        key = self._key_of.get(relation_id)
        return None if key is None else bisect.bisect_left(self.keys, key)

    def apply(self, change: LayerChange) -> None:
        """Remove, move and insert the rows one change touched; redraw the rest if span texts changed."""
        relations = self._layer.relations
        gone = {relation.id for relation in change.relations_removed}
        spans_moved = {span.id for span in change.spans_removed} | {new.id for _old, new in change.spans_changed}
        stale = set(gone)
        if spans_moved:  # a relation whose head or tail moved may have a new place in the order
            for relation_id, key in self._key_of.items():
                relation = relations.get(relation_id)
                if relation is None or (
                    (relation.head in spans_moved or relation.tail in spans_moved) and self.key(relation) != key
                ):
                    stale.add(relation_id)
        for relation_id in stale:
            row = self.row_of(relation_id)
            if row is not None:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self.keys[row]
                del self._key_of[relation_id]
                self.endRemoveRows()
        moved = [relations[relation_id] for relation_id in stale - gone if relation_id in relations]
        for relation in (*change.relations_added, *moved):
            if relation.id not in self._key_of:
                key = self.key(relation)
                row = bisect.bisect_left(self.keys, key)
                self.beginInsertRows(QModelIndex(), row, row)
                self.keys.insert(row, key)
                self._key_of[relation.id] = key
                self.endInsertRows()
        if (change.spans_changed or change.spans_removed) and self.keys:  # the texts shown may have changed
            self.dataChanged.emit(self.index(0), self.index(len(self.keys) - 1))

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.keys):
            return None
        relation_id = self.keys[index.row()][2]
        if role == Qt.ItemDataRole.UserRole:
            return relation_id
        relation = self._layer.relations.get(relation_id)
        if relation is None:
            return None  # removed from the layer, its row not yet: a view asked in between
        spans = self._layer.spans
        head, tail = spans.get(relation.head), spans.get(relation.tail)
        if role == Qt.ItemDataRole.DisplayRole:
            # Heads are CLAIMs, long; tails are short names: cutting the head keeps the tail in view.
            head_text = one_line(head.text, 20) if head else f"#{relation.head}"
            tail_text = one_line(tail.text, 24) if tail else f"#{relation.tail}"
            return f"{relation.label}: '{head_text}' → '{tail_text}'"
        if role == Qt.ItemDataRole.DecorationRole:
            return self._icon(relation.label)
        if role == Qt.ItemDataRole.ToolTipRole:
            full_head = one_line(head.text, 300) if head else "?"
            full_tail = one_line(tail.text, 300) if tail else "?"
            return f"{relation.label}\nfrom: {full_head}\nto: {full_tail}"
        return None

    def _icon(self, label: str) -> QIcon:
        icon = self._icons.get(label)
        if icon is None:
            icon = self._icons[label] = swatch_icon(relation_color(self._schema, label))
        return icon


class RelationListView(QListView):
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
        super().keyPressEvent(event)  # Enter: activated


class RelationPanel(QWidget):
    """Lists the layer's relations as "SAID_BY: 'claim…' → 'actor'"; never edits anything itself.

    ``relation_type_chosen`` starts a relation from the head span given to ``set_head_span``;
    the main window then waits for the tail and calls ``set_pending`` meanwhile.
    """

    relation_selected = Signal(int)
    relation_delete_requested = Signal(int)
    relation_type_chosen = Signal(str)

    def __init__(
        self,
        layer: LayerModel,
        schema: Schema,
        parent: QWidget | None = None,
        *,
        rows_after: SignalInstance | None = None,
    ) -> None:
        """``rows_after``: a new document's rows are built when this signal comes (the text's first
        paint, ui/first_paint.py), or before, as soon as anything needs them; None: at once."""
        super().__init__(parent)
        self._quiet = False  # True while the selection is moved by code, not by the user
        self._wait_for_paint = rows_after is not None
        self._stale = False  # a new document's rows wait for ``rows_after``
        self._layer = layer
        self._schema = schema
        self.type_buttons: dict[str, QPushButton] = {}

        self.title = QLabel("Relations")
        self.title.setStyleSheet("font-weight: bold;")
        self.model = RelationListModel(layer, schema, self)
        self.list = RelationListView()
        self.list.setModel(self.model)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)  # one row measured, not every row on each change
        self.list.setMinimumWidth(SIDE_PANEL_MIN_WIDTH)
        self.list.setAlternatingRowColors(True)
        # No sideways scrolling: rows too long for the dock end in an ellipsis.
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        # The selection, not the current row: focusing the list makes a row current without choosing it.
        self.list.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.list.activated.connect(lambda index: self.relation_selected.emit(index.data(Qt.ItemDataRole.UserRole)))
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
        if rows_after is not None:
            rows_after.connect(self.catch_up)
        if layer.is_open:
            self._reload()

    # -- the list ---------------------------------------------------------------------------

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset or self._stale:
            # A new document's rows wait for the text's first paint; a change before then builds them.
            self._reload(empty=change.reset and self._wait_for_paint)
        elif change.relations_touched or change.spans_removed or change.spans_changed:
            self._apply(change)

    def catch_up(self) -> None:
        """Build the rows a new document's open left for later (nothing if they are there)."""
        if self._stale:
            self._reload()

    def _reload(self, *, empty: bool = False) -> None:
        self._stale = empty
        self._quiet = True
        try:
            self.model.reload(empty=empty)
        finally:
            self._quiet = False
        self._after_list_change()

    def _apply(self, change: LayerChange) -> None:
        selected = self.selected_relation()
        self._quiet = True  # rows moving under the selection are not the user's choice
        try:
            self.model.apply(change)
        finally:
            self._quiet = False
        if selected is not None and self.model.row_of(selected) is not None and self.selected_relation() != selected:
            self.select_relation(selected)
        self._after_list_change()

    def select_relation(self, relation_id: int | None) -> None:
        """Select ``relation_id``'s row (None clears) without emitting relation_selected."""
        self.catch_up()
        selection = self.list.selectionModel()
        row = self.model.row_of(relation_id) if relation_id is not None else None
        self._quiet = True
        try:
            if row is None:
                selection.clear()
            else:
                index = self.model.index(row)
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
                self.list.scrollTo(index)
        finally:
            self._quiet = False
        self.remove_button.setEnabled(self.selected_relation() is not None)

    def selected_relation(self) -> int | None:
        indexes = self.list.selectionModel().selectedIndexes()
        return indexes[0].data(Qt.ItemDataRole.UserRole) if indexes else None

    def _on_selection_changed(self, _selected: QItemSelection, _deselected: QItemSelection) -> None:
        relation_id = self.selected_relation()
        self.remove_button.setEnabled(relation_id is not None)
        if not self._quiet and relation_id is not None:
            self.relation_selected.emit(relation_id)

    def _request_delete(self) -> None:
        relation_id = self.selected_relation()
        if relation_id is not None:
            self.relation_delete_requested.emit(relation_id)

    def _after_list_change(self) -> None:
        count = self.model.rowCount()
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
            self.head_label.setText(f"New relation from '{one_line(span.text, 40)}' (or Ctrl+drag it to the other):")
        self._buttons_host.setVisible(bool(specs))

    def _type_button(self, spec: RelationSpec) -> QPushButton:
        # The hotkey is shown, not bound: the main window owns it (and Esc) window-wide.
        text = f"{spec.name} ({spec.hotkey})" if spec.hotkey else spec.name
        button = QPushButton(swatch_icon(relation_color(self._schema, spec.name)), text)
        button.setToolTip(f"<b>{spec.name}</b><br>{text_to_html(spec.description)}")
        button.clicked.connect(lambda _checked=False, name=spec.name: self.relation_type_chosen.emit(name))
        return button

    def set_pending(self, relation: str | None) -> None:
        if relation is None:
            self.pending_label.hide()
            return
        self.pending_label.setText(f"Pick the tail span for {relation} — Esc cancels")
        self.pending_label.show()
