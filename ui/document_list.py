"""The document list: every document of the project with its status, and the progress so far."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QProgressBar, QTableView, QVBoxLayout, QWidget

from annotator.models import DocumentSummary, Status
from ui.label_bar import is_plain_key, swatch_icon
from ui.table_model import ItemTableModel, configure_row_table

STATUS_TEXT: dict[Status, str] = {"todo": "To do", "in_progress": "In progress", "done": "Done", "skipped": "Skipped"}
# Colour-blind safe (Okabe–Ito) and distinct in lightness, so the dot alone tells the status.
STATUS_COLOR: dict[Status, str] = {
    "todo": "#BBBBBB",
    "in_progress": "#E69F00",
    "done": "#009E73",
    "skipped": "#8C6BB1",
}
COLUMNS = ("#", "Document", "Status", "Spans")
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
_Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(ItemTableModel):
    """Rows are DocumentSummary values; Qt.UserRole on any column gives the document id."""

    columns = COLUMNS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[DocumentSummary] = []
        self._rows: dict[int, int] = {}  # document id -> row
        # Documents per status, kept per row change: the progress bar must not count a
        # 100,000-document project again on every edit.
        self.statuses: Counter[str] = Counter()
        self._icons = {status: swatch_icon(color, 10) for status, color in STATUS_COLOR.items()}

    def set_documents(self, docs: Sequence[DocumentSummary]) -> None:
        self.beginResetModel()
        self.items = list(docs)
        self._rows = {doc.id: row for row, doc in enumerate(self.items)}
        self.statuses = Counter(doc.status for doc in self.items)
        self.endResetModel()

    def update_document(self, doc: DocumentSummary) -> None:
        """Refresh one row; a document not listed yet (imported meanwhile) is appended."""
        row = self._rows.get(doc.id)
        if row is None:
            row = len(self.items)
            self.beginInsertRows(QModelIndex(), row, row)
            self.items.append(doc)
            self._rows[doc.id] = row
            self.statuses[doc.status] += 1
            self.endInsertRows()
            return
        self.statuses[self.items[row].status] -= 1
        self.statuses[doc.status] += 1
        self.items[row] = doc
        self.row_changed(row)

    def documents(self) -> tuple[DocumentSummary, ...]:
        return tuple(self.items)

    def row_of(self, doc_id: int) -> int | None:
        return self._rows.get(doc_id)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.items):
            return None
        doc, column = self.items[index.row()], index.column()
        if role == Qt.ItemDataRole.UserRole:
            return doc.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(doc, index.row(), column)
        if role == Qt.ItemDataRole.DecorationRole and column == 2:
            return self._icons[doc.status]
        if role == Qt.ItemDataRole.ForegroundRole and doc.status == "skipped":
            return QColor("#777777")  # skipped documents recede; they need no more work
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(doc)
        return None

    @staticmethod
    def _display(doc: DocumentSummary, row: int, column: int) -> str:
        if column == 0:
            return str(row + 1)
        if column == 1:
            title = " ".join(doc.title.split())
            return f"{doc.external_id} · {title}" if title and title != doc.external_id else doc.external_id
        if column == 2:
            return STATUS_TEXT[doc.status]
        return str(doc.span_count)


def _tooltip(doc: DocumentSummary) -> str:
    minutes = round(doc.seconds_spent / 60)
    return (
        f"{doc.external_id}\n{doc.title}\n{doc.length:,} characters, {doc.span_count} spans, "
        f"{STATUS_TEXT[doc.status].lower()}, {minutes} min spent"
    )


def progress_text(statuses: Mapping[str, int]) -> tuple[int, int, str]:
    """(finished, total, text) of documents counted by status: skipped documents count as
    finished, and are named if any."""
    done, skipped, total = statuses.get("done", 0), statuses.get("skipped", 0), sum(statuses.values())
    text = f"{done + skipped} of {total} done"
    if skipped:
        text += f" ({skipped} skipped)"
    return done + skipped, total, text


class DocumentTableView(QTableView):
    """Owns Enter while focused: the window binds Enter window-wide, which would swallow activation."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and is_plain_key(event, ENTER_KEYS):
            event.accept()
            return True
        return super().event(event)


class DocumentList(QWidget):
    """Emits ``document_activated(id)`` on a new selection (click, arrow keys), Enter or double-click."""

    document_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._quiet = False  # True while select_document moves the selection itself
        self.model = DocumentListModel(self)

        title = QLabel("Documents")
        title.setStyleSheet("font-weight: bold;")
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setFormat("")  # the text is set explicitly: "3 of 12 done"
        self.progress.setMaximumHeight(18)

        self.view = DocumentTableView()
        self.view.setModel(self.model)
        configure_row_table(self.view, self.fontMetrics().height() + 8)
        metrics = self.fontMetrics()
        self.view.setColumnWidth(0, metrics.horizontalAdvance("00000") + 12)
        self.view.setColumnWidth(2, metrics.horizontalAdvance("In progress") + 34)  # with the status icon
        self.view.setColumnWidth(3, metrics.horizontalAdvance("Spans") + 16)

        # Selection, not the current index: focusing an empty-handed list makes row 0 current
        # without selecting it, and that must not open anything.
        self.view.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.view.activated.connect(self._on_activated)  # Enter, double-click

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(6)
        layout.addWidget(title)
        layout.addWidget(self.progress)
        layout.addWidget(self.view)
        self._update_progress()

    def set_documents(self, docs: Sequence[DocumentSummary]) -> None:
        current = self.current_document()
        self._quiet = True
        try:
            self.model.set_documents(docs)
        finally:
            self._quiet = False
        if current is not None:
            self.select_document(current)
        self._update_progress()

    def update_document(self, doc: DocumentSummary) -> None:
        self.model.update_document(doc)
        self._update_progress()

    def select_document(self, doc_id: int) -> None:
        """Show ``doc_id`` as the selected row without emitting document_activated."""
        row = self.model.row_of(doc_id)
        if row is None:
            return
        index = self.model.index(row, 0)
        self._quiet = True
        try:
            flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
            self.view.selectionModel().setCurrentIndex(index, flags)
        finally:
            self._quiet = False
        self.view.scrollTo(index)

    def current_document(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _on_selection_changed(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        if not self._quiet and not selected.isEmpty():
            self.document_activated.emit(selected.indexes()[0].data(Qt.ItemDataRole.UserRole))

    def _on_activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.document_activated.emit(index.data(Qt.ItemDataRole.UserRole))

    def _update_progress(self) -> None:
        finished, total, text = progress_text(self.model.statuses)
        self.progress.setRange(0, max(total, 1))  # range 0..0 would turn the bar into a busy indicator
        self.progress.setValue(finished)
        self.progress.setFormat(text)
        self.progress.setToolTip(text)
