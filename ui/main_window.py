"""The main window: builds the docks, the menu bar (from ui/shortcuts.py) and the connections.

What the window does lives in controllers (ui/controllers/): annotating, documents and
reading time, find in document, project switching, view options. Every edit goes through the
service (one transaction, undoable); its Changes are applied to the open layer (``self.layer``,
one Qt-free LayerModel), which the text view and panels follow, so nothing else is redrawn.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QDockWidget, QMainWindow, QToolBar, QVBoxLayout, QWidget

from annotator.layer_model import LayerModel
from annotator.service import AnnotationService
from ui.arc_options import ArcOptions
from ui.arc_view import attach_arcs
from ui.attribute_editor import AttributeEditor
from ui.bridge import ServiceBridge
from ui.compact_layout import TextKeepsHalf
from ui.controllers.annotate import AnnotateController
from ui.controllers.navigation import DocumentNavigator
from ui.controllers.projects import ProjectSwitcher
from ui.controllers.search import DocumentSearch
from ui.controllers.view_options import ViewOptions
from ui.disagreement_browser import DisagreementBrowser
from ui.document_list import DocumentList
from ui.find_bar import FindBar
from ui.first_paint import FirstPaint
from ui.help_overlay import HelpOverlay
from ui.label_bar import LabelBar
from ui.layer_chooser import LayerChooser
from ui.layer_control import OtherLayerControl
from ui.live_updates import LiveUpdates
from ui.login_open import identity
from ui.menus import Handler, MenuGroup, add_window_actions, build_menu_bar, relation_actions
from ui.quality_docks import QualityDocks
from ui.relation_panel import RelationPanel
from ui.review_mode import ReviewMode
from ui.settings import WindowSettings
from ui.span_adjust import SpanAdjuster
from ui.span_list import SpanList
from ui.status_line import StatusLine
from ui.suggestion_control import SuggestionControl
from ui.text_view import AnnotationTextView

T = TypeVar("T")


class MainWindow(QMainWindow):
    def __init__(self, service: AnnotationService, settings: WindowSettings, project_dir: Path) -> None:
        super().__init__()
        self.service = service
        self.schema = service.schema
        self.settings = settings
        self.project_dir = project_dir
        self.layer = LayerModel()  # the open document's layer: the one copy every panel reads
        self._closed = False
        self.navigation = DocumentNavigator(self)
        self.search = DocumentSearch(self)
        self.projects = ProjectSwitcher(self)
        self.span_adjuster = SpanAdjuster(self)
        self.disagreements = DisagreementBrowser(self)  # its panel is built when first shown
        self.bridge = ServiceBridge(service, self)
        self._build_widgets()
        self.bridge.changed.connect(self.annotate.on_changes)
        self.bridge.changed.connect(self.review.on_changes)
        self._connect_widgets()
        self.suggestions = SuggestionControl(self)  # after the widgets' connections: it acts on a click after them
        self._build_menus()
        self.status_line = StatusLine(self.statusBar(), service.annotator)
        self._restore_layout()
        self.navigation.reload_documents()
        self.navigation.open_first_document()
        self.live.start()

    # --- construction -------------------------------------------------------------

    def _build_widgets(self) -> None:
        self.setWindowTitle(f"Annotator — {self.service.project.config.name} — {identity(self.service)}")
        self.view = AnnotationTextView(self.layer, self.schema)
        self.arcs = attach_arcs(self.view, self.layer, self.schema)  # relation arcs, dragging, label tags
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
        self.layer_chooser = LayerChooser()  # another layer shown read-only (ui/layer_control.py)
        layers_toolbar = QToolBar("Layers")
        layers_toolbar.setObjectName("layersToolbar")
        layers_toolbar.addWidget(self.layer_chooser)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, layers_toolbar)
        self.document_list = DocumentList()
        # The panels' rows and the last document's reading time wait for the text's first paint.
        self.first_paint = FirstPaint(self.view, self.layer)
        self.span_list = SpanList(self.layer, self.schema, rows_after=self.first_paint.painted)
        self.attribute_editor = AttributeEditor()
        self.relation_panel = RelationPanel(self.layer, self.schema, rows_after=self.first_paint.painted)
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
        self.annotate = AnnotateController(self)
        self.live = LiveUpdates(self)  # other sessions' edits (ui/live_updates.py); listens from now on
        self.arc_options = ArcOptions(self)  # arcs, label tags, relations by dragging (ui/arc_options.py)
        self.other_layers = OtherLayerControl(self)
        self.quality = QualityDocks(self, self.service.project, self.bridge)  # hidden; built when first shown
        self.review = ReviewMode(self)  # adjudication into gold: its dock, shown in review mode

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
        self.label_bar.label_chosen.connect(self.annotate.apply_label)
        self.view.span_clicked.connect(self.annotate.span_clicked)
        self.view.selection_changed_range.connect(self.annotate.text_selected)
        self.document_list.document_activated.connect(self.navigation.open_document)
        self.first_paint.painted.connect(self.navigation.reading_time.save)
        self.span_list.span_activated.connect(self.annotate.span_listed)
        self.attribute_editor.attribute_edited.connect(self.annotate.set_attribute)
        self.relation_panel.relation_selected.connect(self.annotate.select_relation)
        self.relation_panel.relation_delete_requested.connect(self.annotate.remove_relation)
        self.relation_panel.relation_type_chosen.connect(self.annotate.start_relation)
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
            **self.disagreements.commands(),
            **self.view_options.commands(),
            **self.arc_options.commands(),
            **self.other_layers.commands(),
            **self.review.commands(),
            "quit": self.close,
            "undo": self.annotate.undo,
            "redo": self.annotate.redo,
            "delete": self.annotate.delete_selected,
            "escape": self.other_layers.clear_selection,
            "label_all": self.annotate.label_all_selected,
            "next_span": lambda: self.annotate.cycle_span(1),
            "previous_span": lambda: self.annotate.cycle_span(-1),
            "confirm": self.annotate.confirm_tail,
            "help": self.help_overlay.toggle,
            **self.suggestions.commands(),  # also Enter, Delete and Esc: on a selected suggestion first
        }
        groups: dict[str, MenuGroup] = {
            "recent_projects": self.projects.add_recent_menu,
            "labels": lambda menu: add_window_actions(self, menu, self.label_bar.label_actions.values()),
            "relations": lambda menu: add_window_actions(
                self, menu, relation_actions(self, self.schema, self.annotate.start_relation)
            ),
            "panels": lambda menu: menu.addActions([d.toggleViewAction() for d in self.findChildren(QDockWidget)]),
        }
        actions = build_menu_bar(self, self.schema, handlers, groups)
        self.suggestions.bind_keys(actions)
        self.undo_action, self.redo_action = actions["undo"], actions["redo"]
        self.annotate.update_undo_actions()

    def _restore_layout(self) -> None:
        self.resize(1400, 860)
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
        if self.settings.state is not None:
            self.restoreState(self.settings.state)

    @property
    def doc(self) -> LayerModel | None:
        """The open document's layer; None until a document is open."""
        return self.layer if self.layer.is_open else None

    def show_other_layer(self, name: str | None) -> None:
        """Show annotator ``name``'s layer of the open document read-only beside the own one (None:
        none); the choice holds for the next documents that have such a layer."""
        self.other_layers.show_layer(name)

    def attempt(self, call: Callable[[], T]) -> T | None:
        """Run a service call; refusals go to the status bar, real failures to a dialog."""
        return self.annotate.attempt(call)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self._closed:  # closing twice (a test's teardown, say) must not touch a closed service
            self._closed = True
            self.navigation.record_reading_time()
            self.settings.save_layout(self.saveGeometry(), self.saveState())
            self.settings.sync()
            self.bridge.detach()
            self.live.stop()
            self.service.close()
        super().closeEvent(event)
