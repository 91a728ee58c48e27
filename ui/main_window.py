"""The main window: wires the text view, label bar and panels to the service.

Every edit goes through the service (one transaction, undoable); the window then applies
the returned Changes to the widgets that show them, and nothing else is redrawn.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QToolBar, QVBoxLayout, QWidget

from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.models import Changes, DocumentSummary, Span
from annotator.search import find_all
from annotator.service import AnnotationService
from ui.attribute_editor import AttributeEditor
from ui.bridge import ServiceBridge
from ui.compact_layout import TextKeepsHalf
from ui.dialogs import report_error
from ui.document_list import DocumentList
from ui.document_state import OpenDocument, next_document, next_unfinished
from ui.find_bar import FindBar
from ui.help_overlay import HelpOverlay
from ui.label_bar import LabelBar
from ui.relation_panel import RelationPanel
from ui.settings import WindowSettings
from ui.shortcuts import SHORTCUTS, window_keys
from ui.span_adjust import SpanAdjuster
from ui.span_list import SpanList
from ui.text_view import AnnotationTextView
from ui.wording import explain_refusal, with_article

T = TypeVar("T")


def _settle_heap() -> None:
    """Keep the objects of the open document out of the cyclic collector's full scans.

    A 10,000-span document leaves about a million long-lived objects (spans, segments,
    formats); every full collection walked them all, a few milliseconds charged to
    whichever edit happened to trigger it. Frozen, they are still freed by reference
    counting; the previous document's cycles are collected first.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class MainWindow(QMainWindow):
    def __init__(self, service: AnnotationService, settings: WindowSettings, project_dir: Path) -> None:
        super().__init__()
        self.service = service
        self.schema = service.schema
        self.settings = settings
        self.project_dir = project_dir
        self.documents: list[DocumentSummary] = []
        self.doc: OpenDocument | None = None
        self.selected_span: int | None = None
        self.pending_relation: tuple[str, int] | None = None  # (relation label, head span id)
        self.selected_relation: int | None = None
        self._closed = False
        self.search_hits: list[tuple[int, int]] = []
        self.search_index: int | None = None
        self.reading = QElapsedTimer()
        self.bridge = ServiceBridge(service, self)
        self.bridge.changed.connect(self.on_changes)
        self._build_widgets()
        self._build_actions()
        self._build_status_bar()
        self._restore_layout()
        self.reload_documents()
        self._open_first_document()

    # --- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.setWindowTitle(f"Annotator — {self.service.project.config.name} — {self.service.annotator}")
        self.view = AnnotationTextView()
        self.view.snap_to_words = self.settings.snap_to_words
        self.view.zoom(self.settings.zoom)
        self.view.zoom_changed.connect(self._remember_zoom)  # Ctrl+wheel zooms too
        self.find_bar = FindBar()
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.view)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)
        self.label_bar = LabelBar(self.schema)
        toolbar = QToolBar("Labels")
        toolbar.setObjectName("labelsToolbar")
        toolbar.addWidget(self.label_bar)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, toolbar)
        self.document_list = DocumentList()
        self.span_list = SpanList()
        self.attribute_editor = AttributeEditor()
        self.relation_panel = RelationPanel()
        left = self._dock("Documents", "documentsDock", self.document_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        right = [
            self._dock("Spans", "spansDock", self.span_list, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Attributes", "attributesDock", self.attribute_editor, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Relations", "relationsDock", self.relation_panel, Qt.DockWidgetArea.RightDockWidgetArea),
        ]
        self.resizeDocks([left, right[0]], [300, 380], Qt.Orientation.Horizontal)
        self.resizeDocks(right, [380, 170, 330], Qt.Orientation.Vertical)
        self.compact_layout = TextKeepsHalf(self, self.view, [left, *right])

        self.label_bar.label_chosen.connect(self.apply_label)
        self.view.span_clicked.connect(self._span_clicked)
        self.view.selection_changed_range.connect(self._text_selected)
        self.document_list.document_activated.connect(self.open_document)
        self.span_list.span_activated.connect(self._span_listed)
        self.attribute_editor.attribute_edited.connect(self.set_attribute)
        self.relation_panel.relation_selected.connect(self.select_relation)
        self.relation_panel.relation_delete_requested.connect(self.remove_relation)
        self.relation_panel.relation_type_chosen.connect(self.start_relation)
        self.find_bar.query_changed.connect(self.search)
        self.find_bar.step.connect(self.step_search)
        self.find_bar.label_all_requested.connect(self.label_all_found)
        self.find_bar.closed.connect(self._close_search)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        # Each panel shows its own bold title with a count; a second title bar above it is noise.
        # Panels are shown and hidden from the View menu.
        dock.setTitleBarWidget(QWidget())
        self.addDockWidget(area, dock)
        return dock

    def command(self, name: str, handler: Callable[[], object], menu: QMenu | None = None) -> QAction:
        """A window command with its text and keys from the one table, ui/shortcuts.py."""
        action = QAction(SHORTCUTS[name][0], self)
        action.setShortcuts([QKeySequence(k) for k in window_keys(name, self.schema)])
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.triggered.connect(lambda _checked=False: handler())
        self.addAction(action)
        if menu is not None:
            menu.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.command("open", self.choose_project, file_menu)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self._fill_recent_menu()
        file_menu.addSeparator()
        self.command("quit", self.close, file_menu)

        edit = bar.addMenu("&Edit")
        self.undo_action = self.command("undo", self.undo, edit)
        self.redo_action = self.command("redo", self.redo, edit)
        edit.addSeparator()
        self.command("delete", self.delete_selected, edit)
        self.command("escape", self.clear_selection, edit)
        self.command("label_all", self.label_all_selected, edit)
        edit.addSeparator()
        self.command("find", self.open_search, edit)
        self.command("find_next", lambda: self.step_search(1), edit)
        self.command("find_previous", lambda: self.step_search(-1), edit)

        annotate = bar.addMenu("&Annotate")
        for action in self.label_bar.label_actions.values():
            self.addAction(action)
            annotate.addAction(action)
        annotate.addSeparator()
        for relation in self.schema.relations:
            action = QAction(f"Relation {relation.name}", self)
            if relation.hotkey:
                action.setShortcut(QKeySequence(relation.hotkey))
            action.setToolTip(relation.description)
            action.triggered.connect(lambda _checked=False, name=relation.name: self.start_relation(name))
            self.addAction(action)
            annotate.addAction(action)
        annotate.addSeparator()
        self.command("next_span", lambda: self.cycle_span(1), annotate)
        self.command("previous_span", lambda: self.cycle_span(-1), annotate)
        self.command("confirm", self.confirm_tail, annotate)
        self.span_adjuster = SpanAdjuster(self, annotate)

        go = bar.addMenu("&Document")
        self.command("next_document", lambda: self._go(next_document(self.documents, self._doc_id(), 1)), go)
        self.command("previous_document", lambda: self._go(next_document(self.documents, self._doc_id(), -1)), go)
        self.command("next_unfinished", lambda: self._go(next_unfinished(self.documents, self._doc_id())), go)
        go.addSeparator()
        self.command("mark_done", lambda: self.finish_document("done"), go)
        self.command("skip", lambda: self.finish_document("skipped"), go)
        self.command("mark_in_progress", lambda: self.set_status("in_progress"), go)

        view = bar.addMenu("&View")
        snap = self.command("snap", lambda: None, view)
        snap.setCheckable(True)
        snap.setChecked(self.view.snap_to_words)
        snap.toggled.connect(self._set_snap)
        self.command("zoom_in", lambda: self._zoom(1), view)
        self.command("zoom_out", lambda: self._zoom(-1), view)
        self.command("zoom_reset", lambda: self._zoom(-self.settings.zoom), view)
        view.addSeparator()
        for dock in self.findChildren(QDockWidget):
            view.addAction(dock.toggleViewAction())
        self.help_overlay = HelpOverlay(self, self.schema, focus_after=self.view)
        self.command("help", self.help_overlay.toggle, bar.addMenu("&Help"))
        self._update_undo_actions()

    def _build_status_bar(self) -> None:
        self.position_label = QLabel()
        self.spans_label = QLabel()
        self.layer_label = QLabel(f"Layer: {self.service.annotator}")
        self.saved_label = QLabel("No changes yet")
        for label in (self.position_label, self.spans_label, self.layer_label, self.saved_label):
            self.statusBar().addPermanentWidget(label)

    def _restore_layout(self) -> None:
        self.resize(1400, 860)
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
        if self.settings.state is not None:
            self.restoreState(self.settings.state)

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        for path in self.settings.recent_projects:
            action = self.recent_menu.addAction(str(path))
            action.triggered.connect(lambda _checked=False, p=path: self.switch_project(p))
        self.recent_menu.setEnabled(bool(self.settings.recent_projects))

    # --- documents ----------------------------------------------------------------

    def reload_documents(self) -> None:
        self.documents = self.service.documents()
        self.document_list.set_documents(self.documents)

    def _open_first_document(self) -> None:
        last = self.settings.last_document(self.project_dir)
        by_external = {d.external_id: d.id for d in self.documents}
        target = by_external.get(last or "") or next_unfinished(self.documents, None)
        if target is None and self.documents:
            target = self.documents[0].id
        if target is not None:
            self.open_document(target)
        else:
            self._update_status()

    def open_document(self, document_id: int) -> None:
        if self.doc is not None and self.doc.id == document_id:
            return
        view = self.attempt(lambda: self.service.document(document_id))
        if view is None:
            return
        self._record_reading_time()
        self.doc = OpenDocument(view)
        self.selected_span = None
        self.pending_relation = None
        self.view.show_document(view, self.schema)
        self.span_list.set_spans(view.spans, self.schema)
        self.relation_panel.set_document(view, self.schema)
        self.relation_panel.set_pending(None)
        self._show_span_details(None)
        self.document_list.select_document(document_id)
        self.settings.set_last_document(self.project_dir, view.external_id)
        self.reading.start()
        _settle_heap()
        if self.find_bar.isVisible():
            self.search(self.find_bar.input.text(), self.find_bar.case.isChecked())
        self._update_status()

    def _go(self, document_id: int | None) -> None:
        if document_id is None:
            self.statusBar().showMessage("No further document in that direction", 4000)
            return
        self.open_document(document_id)

    def finish_document(self, status: str) -> None:
        if self.doc is None:
            return
        if self.doc.status != status and self.attempt(lambda: self.service.set_status(self.doc.id, status)) is None:
            return
        target = next_unfinished(self.documents, self.doc.id)
        if target is None:
            self.statusBar().showMessage("Every document is done or skipped", 6000)
        else:
            self.open_document(target)

    def set_status(self, status: str) -> None:
        if self.doc is not None and self.doc.status != status:
            self.attempt(lambda: self.service.set_status(self.doc.id, status))

    # --- spans --------------------------------------------------------------------

    def apply_label(self, label: str) -> None:
        """The label's hotkey: label the selected text, or relabel the selected span."""
        if self.doc is None:
            return
        selection = self.view.selected_range()
        if selection is None and self.selected_span is not None:
            span = self.doc.spans.get(self.selected_span)
            if span is not None and span.label != label:
                self.attempt(lambda: self.service.relabel_span(span.id, label))
            return
        if selection is None or selection[0] == selection[1]:
            self.statusBar().showMessage("Select some text first, then press a label's key", 5000)
            return
        outcome = self.attempt(lambda: self.service.add_span(self.doc.id, selection[0], selection[1], label))
        if outcome is not None:
            # The selection is used up: the next label key relabels the new span instead.
            self.view.select_range(selection[1], selection[1])
            self.select_span(outcome.value.id)

    def delete_selected(self) -> None:
        focus = self.focusWidget()
        in_panel = focus is not None and (focus is self.relation_panel or self.relation_panel.isAncestorOf(focus))
        if in_panel and self.selected_relation is not None:
            self.remove_relation(self.selected_relation)
        elif self.selected_span is not None:
            span_id = self.selected_span
            self.attempt(lambda: self.service.remove_span(span_id))

    def set_attribute(self, span_id: int, name: str, value: object) -> None:
        self.attempt(lambda: self.service.set_attribute(span_id, name, value))

    def select_span(self, span_id: int | None) -> None:
        span = self.doc.spans.get(span_id) if (self.doc is not None and span_id is not None) else None
        self.selected_span = span.id if span is not None else None
        self.view.set_current_span(span)
        self.span_list.select_span(self.selected_span)
        self._show_span_details(span)

    def _show_span_details(self, span: Span | None) -> None:
        self.attribute_editor.show_span(span, self.schema)
        if self.pending_relation is None:
            self.relation_panel.set_head_span(span, self.schema)

    def _span_clicked(self, span_id: int) -> None:
        if self.pending_relation is not None and span_id >= 0:
            self.select_span(span_id)
            self.confirm_tail()
            return
        self.select_span(span_id if span_id >= 0 else None)

    def _span_listed(self, span_id: int) -> None:
        """A row chosen in the span list (arrows move through it): select, never confirm a tail."""
        self.select_span(span_id)
        span = self.doc.spans.get(span_id) if self.doc is not None else None
        if span is not None:
            self.view.select_range(span.start, span.start)  # scroll the text to it

    def _text_selected(self, start: int, end: int) -> None:
        if start != end and self.selected_span is not None and self.pending_relation is None:
            self.select_span(None)

    def cycle_span(self, step: int) -> None:
        if self.doc is None or not self.doc.spans:
            return
        ordered = self.doc.ordered_spans()
        ids = [s.id for s in ordered]
        if self.selected_span in ids:
            index = (ids.index(self.selected_span) + step) % len(ids)
        else:
            index = 0 if step > 0 else len(ids) - 1
        self.select_span(ids[index])
        self.view.select_range(ordered[index].start, ordered[index].start)

    def clear_selection(self) -> None:
        if self.pending_relation is not None:
            self.pending_relation = None
            self.relation_panel.set_pending(None)
            self.statusBar().showMessage("Relation cancelled", 3000)
        self.select_span(None)
        self.select_relation(None)
        self.relation_panel.select_relation(None)
        if self.doc is not None:
            cursor = self.view.textCursor()
            cursor.clearSelection()
            self.view.setTextCursor(cursor)

    # --- relations ----------------------------------------------------------------

    def start_relation(self, label: str) -> None:
        span = self.doc.spans.get(self.selected_span) if (self.doc and self.selected_span is not None) else None
        spec = self.schema.relation(label)
        if span is None or spec is None or span.label not in spec.head:
            heads = "/".join(spec.head) if spec else "?"
            self.statusBar().showMessage(f"{label}: first select {with_article(heads)} span as its head", 6000)
            return
        self.pending_relation = (label, span.id)
        self.relation_panel.set_pending(label)
        self.statusBar().showMessage(
            f"{label}: click the {'/'.join(spec.tail)} span it points to, or choose it with Alt+→ and Enter; "
            "Esc cancels"
        )

    def confirm_tail(self) -> None:
        if self.pending_relation is None or self.selected_span is None:
            return
        label, head = self.pending_relation
        tail = self.selected_span
        if tail == head:
            return
        self.pending_relation = None
        self.relation_panel.set_pending(None)
        self.statusBar().clearMessage()
        outcome = self.attempt(lambda: self.service.add_relation(label, head, tail))
        if outcome is not None:
            self.select_relation(outcome.value.id)

    def select_relation(self, relation_id: int | None) -> None:
        relation = self.doc.relations.get(relation_id) if (self.doc and relation_id is not None) else None
        self.selected_relation = relation.id if relation is not None else None
        if relation is None:
            self.view.set_relation_overlay(None, None)
            return
        self.view.set_relation_overlay(self.doc.spans.get(relation.head), self.doc.spans.get(relation.tail))
        self.relation_panel.select_relation(relation.id)

    def remove_relation(self, relation_id: int) -> None:
        self.attempt(lambda: self.service.remove_relation(relation_id))

    # --- find and label all -------------------------------------------------------

    def open_search(self) -> None:
        selection = self.view.selected_range()
        text = self.doc.text[selection[0] : selection[1]] if (self.doc and selection) else ""
        self.find_bar.open_bar(text if "\n" not in text else "")

    def search(self, query: str, case_sensitive: bool) -> None:
        self.search_hits = find_all(self.doc.text, query, case_sensitive=case_sensitive) if self.doc else []
        self.search_index = 0 if self.search_hits else None
        self._show_search()

    def step_search(self, step: int) -> None:
        if not self.search_hits:
            return
        self.search_index = ((self.search_index or 0) + step) % len(self.search_hits)
        self._show_search()

    def _show_search(self) -> None:
        self.view.set_search_hits(self.search_hits, self.search_index)
        self.find_bar.show_count(self.search_index, len(self.search_hits))
        if self.search_index is not None:
            start, end = self.search_hits[self.search_index]
            self.view.select_range(start, end)

    def _close_search(self) -> None:
        self.search_hits, self.search_index = [], None
        self.view.set_search_hits([], None)
        self.view.setFocus()

    def label_all_selected(self) -> None:
        """Label every occurrence of the selected span's text (or of the selected text)."""
        if self.doc is None:
            return
        span = self.doc.spans.get(self.selected_span) if self.selected_span is not None else None
        if span is not None:
            self._label_all(span.start, span.end, span.label)
            return
        selection = self.view.selected_range()
        if selection is None or selection[0] == selection[1]:
            self.statusBar().showMessage("Select a span or some text to label all its occurrences", 5000)
            return
        self._choose_label_then(lambda label: self._label_all(selection[0], selection[1], label))

    def label_all_found(self) -> None:
        if self.search_index is None:
            return
        start, end = self.search_hits[self.search_index]
        self._choose_label_then(lambda label: self._label_all(start, end, label))

    def _choose_label_then(self, then: Callable[[str], None]) -> None:
        menu = QMenu(self)
        menu.setObjectName("labelChoiceMenu")
        for label in self.schema.labels:
            menu.addAction(f"{label.name}  ({label.hotkey})").triggered.connect(
                lambda _checked=False, name=label.name: then(name)
            )
        menu.popup(self.view.mapToGlobal(self.view.cursorRect().bottomRight()))

    def _label_all(self, start: int, end: int, label: str) -> None:
        outcome = self.attempt(lambda: self.service.label_all_occurrences(self.doc.id, start, end, label))
        if outcome is not None:
            self.statusBar().showMessage(outcome.changes.description, 6000)

    # --- undo, changes, status ----------------------------------------------------

    def undo(self) -> None:
        if self.service.can_undo:
            self.attempt(self.service.undo)

    def redo(self) -> None:
        if self.service.can_redo:
            self.attempt(self.service.redo)

    def on_changes(self, changes: Changes) -> None:
        """Apply one committed change to exactly the widgets that show it."""
        if changes.document_id is not None and (self.doc is None or changes.document_id != self.doc.id):
            self.reload_documents()  # an undo reached into another document: go and show it
            self.open_document(changes.document_id)
        elif self.doc is not None:
            self.doc.apply(changes)
            self.view.apply_changes(changes)
            self.span_list.apply_changes(changes)
            if changes.relations_added or changes.relations_removed or changes.spans_removed or changes.spans_changed:
                self.relation_panel.apply_changes(changes, self.doc.view())
            self._refresh_document_row()
            if self.selected_span is not None:
                self.select_span(self.selected_span if self.selected_span in self.doc.spans else None)
            if self.selected_relation is not None and self.selected_relation not in self.doc.relations:
                self.select_relation(None)
        self.saved_label.setText(f"Saved {time.strftime('%H:%M:%S')}")
        self._update_undo_actions()
        self._update_status()

    def _refresh_document_row(self) -> None:
        for index, summary in enumerate(self.documents):
            if self.doc is not None and summary.id == self.doc.id:
                self.documents[index] = self.doc.summary(summary)
                self.document_list.update_document(self.documents[index])

    def _update_undo_actions(self) -> None:
        undo, redo = self.service.undo_description, self.service.redo_description
        self.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.redo_action.setEnabled(redo is not None)

    def _update_status(self) -> None:
        ids = [d.id for d in self.documents]
        position = ids.index(self.doc.id) + 1 if self.doc and self.doc.id in ids else 0
        self.position_label.setText(f"Document {position} of {len(ids)}")
        self.spans_label.setText(f"{len(self.doc.spans) if self.doc else 0} spans")

    def attempt(self, call: Callable[[], T]) -> T | None:
        """Run a service call; refusals go to the status bar, real failures to a dialog."""
        try:
            return call()
        except (ValidationError, NotFoundError) as error:
            shown = explain_refusal(str(error), self.doc.text, self.doc.spans) if self.doc else str(error)
            self.statusBar().showMessage(f"Not done: {shown}", 8000)
        except AnnotatorError as error:
            report_error(self, "Annotator", str(error))
        return None

    # --- projects, view, closing --------------------------------------------------

    def choose_project(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open project folder", str(self.project_dir.parent))
        if folder:
            self.switch_project(Path(folder))

    def switch_project(self, folder: Path) -> None:
        from ui.app import build_window  # the app module builds windows; imported late to avoid a cycle

        try:
            window = build_window(folder, self.service.annotator)
        except AnnotatorError as error:
            report_error(self, "Cannot open project", str(error))
            return
        window.show()
        self.close()

    def _set_snap(self, on: bool) -> None:
        self.view.snap_to_words = on
        self.settings.snap_to_words = on

    def _zoom(self, steps: int) -> None:
        self.view.zoom(steps)

    def _remember_zoom(self, total: int) -> None:
        self.settings.zoom = total

    def _doc_id(self) -> int | None:
        return self.doc.id if self.doc else None

    def _record_reading_time(self) -> None:
        if self.doc is not None and self.reading.isValid():
            seconds = self.reading.elapsed() / 1000
            self.reading.invalidate()
            if seconds >= 1:
                self.attempt(lambda: self.service.add_time(self.doc.id, seconds))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:  # closing twice (a test's teardown, say) must not touch a closed service
            super().closeEvent(event)
            return
        self._closed = True
        self._record_reading_time()
        self.settings.save_layout(self.saveGeometry(), self.saveState())
        self.settings.sync()
        self.bridge.detach()
        self.service.close()
        super().closeEvent(event)
