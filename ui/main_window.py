"""The main window: wires the text view, label bar and panels to the service.

Every edit goes through the service (one transaction, undoable); its Changes are applied
to the open layer (``self.layer``, one LayerModel), which the text view and panels follow,
so nothing else is redrawn. Annotating itself lives in ui/controllers/annotate.py.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QMainWindow, QMenu, QToolBar, QVBoxLayout, QWidget

from annotator.errors import AnnotatorError
from annotator.layer_model import LayerModel
from annotator.models import DocumentSummary
from annotator.search import find_all
from annotator.service import AnnotationService
from ui.attribute_editor import AttributeEditor
from ui.bridge import ServiceBridge
from ui.compact_layout import TextKeepsHalf
from ui.controllers.annotate import AnnotateController
from ui.dialogs import report_error
from ui.document_list import DocumentList
from ui.document_state import next_document, next_unfinished
from ui.find_bar import FindBar
from ui.help_overlay import HelpOverlay
from ui.label_bar import LabelBar
from ui.relation_panel import RelationPanel
from ui.settings import WindowSettings
from ui.shortcuts import SHORTCUTS, window_keys
from ui.span_adjust import SpanAdjuster
from ui.span_list import SpanList
from ui.text_view import AnnotationTextView

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
        self.layer = LayerModel()  # the open document's layer: the one copy every panel reads
        self._closed = False
        self.search_hits: list[tuple[int, int]] = []
        self.search_index: int | None = None
        self.reading = QElapsedTimer()
        self.bridge = ServiceBridge(service, self)
        self._build_widgets()
        self.bridge.changed.connect(self.annotate.on_changes)
        self._build_actions()
        self._build_status_bar()
        self._restore_layout()
        self.reload_documents()
        self._open_first_document()

    @property
    def doc(self) -> LayerModel | None:
        """The open document's layer; None until a document is open."""
        return self.layer if self.layer.is_open else None

    # --- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.setWindowTitle(f"Annotator — {self.service.project.config.name} — {self.service.annotator}")
        self.view = AnnotationTextView(self.layer, self.schema)
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
        self.span_list = SpanList(self.layer, self.schema)
        self.attribute_editor = AttributeEditor()
        self.relation_panel = RelationPanel(self.layer, self.schema)
        left = self._dock("Documents", "documentsDock", self.document_list, Qt.DockWidgetArea.LeftDockWidgetArea)
        right = [
            self._dock("Spans", "spansDock", self.span_list, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Attributes", "attributesDock", self.attribute_editor, Qt.DockWidgetArea.RightDockWidgetArea),
            self._dock("Relations", "relationsDock", self.relation_panel, Qt.DockWidgetArea.RightDockWidgetArea),
        ]
        self.resizeDocks([left, right[0]], [300, 380], Qt.Orientation.Horizontal)
        self.resizeDocks(right, [380, 170, 330], Qt.Orientation.Vertical)
        self.compact_layout = TextKeepsHalf(self, self.view, [left, *right])

        self.annotate = AnnotateController(self)
        self.label_bar.label_chosen.connect(self.annotate.apply_label)
        self.view.span_clicked.connect(self.annotate.span_clicked)
        self.view.selection_changed_range.connect(self.annotate.text_selected)
        self.document_list.document_activated.connect(self.open_document)
        self.span_list.span_activated.connect(self.annotate.span_listed)
        self.attribute_editor.attribute_edited.connect(self.annotate.set_attribute)
        self.relation_panel.relation_selected.connect(self.annotate.select_relation)
        self.relation_panel.relation_delete_requested.connect(self.annotate.remove_relation)
        self.relation_panel.relation_type_chosen.connect(self.annotate.start_relation)
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
        self.undo_action = self.command("undo", self.annotate.undo, edit)
        self.redo_action = self.command("redo", self.annotate.redo, edit)
        edit.addSeparator()
        self.command("delete", self.annotate.delete_selected, edit)
        self.command("escape", self.annotate.clear_selection, edit)
        self.command("label_all", self.annotate.label_all_selected, edit)
        edit.addSeparator()
        self.command("find", self.open_search, edit)
        self.command("find_next", lambda: self.step_search(1), edit)
        self.command("find_previous", lambda: self.step_search(-1), edit)

        annotate = bar.addMenu("&Annotate")
        for action in self.label_bar.actions.values():
            self.addAction(action)
            annotate.addAction(action)
        annotate.addSeparator()
        for relation in self.schema.relations:
            action = QAction(f"Relation {relation.name}", self)
            if relation.hotkey:
                action.setShortcut(QKeySequence(relation.hotkey))
            action.setToolTip(relation.description)
            action.triggered.connect(lambda _checked=False, name=relation.name: self.annotate.start_relation(name))
            self.addAction(action)
            annotate.addAction(action)
        annotate.addSeparator()
        self.command("next_span", lambda: self.annotate.cycle_span(1), annotate)
        self.command("previous_span", lambda: self.annotate.cycle_span(-1), annotate)
        self.command("confirm", self.annotate.confirm_tail, annotate)
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
        self.annotate.update_undo_actions()

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
        self.layer.load(view)  # the text, the panels and the annotate controller follow
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

    def label_all_found(self) -> None:
        if self.search_index is None:
            return
        start, end = self.search_hits[self.search_index]
        self.annotate.choose_label_then(lambda label: self.annotate.label_all(start, end, label))

    # --- undo, changes, status ----------------------------------------------------

    def _refresh_document_row(self) -> None:
        for index, summary in enumerate(self.documents):
            if self.doc is not None and summary.id == self.doc.id:
                self.documents[index] = self.doc.summary(summary)
                self.document_list.update_document(self.documents[index])

    def _update_status(self) -> None:
        ids = [d.id for d in self.documents]
        position = ids.index(self.doc.id) + 1 if self.doc and self.doc.id in ids else 0
        self.position_label.setText(f"Document {position} of {len(ids)}")
        self.spans_label.setText(f"{len(self.doc.spans) if self.doc else 0} spans")

    def attempt(self, call: Callable[[], T]) -> T | None:
        """Run a service call; refusals go to the status bar, real failures to a dialog."""
        return self.annotate.attempt(call)

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
