"""Documents: the project's list, opening one into every panel, next/previous/unfinished, done/skip."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from annotator.gcpause import collector_paused, freeze_survivors
from annotator.models import DocumentSummary, Status
from ui.controllers.reading_time import ReadingTime
from ui.document_state import next_document, next_unfinished

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class DocumentNavigator:
    """The project's documents, and opening one of them into the window's panels."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.reading_time = ReadingTime(window)

    @property
    def documents(self) -> Sequence[DocumentSummary]:
        """The project's documents as listed (the list's model is the one copy)."""
        return self._window.document_list.model.items

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the Document menu's commands (ui/shortcuts.py)."""
        return {
            "next_document": lambda: self._go(next_document(self.documents, self._doc_id(), 1)),
            "previous_document": lambda: self._go(next_document(self.documents, self._doc_id(), -1)),
            "next_unfinished": lambda: self._go(next_unfinished(self.documents, self._doc_id())),
            "mark_done": lambda: self.finish_document("done"),
            "skip": lambda: self.finish_document("skipped"),
            "mark_in_progress": lambda: self.set_status("in_progress"),
        }

    def reload_documents(self) -> None:
        self._window.document_list.set_documents(self._window.service.documents())

    def open_first_document(self) -> None:
        """The document open when the project was last left, else the first unfinished one."""
        window = self._window
        last = window.settings.last_document(window.project_dir)
        by_external = {d.external_id: d.id for d in self.documents}
        target = by_external.get(last or "") or next_unfinished(self.documents, None)
        if target is None and self.documents:
            target = self.documents[0].id
        if target is not None:
            self.open_document(target)
        else:
            self.update_status()

    def open_document(self, document_id: int) -> None:
        window = self._window
        if window.doc is not None and window.doc.id == document_id:
            return
        # Reading and loading a layer makes tens of thousands of objects that live as long as the
        # document stays open and form no cycles: collecting young generations meanwhile would
        # only scan them again and again. Once they are in place, they are frozen (no full scans).
        with collector_paused():
            view = window.attempt(lambda: window.service.document(document_id))
            if view is None:
                return
            self.record_reading_time()
            window.layer.load(view)  # the text, the panels and the annotate controller follow
        window.document_list.select_document(document_id)
        window.settings.set_last_document(window.project_dir, view.external_id)
        self.reading_time.start()
        freeze_survivors()  # no full collection: that was 50-60 ms of every open at 1 MB
        window.search.search_again()
        self.update_status()

    def _go(self, document_id: int | None) -> None:
        if document_id is None:
            self._window.statusBar().showMessage("No further document in that direction", 4000)
            return
        self.open_document(document_id)

    def finish_document(self, status: Status) -> None:
        """Mark the open document done or skipped, and go on to the next unfinished one."""
        window = self._window
        doc = window.doc
        if doc is None:
            return
        if doc.status != status and window.attempt(lambda: window.service.set_status(doc.id, status)) is None:
            return
        target = next_unfinished(self.documents, doc.id)
        if target is None:
            window.statusBar().showMessage("Every document is done or skipped", 6000)
        else:
            self.open_document(target)

    def set_status(self, status: Status) -> None:
        window = self._window
        doc = window.doc
        if doc is not None and doc.status != status:
            window.attempt(lambda: window.service.set_status(doc.id, status))

    def refresh_document_row(self) -> None:
        """Show the open document's status and span count in its row of the document list."""
        doc, documents = self._window.doc, self._window.document_list
        row = documents.model.row_of(doc.id) if doc is not None else None
        if doc is not None and row is not None:
            documents.update_document(doc.summary(documents.model.items[row]))

    def update_status(self) -> None:
        """The open document's place in the list and its span count, in the status bar."""
        doc, model = self._window.doc, self._window.document_list.model
        row = model.row_of(doc.id) if doc is not None else None
        position = row + 1 if row is not None else 0
        self._window.status_line.show_position(position, len(model.items), len(doc.spans) if doc else 0)

    def record_reading_time(self) -> None:
        self.reading_time.record(self._doc_id())

    def _doc_id(self) -> int | None:
        return self._window.doc.id if self._window.doc else None
