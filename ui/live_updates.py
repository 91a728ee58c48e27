"""The window follows other sessions' edits: the document list's rows, the open layer, other layers.

A thread of its own waits on the project's change feed (annotator/live.py: LISTEN on PostgreSQL,
PRAGMA data_version on SQLite), sending no query while nothing changes. On a wake-up the GUI thread
reads the events after the last one seen and leaves out those this window's service wrote (it knows
their ids: annotator/shown_layer.py). Then:

- the document list shows again the rows it holds of documents whose layer changed (status, span
  count); the progress is counted again when a row it does not hold may have changed status;
- if the open document's layer changed in another window, it is read again and the difference
  applied like an own edit (the text is not loaded again, so the caret, the scroll position and a
  selected span that is still there stay), and the status bar says so;
- another layer shown read-only (and the review board) is read again.

Nothing of that happens in the middle of an edit (a mouse drag, a menu or dialog, typing in the
attribute editor, a relation waiting for its tail): it waits until the window is idle again.

An edit made on a stale copy is refused by the service before it writes (LayerChanged); ``catch_up``
reads the layer again so the window can run the user's action on the layer as it is.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication
from sqlalchemy.exc import SQLAlchemyError

from annotator.errors import AnnotatorError, NotFoundError
from annotator.live import CHANGES_BATCH, Change, ChangeFeed, document_rows, layer_changes
from annotator.models import DocumentView, Status

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["LiveUpdates", "stale_note"]

T = TypeVar("T")
D = TypeVar("D")

log = logging.getLogger(__name__)
WAIT_S = 30.0  # one wait of the feed's thread; it waits again at once (close() wakes it)
READ_DELAY_MS = 30  # the edits of one burst are read together
IDLE_RETRY_MS = 300  # how often a deferred update looks whether the window is idle again
STOP_JOIN_S = 2.0
STATUS_ACTIONS = ("SetStatus", "import", "undo-import")
UPDATED = "updated in another window"


class _FeedThread(QObject):
    """Runs ChangeFeed.wait in a thread; ``woke`` reaches the GUI thread as a queued signal."""

    woke = Signal()

    def __init__(self, feed: ChangeFeed) -> None:
        super().__init__()
        self._feed = feed
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="annotator-change-feed", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                if self._feed.wait(WAIT_S) and not self._stopped.is_set():
                    self.woke.emit()
            except Exception:  # never let the thread die silently: the window would stop following
                log.exception("the change feed failed; it waits again")
                self._stopped.wait(1.0)

    def stop(self) -> None:
        self._stopped.set()
        self._feed.close()
        if self._thread.is_alive():
            self._thread.join(STOP_JOIN_S)


class LiveUpdates:
    """Other sessions' edits, brought into the window when it is idle."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._service = window.service
        self._service.shown_layer.checked = True  # edits on a stale copy are refused, then redone here
        self._feed = ChangeFeed(self._service.project)
        self._last = _read_or(self._feed.latest_event_id, 0)
        self._pending: list[Change] = []
        self._thread = _FeedThread(self._feed)
        self._thread.woke.connect(self._woke)
        self._read_timer = _single_shot(READ_DELAY_MS, self.read_changes)
        self._idle_timer = _single_shot(IDLE_RETRY_MS, self.apply_pending)
        self._started = False

    def start(self) -> None:
        if not self._started:
            self._started = True
            self._thread.start()

    def stop(self) -> None:
        self._read_timer.stop()
        self._idle_timer.stop()
        self._thread.stop()

    # --- the feed ---------------------------------------------------------------------

    def _woke(self) -> None:
        if not self._read_timer.isActive():
            self._read_timer.start()

    def read_changes(self) -> None:
        """Read the events since the last seen (every batch), keep others', then apply them when idle."""
        while True:
            batch = _read_or(lambda: self._feed.changes_since(self._last), [])
            if not batch:
                break
            self._last = max(self._last, *(c.event_id for c in batch))  # late commits come below it
            self._pending += [c for c in batch if not self._service.shown_layer.is_own(c.event_id)]
            if len(batch) < CHANGES_BATCH:
                break
        self.apply_pending()

    # --- bringing them in ---------------------------------------------------------------

    def busy(self) -> bool:
        """Whether the user is in the middle of an edit that a refresh would disturb."""
        window = self._window
        if QApplication.mouseButtons() != Qt.MouseButton.NoButton:  # a drag: selecting, an edge, a relation
            return True
        if QApplication.activePopupWidget() is not None or QApplication.activeModalWidget() is not None:
            return True
        focus = QApplication.focusWidget()
        if focus is not None and window.attribute_editor.isAncestorOf(focus):  # typing an attribute's value
            return True
        return window.annotate.pending_relation is not None

    def apply_pending(self) -> None:
        if not self._pending:
            return
        if self.busy():
            self._idle_timer.start()
            return
        changes, self._pending = self._pending, []
        window, service = self._window, self._service
        layer_id = service.annotator_id  # the layer the window edits and the list shows
        everywhere = any(c.document_id is None for c in changes)  # an import, an undo-import
        doc = window.doc
        open_id = doc.id if doc is not None else None
        if everywhere:
            window.navigation.reload_documents()
        else:  # the open document's row follows its layer (catch_up): no query for it
            self._refresh_rows([c for c in changes if c.layer_id == layer_id and c.document_id != open_id])
        if doc is None:
            return
        here = [c for c in changes if c.document_id == doc.id or c.document_id is None]
        own_layer = [c for c in here if c.layer_id == layer_id and c.event_id > service.shown_layer.version]
        others = everywhere or any(c.layer_id != layer_id for c in here)
        if own_layer or everywhere:
            self.catch_up(others)
        elif here:
            self._refresh_other_layers(others)
        if own_layer:
            window.statusBar().showMessage(_updated_text(own_layer, service.user), 8000)
        elif here and not everywhere:
            names = sorted({c.layer or "?" for c in here})
            window.statusBar().showMessage(f"Updated: {', '.join(names)}'s layer of this document changed", 6000)

    def _refresh_rows(self, changes: list[Change]) -> None:
        """The list's rows of the documents changed that it holds; the progress if a status may have moved."""
        documents = self._window.document_list
        changed = {c.document_id for c in changes if c.document_id is not None}
        if not changed:
            return
        held = [doc_id for doc_id in changed if documents.model.summary(doc_id) is not None]
        statuses_moved = any(c.action.endswith(STATUS_ACTIONS) for c in changes)
        service = self._service
        rows = _read_or(lambda: document_rows(service, held), [])
        counts: Mapping[Status, int] | None = None
        if statuses_moved and set(held) != changed:
            counts = _read_or(service.document_counts, None)
        documents.refresh_rows(rows, counts)
        self._window.navigation.update_status()

    def catch_up(self, others: bool = False) -> bool:
        """Read the open layer again and apply what differs, keeping caret, scroll and a selected span
        still there; the review board follows, and the other layers listed if ``others`` changed too
        (they do not list the own layer: reading them again for it alone is a wasted query).
        False if it could not be read."""
        window = self._window
        doc = window.doc
        if doc is None:
            return False
        gone = False

        def read() -> DocumentView | None:
            nonlocal gone
            try:
                return self._service.document(doc.id)
            except NotFoundError:  # taken out by another session (an undone import): not a refusal of the user's
                gone = True
                return None

        view = window.attempt(read)
        if gone:
            self._leave_removed_document()
        if view is None:
            return False
        changes = layer_changes(window.layer.view(), view, UPDATED)
        annotate = window.annotate
        window.layer.apply(changes)
        window.navigation.refresh_document_row()
        if annotate.selected_span is not None:  # still there: its panels show it as it is now
            annotate.select_span(annotate.selected_span if annotate.selected_span in window.layer.spans else None)
        if annotate.selected_relation is not None and annotate.selected_relation not in window.layer.relations:
            annotate.select_relation(None)
        window.navigation.update_status()
        self._refresh_other_layers(others)
        return True

    def _leave_removed_document(self) -> None:
        """The open document no longer exists: show another (its time spent has no row to go to)."""
        window = self._window
        window.navigation.reading_time.drop()
        window.navigation.reload_documents()
        window.navigation.open_first_document()
        message = "The document shown was taken out in another session (an import was undone)"
        opened = window.document_list.model.rowCount() > 0
        window.statusBar().showMessage(
            f"{message}; {'another one is shown' if opened else 'no documents are left'}", 10000
        )

    def _refresh_other_layers(self, others: bool) -> None:
        window = self._window
        if others and window.other_layers.listed:
            window.other_layers.refresh()
        window.review.refresh()  # every layer's candidates, gold's marks: nothing unless review mode is on


def stale_note(error: Exception) -> str:
    """What follows "Not done: <reason>" when the layer had changed in another window before the action."""
    if isinstance(error, NotFoundError):  # what the action named is gone: removed in that other window
        return " (it was removed in another window; this document is now shown as it is)"
    return " (this document had changed in another window; it is now shown as it is)"


def _updated_text(changes: list[Change], user: str) -> str:
    count = len(changes)
    names = sorted({c.layer or user for c in changes})
    return f"Updated: {count} change{'s' if count != 1 else ''} by {', '.join(names)} in another window"


def _read_or(read: Callable[[], T], default: D) -> T | D:
    """What ``read`` reads, or ``default`` if the database cannot be read now: the next wake-up reads again."""
    try:
        return read()
    except (SQLAlchemyError, AnnotatorError):
        log.info("reading the change feed failed", exc_info=True)
        return default


def _single_shot(interval_ms: int, slot: Callable[[], None]) -> QTimer:
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setInterval(interval_ms)
    timer.timeout.connect(slot)
    return timer
