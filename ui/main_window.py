"""The main window: builds the docks, the menu bar (from ui/shortcuts.py) and the connections.

What the window does lives in controllers (ui/controllers/): documents and reading time,
find in document, project switching, view options. Every edit goes through the service
(one transaction, undoable); the window then applies the returned Changes to the widgets
that show them, and nothing else is redrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar, QVBoxLayout, QWidget

from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.models import Changes, Span
from annotator.service import AnnotationService
from ui.attribute_editor import AttributeEditor
from ui.bridge import ServiceBridge
from ui.compact_layout import TextKeepsHalf
from ui.controllers.navigation import DocumentNavigator
from ui.controllers.projects import ProjectSwitcher
from ui.controllers.search import DocumentSearch
from ui.controllers.view_options import ViewOptions
from ui.dialogs import report_error
from ui.document_list import DocumentList
from ui.document_state import OpenDocument
from ui.find_bar import FindBar
from ui.help_overlay import HelpOverlay
from ui.label_bar import LabelBar
from ui.menus import Handler, MenuGroup, add_window_actions, build_menu_bar, relation_actions
from ui.relation_panel import RelationPanel
from ui.settings import WindowSettings
from ui.span_adjust import SpanAdjuster
from ui.span_list import SpanList
from ui.status_line import StatusLine
from ui.text_view import AnnotationTextView
from ui.wording import explain_refusal, with_article

T = TypeVar("T")


class MainWindow(QMainWindow):
    def __init__(self, service: AnnotationService, settings: WindowSettings, project_dir: Path) -> None:
        super().__init__()
        self.service = service
        self.schema = service.schema
        self.settings = settings
        self.project_dir = project_dir
        self.doc: OpenDocument | None = None  # the navigation controller opens it
        self.selected_span: int | None = None
        self.pending_relation: tuple[str, int] | None = None  # (relation label, head span id)
        self.selected_relation: int | None = None
        self._closed = False
        self.navigation = DocumentNavigator(self)
        self.search = DocumentSearch(self)
        self.projects = ProjectSwitcher(self)
        self.span_adjuster = SpanAdjuster(self)
        self.bridge = ServiceBridge(service, self)
        self.bridge.changed.connect(self.on_changes)
        self._build_widgets()
        self._connect_widgets()
        self._build_menus()
        self.status_line = StatusLine(self.statusBar(), service.annotator)
        self._restore_layout()
        self.navigation.reload_documents()
        self.navigation.open_first_document()

    # --- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.setWindowTitle(f"Annotator — {self.service.project.config.name} — {self.service.annotator}")
        self.view = AnnotationTextView()
        self.view_options = ViewOptions(self.view, self.settings)
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
        self.help_overlay = HelpOverlay(self, self.schema, focus_after=self.view)

    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        # Each panel shows its own bold title with a count; a second title bar above it is noise.
        # Panels are shown and hidden from the View menu.
        dock.setTitleBarWidget(QWidget())
        self.addDockWidget(area, dock)
        return dock

    def _connect_widgets(self) -> None:
        self.label_bar.label_chosen.connect(self.apply_label)
        self.view.span_clicked.connect(self._span_clicked)
        self.view.selection_changed_range.connect(self._text_selected)
        self.document_list.document_activated.connect(self.navigation.open_document)
        self.span_list.span_activated.connect(self._span_listed)
        self.attribute_editor.attribute_edited.connect(self.set_attribute)
        self.relation_panel.relation_selected.connect(self.select_relation)
        self.relation_panel.relation_delete_requested.connect(self.remove_relation)
        self.relation_panel.relation_type_chosen.connect(self.start_relation)
        self.find_bar.query_changed.connect(self.search.search)
        self.find_bar.step.connect(self.search.step)
        self.find_bar.label_all_requested.connect(self.search.label_all_found)
        self.find_bar.closed.connect(self.search.close)

    def _build_menus(self) -> None:
        handlers: dict[str, Handler] = {
            **self.projects.commands(),
            **self.search.commands(),
            **self.span_adjuster.commands(),
            **self.navigation.commands(),
            **self.view_options.commands(),
            "quit": self.close,
            "undo": self.undo,
            "redo": self.redo,
            "delete": self.delete_selected,
            "escape": self.clear_selection,
            "label_all": self.label_all_selected,
            "next_span": lambda: self.cycle_span(1),
            "previous_span": lambda: self.cycle_span(-1),
            "confirm": self.confirm_tail,
            "help": self.help_overlay.toggle,
        }
        groups: dict[str, MenuGroup] = {
            "recent_projects": self.projects.add_recent_menu,
            "labels": lambda menu: add_window_actions(self, menu, self.label_bar.label_actions.values()),
            "relations": lambda menu: add_window_actions(
                self, menu, relation_actions(self, self.schema, self.start_relation)
            ),
            "panels": lambda menu: menu.addActions([d.toggleViewAction() for d in self.findChildren(QDockWidget)]),
        }
        actions = build_menu_bar(self, self.schema, handlers, groups)
        self.undo_action, self.redo_action = actions["undo"], actions["redo"]
        self._update_undo_actions()

    def _restore_layout(self) -> None:
        self.resize(1400, 860)
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
        if self.settings.state is not None:
            self.restoreState(self.settings.state)

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
            self.navigation.reload_documents()  # an undo reached into another document: go and show it
            self.navigation.open_document(changes.document_id)
        elif self.doc is not None:
            self.doc.apply(changes)
            self.view.apply_changes(changes)
            self.span_list.apply_changes(changes)
            if changes.relations_added or changes.relations_removed or changes.spans_removed or changes.spans_changed:
                self.relation_panel.apply_changes(changes, self.doc.view())
            self.navigation.refresh_document_row()
            if self.selected_span is not None:
                self.select_span(self.selected_span if self.selected_span in self.doc.spans else None)
            if self.selected_relation is not None and self.selected_relation not in self.doc.relations:
                self.select_relation(None)
        self.status_line.show_saved()
        self._update_undo_actions()
        self.navigation.update_status()

    def _update_undo_actions(self) -> None:
        undo, redo = self.service.undo_description, self.service.redo_description
        self.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.redo_action.setEnabled(redo is not None)

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

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:  # closing twice (a test's teardown, say) must not touch a closed service
            self._closed = True
            self.navigation.record_reading_time()
            self.settings.save_layout(self.saveGeometry(), self.saveState())
            self.settings.sync()
            self.bridge.detach()
            self.service.close()
        super().closeEvent(event)
