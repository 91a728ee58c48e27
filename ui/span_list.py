"""The span list: every span of the open layer in text order, following the layer's changes, never rebuilt."""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
    SignalInstance,
)
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Span
from annotator.schema import Schema
from annotator.short_text import one_line
from ui.bridge import follow_layer
from ui.label_bar import swatch_icon
from ui.table_model import ItemTableModel, configure_row_table

COLUMNS = ("Label", "Text", "Attributes")
SHORT_TEXT = 80  # the view elides to its width anyway; this keeps huge spans cheap to draw
_Index = QModelIndex | QPersistentModelIndex
_Key = tuple[int, int, int]


def attribute_summary(attributes: Mapping[str, Any]) -> str:
    """Values only, to fit a narrow column; a true flag shows its name, a false one nothing."""
    parts = []
    for name, value in attributes.items():
        if isinstance(value, bool):
            if value:
                parts.append(name)
        elif value is not None and value != "":
            parts.append(str(value))
    return ", ".join(parts)


def _key(span: Span) -> _Key:
    return (span.start, span.end, span.id)  # id breaks ties, so the order is total and stable


class SpanListModel(ItemTableModel):
    """Spans sorted by (start, end); Qt.UserRole on any column gives the span id.

    The rows are the spans' (start, end, id) keys, sorted; the spans themselves are read
    from the layer, so an edit moves or redraws one row and copies nothing.
    """

    columns = COLUMNS

    def __init__(self, layer: LayerModel, schema: Schema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self.items: list[_Key] = []
        self._icons: dict[str, QIcon] = {spec.name: swatch_icon(spec.color) for spec in schema.labels}

    def reload(self) -> None:
        """Every span of the layer's (new) document."""
        self.beginResetModel()
        self.items = sorted(map(_key, self._layer.spans.values()))
        self.endResetModel()

    def clear(self) -> None:
        """No rows (until the next reload)."""
        self.beginResetModel()
        self.items = []
        self.endResetModel()

    def row_of(self, span_id: int) -> int | None:
        span = self._layer.spans.get(span_id)
        return None if span is None else self._row_of_key(_key(span))

    def span_at(self, row: int) -> Span:
        return self._layer.spans[self.items[row][2]]

    def apply(self, change: LayerChange) -> None:
        """Move, insert and remove the rows of the spans one change touched."""
        for span in change.spans_removed:
            self._remove(_key(span))
        for old, new in change.spans_changed:
            self._replace(_key(old), _key(new))
        for span in change.spans_added:
            self._insert(_key(span))

    def _row_of_key(self, key: _Key) -> int | None:
        row = bisect.bisect_left(self.items, key)
        return row if row < len(self.items) and self.items[row] == key else None

    def _insert(self, key: _Key) -> None:
        row = bisect.bisect_left(self.items, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.insert(row, key)
        self.endInsertRows()

    def _remove(self, key: _Key) -> None:
        row = self._row_of_key(key)
        if row is None:
            return
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.items[row]
        self.endRemoveRows()

    def _replace(self, old: _Key, new: _Key) -> None:
        row = self._row_of_key(old)
        if row is not None and old == new:
            self.row_changed(row)
        else:  # its offsets moved, so its place in the order may have moved too
            self._remove(old)
            self._insert(new)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        span_id = self.items[index.row()][2]
        if role == Qt.ItemDataRole.UserRole:
            return span_id
        span = self._layer.spans.get(span_id)
        if span is None:
            return None  # removed from the layer, its row not yet: a view asked in between
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return span.label
            if column == 1:
                return one_line(span.text, SHORT_TEXT)
            return attribute_summary(span.attributes)
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            return self._icons.get(span.label) or swatch_icon(None)
        if role == Qt.ItemDataRole.ToolTipRole:
            attributes = "".join(f"\n{name}: {value}" for name, value in span.attributes.items())
            return f"{span.label} [{span.start}–{span.end})\n{one_line(span.text, 500)}{attributes}"
        return None


class SpanList(QWidget):
    """Emits ``span_activated(id)`` when the user selects a row (click, arrow keys, Enter)."""

    span_activated = Signal(int)

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
        # The rows are not the layer's: it changed while the list was hidden (they are rebuilt
        # when shown), or a new document's wait for ``rows_after``.
        self._stale = False
        self._wait_for_paint = rows_after is not None
        self._schema = schema
        self.model = SpanListModel(layer, schema, self)

        self.title = QLabel()
        self.title.setStyleSheet("font-weight: bold;")
        self.view = QTableView()
        self.view.setModel(self.model)
        configure_row_table(self.view, self.fontMetrics().height() + 8)

        # Selection, not the current index: focusing an empty-handed list makes row 0 current
        # without selecting it, and that must not open anything.
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated.connect(self._on_activated)  # Enter, double-click: jump there again

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.view)
        self._update_title()
        follow_layer(self, layer, self._on_layer_change)
        if rows_after is not None:
            rows_after.connect(self.catch_up)
        if layer.is_open:
            self._reload()

    def _on_layer_change(self, change: LayerChange) -> None:
        if not self.isVisible() and (change.reset or change.spans_touched):
            # A closed panel (or the window before it is first shown): nobody sees the rows, so
            # they are built once when it is shown, not for every document opened meanwhile.
            self._stale = True
        elif change.reset and self._wait_for_paint:
            self._stale = True  # built after the text is on screen (catch_up), which needs no row
            self.model.clear()
            self._update_title()
        elif change.reset or self._stale:
            self._reload()
        elif change.spans_touched:
            self._apply(change)

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self._reload()
        super().showEvent(event)

    def catch_up(self) -> None:
        """Build the rows a new document's open left for later (nothing if they are there or hidden)."""
        if self._stale and self.isVisible():
            self._reload()

    def _reload(self) -> None:
        self._stale = False
        self._quiet = True
        try:
            self.model.reload()
        finally:
            self._quiet = False
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(spec.name) for spec in self._schema.labels), default=40)
        self.view.setColumnWidth(0, widest + 40)  # swatch, its gap and the cell padding
        self.view.setColumnWidth(2, metrics.horizontalAdvance("organisation") + 16)
        self._update_title()

    def _apply(self, change: LayerChange) -> None:
        selected = self.selected_span()
        self._quiet = True  # rows moving under the selection are not the user's choice
        try:
            self.model.apply(change)
        finally:
            self._quiet = False
        if selected is not None and self.selected_span() != selected:
            self.select_span(selected if self.model.row_of(selected) is not None else None)
        self._update_title()

    def select_span(self, span_id: int | None) -> None:
        """Select the row of ``span_id`` (None clears) without emitting span_activated."""
        self.catch_up()
        if self._stale:
            return  # hidden, its rows not yet rebuilt: nothing to show selected
        selection = self.view.selectionModel()
        row = None if span_id is None else self.model.row_of(span_id)
        self._quiet = True
        try:
            if row is None:
                selection.clear()
            else:
                index = self.model.index(row, 0)
                flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
                selection.setCurrentIndex(index, flags)
                self.view.scrollTo(index)
        finally:
            self._quiet = False

    def selected_span(self) -> int | None:
        rows = self.view.selectionModel().selectedRows()
        return rows[0].data(Qt.ItemDataRole.UserRole) if rows else None

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._quiet and not selected.isEmpty():
            self.span_activated.emit(selected.indexes()[0].data(Qt.ItemDataRole.UserRole))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.span_activated.emit(index.data(Qt.ItemDataRole.UserRole))

    def _update_title(self) -> None:
        count = self.model.rowCount()
        self.title.setText(f"Spans ({count:,})" if count else "Spans")
