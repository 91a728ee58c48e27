"""Documents: the project's list, opening one into every panel, next/previous/unfinished, done/skip."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtGui import QTextCursor

from annotator.errors import NotFoundError
from annotator.gcpause import collector_paused, freeze_survivors
from annotator.models import DocumentView, Status
from ui.controllers.reading_time import ReadingTime
from ui.document_list import NO_DOCUMENTS, NOTHING_ASSIGNED
from ui.highlighter import DEFER_ABOVE

# A long document's spans that start before this offset are read first, its first screen painted
# from them, then the rest is read before any other event. A first screen needs the spans that
# start before twice its end (ui/highlighter.py), about 2 x 20,000 characters at the smallest
# reading size on a large screen.
FIRST_SCREEN_SPANS = 65_536

if TYPE_CHECKING:
    from ui.main_window import MainWindow


class DocumentNavigator:
    """The project's documents, and opening one of them into the window's panels."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self.reading_time = ReadingTime(window)

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the Document menu's commands (ui/shortcuts.py)."""
        return {
            "next_document": lambda: self._go(self.step_document(1)),
            "previous_document": lambda: self._go(self.step_document(-1)),
            "next_unfinished": lambda: self._go(self.next_unfinished()),
            "mark_done": lambda: self.finish_document("done"),
            "skip": lambda: self.finish_document("skipped"),
            "mark_in_progress": lambda: self.set_status("in_progress"),
        }

    def reload_documents(self) -> None:
        """(Re)list the project's documents: counted now, their rows read as the list shows them."""
        service = self._window.service
        documents = self._window.document_list
        documents.show_documents(service)  # counted: whether the list is the annotator's queue is known now
        documents.set_empty_text(NOTHING_ASSIGNED if service.lists_assigned_only() else NO_DOCUMENTS)

    def step_document(self, step: int) -> int | None:
        """The id of the document ``step`` rows from the open one (the first if none is open);
        None past either end."""
        model = self._window.document_list.model
        doc_id = self._doc_id()
        row = model.row_of(doc_id) if doc_id is not None else None
        target = 0 if row is None else row + step
        return model.document_id(target) if 0 <= target < model.rowCount() else None

    def next_unfinished(self) -> int | None:
        """The first document after the open one (wrapping round) neither done nor skipped."""
        statuses = self._window.document_list.model.statuses
        if statuses.get("todo", 0) + statuses.get("in_progress", 0) == 0:
            return None  # the counts say so: no need to look through every document
        return self._window.service.next_unfinished(self._doc_id())

    def open_first_document(self) -> None:
        """The document open when the project was last left, else the first unfinished one, else the first."""
        window = self._window
        last = window.settings.last_document(window.project_dir)
        target = None
        if last:
            try:
                target = window.service.find_document(last)
            except NotFoundError:
                target = None  # taken away since (undo-import): start afresh
        target = target or self.next_unfinished() or window.document_list.model.document_id(0)
        if target is not None:
            self.open_document(target)
        else:
            self.update_status()

    def open_document(self, document_id: int) -> None:
        window = self._window
        if window.doc is not None and window.doc.id == document_id:
            return
        # A time taken on an earlier switch whose paint never came (a hidden window) is written first.
        self.reading_time.save()
        first_screen_shown = False

        def show_first_screen(first: DocumentView) -> None:
            """Paint a long document's first screen from its first spans while the rest is read."""
            nonlocal first_screen_shown
            if len(first.text) > DEFER_ABOVE:  # a short text's spans are all indexed at its load: no first screen
                first_screen_shown = True
                self._load(first)
                # The scroll bar a long text needs is shown by a queued call: shown first, so that
                # the text is laid out once, at the width it keeps.
                QCoreApplication.sendPostedEvents(window.view, QEvent.Type.MetaCall)
                window.view.viewport().repaint()

        two_steps = show_first_screen if window.view.isVisible() else None
        # Reading and loading a layer makes tens of thousands of objects that live as long as the
        # document stays open and form no cycles: collecting young generations meanwhile would
        # only scan them again and again. Once they are in place, they are frozen (no full scans).
        with collector_paused():
            view = window.attempt(
                lambda: window.service.document(document_id, first=two_steps, first_spans_before=FIRST_SCREEN_SPANS)
            )
            if view is None and first_screen_shown:
                # The rest could not be read (the error was shown, its dialog may have run events):
                # the whole document, read again, is loaded afresh.
                first_screen_shown = False
                view = window.attempt(lambda: window.service.document(document_id))
            if view is None:
                return
            if first_screen_shown:
                self._complete(view)
            else:
                self._load(view)
        window.document_list.select_document(document_id)
        window.settings.set_last_document(window.project_dir, view.external_id)
        self.reading_time.start()
        if not window.view.isVisible():
            self.reading_time.save()  # no paint is coming: written now, else once the text is on screen
        freeze_survivors()  # no full collection: that was 50-60 ms of every open at 1 MB
        window.search.search_again()
        self.update_status()

    def _load(self, view: DocumentView) -> None:
        self.reading_time.stop(self._doc_id())  # the document left
        self._window.layer.load(view)  # the text, the panels and the annotate controller follow

    def _complete(self, view: DocumentView) -> None:
        """The whole layer in place of the first screen's part."""
        window = self._window
        window.layer.complete(view)
        if self._screen_reaches_past_first_spans():
            # Only a screen of thousands of zero-width characters: the highlighter forgets what it
            # made of the first spans, and the screen is drawn again from the whole layer.
            highlighter = window.view.highlighter
            highlighter.load(highlighter.offsets, deferred=True)
            highlighter.start_idle_work()
            window.view.viewport().update()

    def _screen_reaches_past_first_spans(self) -> bool:
        """Whether the screen just painted needed spans that start at FIRST_SCREEN_SPANS or later:
        its first-screen index holds those that start before twice its last line's end."""
        view = self._window.view
        cursor = view.cursorForPosition(view.viewport().rect().bottomRight())
        cursor.movePosition(QTextCursor.MoveOperation.EndOfLine)
        return 2 * cursor.position() + 2 >= FIRST_SCREEN_SPANS

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
        target = self.next_unfinished()
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
        # Its row as read before the edit: opening a document pins it (DocumentList.select_document).
        listed = documents.model.summary(doc.id) if doc is not None else None
        if doc is not None and listed is not None:
            documents.update_document(doc.summary(listed))

    def update_status(self) -> None:
        """The open document's place in the list and its span count, in the status bar."""
        doc, model = self._window.doc, self._window.document_list.model
        row = model.row_of(doc.id) if doc is not None else None
        position = row + 1 if row is not None else 0
        self._window.status_line.show_position(position, model.rowCount(), len(doc.spans) if doc else 0)

    def record_reading_time(self) -> None:
        self.reading_time.record(self._doc_id())

    def _doc_id(self) -> int | None:
        return self._window.doc.id if self._window.doc else None
