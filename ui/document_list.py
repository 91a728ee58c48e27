"""The document list: every document of the project with its status, and the progress so far.

The rows are read a page at a time as the view shows them (annotator/document_pages.py), so a
project of 100,000 documents opens as fast, and in as little memory, as one of ten.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QElapsedTimer,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QProgressBar, QTableView, QVBoxLayout, QWidget

from annotator.document_pages import DocumentPages, DocumentSource, row_numbered
from annotator.models import DocumentSummary, Status
from ui.label_bar import is_plain_key, swatch_icon
from ui.table_model import configure_row_table

STATUS_TEXT: dict[Status, str] = {"todo": "To do", "in_progress": "In progress", "done": "Done", "skipped": "Skipped"}
# Colour-blind safe (Okabe–Ito) and distinct in lightness, so the dot alone tells the status.
STATUS_COLOR: dict[Status, str] = {
    "todo": "#BBBBBB",
    "in_progress": "#E69F00",
    "done": "#009E73",
    "skipped": "#8C6BB1",
}
COLUMNS = ("#", "Document", "Status", "Spans")
NAME_COLUMN = 1
ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
NOTE_STYLE = "background: #FFF4D6; color: #3A3000; border: 1px solid #E0B84C; border-radius: 3px; padding: 6px;"
NO_DOCUMENTS = "This project has no documents yet: import some (annotator import PROJECT FILES)."
NOTHING_ASSIGNED = (
    "No documents are assigned to you yet. Ask the project's lead to assign you some "
    "(annotator assign); they are listed here when you open the project again."
)
_Index = QModelIndex | QPersistentModelIndex


class DocumentListModel(QAbstractTableModel):
    """The project's documents, read a page at a time as the view shows them (a project may hold
    100,000); Qt.UserRole on any column gives the document id."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pages: DocumentPages | None = None  # None until a project's documents are shown
        self._icons = {status: swatch_icon(color, 10) for status, color in STATUS_COLOR.items()}
        self.status_text: Mapping[Status, str] = STATUS_TEXT  # review mode words them "To review"/"Reviewed"

    def show_documents(self, source: DocumentSource) -> None:
        """List the documents of ``source`` (counted now; rows are read when shown)."""
        self.beginResetModel()
        self.pages = DocumentPages(source)
        self.endResetModel()

    @property
    def statuses(self) -> Mapping[Status, int]:
        return self.pages.statuses if self.pages is not None else {}

    def update_document(self, doc: DocumentSummary) -> None:
        """Show one document's new row and count its status; a document the list cannot
        place (imported meanwhile) makes it read its counts again."""
        if self.pages is None:
            return
        if not self.pages.update(doc):
            self.reload()
            return
        row = self.pages.held_row(doc.id)
        if row is not None:
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def refresh_rows(self, rows: Sequence[DocumentSummary], counts: Mapping[Status, int] | None) -> None:
        """Rows other sessions changed, read again (ui/live_updates.py): those the list holds are shown
        anew; ``counts``, the statuses counted again, replace the progress (a new total: read again)."""
        if self.pages is None:
            return
        if counts is not None and sum(counts.values()) != self.pages.count:
            self.reload()
            return
        for doc in rows:
            row = self.pages.held_row(doc.id)
            if self.pages.update(doc) and row is not None:
                self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))
        if counts is not None:
            self.pages.statuses.update(counts)

    def row_of(self, doc_id: int) -> int | None:
        return self.pages.row_of(doc_id) if self.pages is not None else None

    def document_id(self, row: int) -> int | None:
        doc = self.pages.at(row) if self.pages is not None else None
        return doc.id if doc is not None else None

    def summary(self, doc_id: int) -> DocumentSummary | None:
        """The document's row as read before (the open one's is kept); None if not at hand."""
        return self.pages.known(doc_id) if self.pages is not None else None

    def reload(self) -> None:
        """Read the counts again and forget every row read (they are read again as shown)."""
        if self.pages is not None:
            self.beginResetModel()
            self.pages.reload()
            self.endResetModel()

    def pin(self, doc_id: int) -> None:
        """Keep the open document's row at hand: its edits are counted by its status before them."""
        if self.pages is not None:
            self.pages.pin(doc_id)

    def find_row(self, text: str, from_row: int, column: int) -> int | None:
        """The type-ahead's match from ``from_row`` on, wrapping round (Qt's rule: the typed text
        starts the cell's text, ignoring case). In the "#" column the row numbers are worked out;
        in any other, the document's name (its external id) is looked up by a query: a project
        of 100,000 documents is not read row by row."""
        if self.pages is None or not self.pages.count:
            return None
        if column == 0:
            return row_numbered(text, from_row, self.pages.count)
        return self.pages.find(text, from_row)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() or self.pages is None else self.pages.count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        doc = self.pages.at(index.row()) if index.isValid() and self.pages is not None else None
        if doc is None:
            return None
        column = index.column()
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

    def _display(self, doc: DocumentSummary, row: int, column: int) -> str:
        if column == 0:
            return str(row + 1)
        if column == 1:
            title = " ".join(doc.title.split())
            return f"{doc.external_id} · {title}" if title and title != doc.external_id else doc.external_id
        if column == 2:
            return self.status_text[doc.status]
        return str(doc.span_count)


def _tooltip(doc: DocumentSummary) -> str:
    minutes = round(doc.seconds_spent / 60)
    return (
        f"{doc.external_id}\n{doc.title}\n{doc.length:,} characters, {doc.span_count} spans, "
        f"{STATUS_TEXT[doc.status].lower()}, {minutes} min spent"
    )


def progress_text(statuses: Mapping[Status, int]) -> tuple[int, int, str]:
    """(finished, total, text) of documents counted by status: skipped documents count as
    finished, and are named if any."""
    done, skipped, total = statuses.get("done", 0), statuses.get("skipped", 0), sum(statuses.values())
    text = f"{done + skipped} of {total} done"
    if skipped:
        text += f" ({skipped} skipped)"
    return done + skipped, total, text


class DocumentTableView(QTableView):
    """Owns Enter and typed text while focused: the window binds Enter and the labels' letters
    window-wide, which would swallow activation and the type-ahead.

    The type-ahead is Qt's (keyboardSearch: keys typed within the keyboard input interval add
    up, a new search starts after the current row, the same key again steps on to the next
    match), its match found by DocumentListModel.find_row instead of reading every row.
    """

    def __init__(self, model: DocumentListModel) -> None:
        super().__init__()
        self.setModel(model)
        self._model = model
        self._typed = ""
        self._typed_at = QElapsedTimer()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and (is_plain_key(event, ENTER_KEYS) or _typed_text(event)):
            event.accept()
            return True
        return super().event(event)

    def keyboardSearch(self, search: str) -> None:
        count = self._model.rowCount()
        if not count:
            return
        current = self.currentIndex()
        row, column = (current.row(), current.column()) if current.isValid() else (0, 0)
        pause = self._typed_at.restart() if self._typed_at.isValid() else None
        if not self._typed_at.isValid():
            self._typed_at.start()
        step_on = False
        if not search or pause is None or pause > QApplication.keyboardInputInterval():
            self._typed, step_on = search, current.isValid()
        else:
            self._typed += search
        same_key = len(self._typed) > 1 and self._typed.count(self._typed[-1]) == len(self._typed)
        if step_on or same_key:
            row = row + 1 if row < count - 1 else 0
        found = self._model.find_row(self._typed[0] if same_key else self._typed, row, column)
        if found is not None:
            self.setCurrentIndex(self._model.index(found, column))


def _typed_text(event: QEvent) -> bool:
    """A key that types a character (no Ctrl, Alt or Meta): the list's type-ahead takes it."""
    if not isinstance(event, QKeyEvent):
        return False
    modifiers = event.modifiers() & (
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier
    )
    text = event.text()
    return modifiers == Qt.KeyboardModifier.NoModifier and text.isprintable() and bool(text.strip())


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
        # Said, not left blank, when the list is empty: an annotator whose queue is empty must know why.
        self.empty_note = QLabel()
        self.empty_note.setWordWrap(True)
        self.empty_note.setStyleSheet(NOTE_STYLE)
        self.empty_note.hide()
        self.empty_text = NO_DOCUMENTS

        self.view = DocumentTableView(self.model)
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
        layout.addWidget(self.empty_note)
        layout.addWidget(self.view)
        self._update_progress()

    def show_documents(self, source: DocumentSource) -> None:
        """List the documents of ``source`` (again), keeping the selected one selected, quietly."""
        current = self.current_document()
        self._quiet = True
        try:
            self.model.show_documents(source)
        finally:
            self._quiet = False
        if current is not None:
            self.select_document(current)
        self._update_progress()

    def set_empty_text(self, text: str) -> None:
        """What the list says while it holds no document."""
        self.empty_text = text
        self._update_progress()

    def update_document(self, doc: DocumentSummary) -> None:
        current = self.current_document()
        self._quiet = True
        try:
            self.model.update_document(doc)  # a reset (the list read again) drops the selection
        finally:
            self._quiet = False
        if current is not None and self.current_document() != current:
            self.select_document(current)
        self._update_progress()

    def refresh_rows(self, rows: Sequence[DocumentSummary], counts: Mapping[Status, int] | None) -> None:
        """Show rows other sessions changed (DocumentListModel.refresh_rows), keeping the selection."""
        current = self.current_document()
        self._quiet = True
        try:
            self.model.refresh_rows(rows, counts)
        finally:
            self._quiet = False
        if current is not None and self.current_document() != current:
            self.select_document(current)
        self._update_progress()

    def set_status_text(self, words: Mapping[Status, str] | None) -> None:
        """How the status column words each status (None: as usual); review mode shows gold's as to review/reviewed."""
        self.model.status_text = words or STATUS_TEXT
        self.model.reload()

    def select_document(self, doc_id: int) -> None:
        """Show ``doc_id`` as the selected row without emitting document_activated."""
        row = self.model.row_of(doc_id)
        if row is None:
            return
        self.model.pin(doc_id)
        # Keys typed in the list search the current cell's column (find_row): the names, unless
        # the annotator went to the "#" column.
        current = self.view.currentIndex()
        index = self.model.index(row, current.column() if current.isValid() else NAME_COLUMN)
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
        self.empty_note.setText(self.empty_text)
        self.empty_note.setVisible(total == 0)
