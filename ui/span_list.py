"""The span list: every span of the open layer in text order, updated from Changes, not rebuilt."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QTableView, QVBoxLayout, QWidget

from annotator.models import Changes, Span
from annotator.schema import Schema
from annotator.short_text import one_line
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
    """Spans sorted by (start, end); Qt.UserRole on any column gives the span id."""

    columns = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[Span] = []
        self._keys: list[_Key] = []
        self._by_id: dict[int, Span] = {}
        self._icons: dict[str, QIcon] = {}

    def set_spans(self, spans: Sequence[Span], schema: Schema) -> None:
        self.beginResetModel()
        self._icons = {spec.name: swatch_icon(spec.color) for spec in schema.labels}
        self.items = sorted(spans, key=_key)
        self._keys = [_key(span) for span in self.items]
        self._by_id = {span.id: span for span in self.items}
        self.endResetModel()

    def row_of(self, span_id: int) -> int | None:
        span = self._by_id.get(span_id)
        return None if span is None else bisect.bisect_left(self._keys, _key(span))

    def span_at(self, row: int) -> Span:
        return self.items[row]

    def insert(self, span: Span) -> None:
        if span.id in self._by_id:
            self.replace(span)
            return
        row = bisect.bisect_left(self._keys, _key(span))
        self.beginInsertRows(QModelIndex(), row, row)
        self.items.insert(row, span)
        self._keys.insert(row, _key(span))
        self._by_id[span.id] = span
        self.endInsertRows()

    def remove(self, span_id: int) -> None:
        row = self.row_of(span_id)
        if row is None:
            return  # already gone (another change got there first)
        self.beginRemoveRows(QModelIndex(), row, row)
        del self.items[row], self._keys[row], self._by_id[span_id]
        self.endRemoveRows()

    def replace(self, span: Span) -> None:
        row = self.row_of(span.id)
        if row is None:
            self.insert(span)
        elif self._keys[row] == _key(span):
            self.items[row] = self._by_id[span.id] = span
            self.row_changed(row)
        else:  # its offsets moved, so its place in the order may have moved too
            self.remove(span.id)
            self.insert(span)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        span, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.UserRole:
            return span.id
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

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False  # True while the selection is moved by code, not by the user
        self.model = SpanListModel(self)

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

    def set_spans(self, spans: Sequence[Span], schema: Schema) -> None:
        self._quiet = True
        try:
            self.model.set_spans(spans, schema)
        finally:
            self._quiet = False
        metrics = self.fontMetrics()
        widest = max((metrics.horizontalAdvance(spec.name) for spec in schema.labels), default=40)
        self.view.setColumnWidth(0, widest + 40)  # swatch, its gap and the cell padding
        self.view.setColumnWidth(2, metrics.horizontalAdvance("organisation") + 16)
        self._update_title()

    def apply_changes(self, changes: Changes) -> None:
        selected = self.selected_span()
        self._quiet = True  # rows moving under the selection are not the user's choice
        try:
            for span in changes.spans_removed:
                self.model.remove(span.id)
            for span in changes.spans_changed:
                self.model.replace(span)
            for span in changes.spans_added:
                self.model.insert(span)
        finally:
            self._quiet = False
        if selected is not None and self.selected_span() != selected:
            self.select_span(selected if self.model.row_of(selected) is not None else None)
        self._update_title()

    def select_span(self, span_id: int | None) -> None:
        """Select the row of ``span_id`` (None clears) without emitting span_activated."""
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
