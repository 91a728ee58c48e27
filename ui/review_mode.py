"""Review mode: the window edits the gold layer and shows the review panel (ui/review_panel.py).

On: the service edits gold (its own undo history), the document list shows gold's status as
"to review" / "reviewed" (Ctrl+Enter marks reviewed and goes on), and the panel lists the open
document's candidates. F8 / Shift+F8 walk the undecided ones, selecting each in the text (an
accepted one as its gold span, so the edge and label keys edit it); F5 accepts the current one,
F6 rejects it, F7 accepts every agreed one as one undo step. Off: back to the own layer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QWidget

from annotator.errors import AnnotatorError
from annotator.layer_model import LayerChange
from annotator.models import Changes, Status
from annotator.review import DEFAULT_OPTIONS, GOLD, Candidate, Interval, ReviewBoard, ReviewOptions
from ui.bridge import follow_layer
from ui.compact_layout import SIDE_PANEL_MIN_WIDTH
from ui.dialogs import report_error
from ui.menus import Toggle
from ui.review_panel import ReviewPanel

if TYPE_CHECKING:
    from ui.main_window import MainWindow

REVIEW_STATUS_TEXT: dict[Status, str] = {
    "todo": "To review",
    "in_progress": "To review",
    "done": "Reviewed",
    "skipped": "Skipped",
}
REVIEW_WIDTH, REVIEW_HEIGHT = 520, 520
OFF_MESSAGE = "Review mode is off: Ctrl+Shift+R turns it on"


class ReviewMode:
    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.active = False
        self.options: ReviewOptions = DEFAULT_OPTIONS
        self.board: ReviewBoard | None = None
        self.current: Interval | None = None
        self._built: tuple[ReviewPanel, QDockWidget] | None = None  # made when review mode is first turned on

    @property
    def panel(self) -> ReviewPanel:
        return self._build()[0]

    @property
    def dock(self) -> QDockWidget:
        return self._build()[1]

    def _build(self) -> tuple[ReviewPanel, QDockWidget]:
        """The panel and its dock, made on first use: a window that never reviews pays nothing for them."""
        if self._built is not None:
            return self._built
        window = self.window
        panel = ReviewPanel()
        dock = QDockWidget("Review", window)
        dock.setObjectName("reviewDock")
        dock.setWidget(panel)
        dock.setTitleBarWidget(QWidget())  # as every panel: its own bold title, no second bar
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        spans_dock = window.findChild(QDockWidget, "spansDock")
        if spans_dock is not None:  # a tab beside the span list (which shows gold's spans in review)
            window.tabifyDockWidget(spans_dock, dock)
        dock.setMinimumWidth(SIDE_PANEL_MIN_WIDTH)
        panel.candidate_chosen.connect(self.choose)
        panel.options_changed.connect(self._set_options)
        follow_layer(panel, window.layer, self._on_layer_change)
        self._built = (panel, dock)
        return self._built

    def commands(self) -> dict[str, Callable[[], object] | Toggle]:
        """Handlers of the Review menu's commands (ui/shortcuts.py)."""
        return {
            "review_mode": Toggle(False, self.set_active),
            "accept_candidate": lambda: self._when_on(self.accept),
            "reject_candidate": lambda: self._when_on(self.reject),
            "accept_agreed": lambda: self._when_on(self.accept_agreed),
            "next_candidate": lambda: self._when_on(lambda: self.step(1)),
            "previous_candidate": lambda: self._when_on(lambda: self.step(-1)),
            "mark_reviewed": lambda: self._when_on(lambda: self.window.navigation.finish_document("done")),
        }

    # --- on and off ---------------------------------------------------------------

    def set_active(self, on: bool) -> bool:
        """Turn review mode on or off; False if the service refused (an annotator of a team may not edit gold)."""
        window, service = self.window, self.window.service
        if on == self.active:
            return True
        window.navigation.record_reading_time()  # the time so far belongs to the layer being left
        try:
            service.edit_layer(GOLD if on else service.user)
        except AnnotatorError as error:
            report_error(window, "Annotator", str(error))
            return False
        self.active = on
        window.document_list.set_status_text(REVIEW_STATUS_TEXT if on else None)
        window.status_line.layer_label.setText(
            f"Layer: {GOLD} (reviewing as {service.user})" if on else f"Layer: {service.user}"
        )
        if on or self._built is not None:
            self.dock.setVisible(on)
        if on:  # room for a mark column per layer
            self.dock.raise_()
            window.resizeDocks([self.dock], [REVIEW_WIDTH], Qt.Orientation.Horizontal)
            window.resizeDocks([self.dock], [REVIEW_HEIGHT], Qt.Orientation.Vertical)
        window.annotate.update_undo_actions()
        doc = window.doc
        window.navigation.reload_documents()
        if doc is not None:  # the same document, now with the layer edited
            view = window.attempt(lambda: service.document(doc.id))
            if view is not None:
                window.layer.load(view)
                window.document_list.select_document(view.id)
                window.navigation.reading_time.start()
        window.navigation.update_status()
        window.statusBar().showMessage(
            "Review mode: editing gold; F8 next candidate, F5 accept, F6 reject, F7 accept agreed"
            if on
            else f"Review mode off: editing {service.user}'s layer",
            6000,
        )
        return True

    # --- the board ----------------------------------------------------------------

    def refresh(self) -> None:
        """Read the open document's board again and show it, keeping the current candidate."""
        doc = self.window.doc
        if not self.active or doc is None:
            return
        service = self.window.service
        options = self.options
        board = self.window.attempt(lambda: service.review_board(doc.id, options))
        if board is None:
            return
        self.board = board
        if self.current is not None and board.find(self.current) is None:
            selected = self.window.annotate.selected()  # its edges moved: follow the gold span
            self.current = (selected.start, selected.end, selected.label) if selected is not None else None
        self.panel.show_board(board, self.current)

    def on_changes(self, changes: Changes) -> None:
        if self.active and self.window.doc is not None and changes.document_id == self.window.doc.id:
            self.refresh()

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:  # another document opened
            self.current = None
            self.refresh()

    def _set_options(self, options: ReviewOptions) -> None:
        self.options = options
        self.refresh()

    # --- the keys -----------------------------------------------------------------

    def step(self, direction: int) -> None:
        """Go to the next (1) or previous (-1) undecided candidate, wrapping round."""
        if self.board is None:
            return
        undecided = [c for c in self.board.candidates if c.state == "undecided"]
        if not undecided:
            self.window.statusBar().showMessage("No undecided candidate left: Ctrl+Enter marks it reviewed", 6000)
            return
        if self.current is None:
            target = undecided[0] if direction > 0 else undecided[-1]
        elif direction > 0:
            target = next((c for c in undecided if c.key > self.current), undecided[0])
        else:
            target = next((c for c in reversed(undecided) if c.key < self.current), undecided[-1])
        self.choose(target.key)

    def choose(self, key: Interval) -> None:
        """Make a candidate the current one and show it in the text."""
        candidate = self.board.find(key) if self.board is not None else None
        if candidate is None:
            return
        self.current = key
        self.panel.set_current(key)
        annotate, view = self.window.annotate, self.window.view
        if candidate.gold_span_id is not None and candidate.gold_span_id in self.window.layer.spans:
            annotate.select_span(candidate.gold_span_id)
            view.select_range(candidate.start, candidate.start)
        else:
            annotate.select_span(None)
            view.select_range(candidate.start, candidate.end)
        self.window.statusBar().showMessage(
            f"{candidate.label} '{' '.join(candidate.text.split())}': {candidate.k} of {candidate.n}", 4000
        )

    def accept(self) -> None:
        candidate = self._current()
        doc = self.window.doc
        if candidate is None or doc is None:
            return
        outcome = self.window.attempt(lambda: self.window.service.accept(doc.id, [candidate]))
        if outcome is not None:
            # The accepted span is selected: the edge keys and label keys edit it at once.
            self.window.view.select_range(candidate.end, candidate.end)
            self.window.annotate.select_span(outcome.value[0].id)

    def reject(self) -> None:
        candidate = self._current()
        doc = self.window.doc
        if candidate is not None and doc is not None:
            self.window.attempt(lambda: self.window.service.reject(doc.id, candidate))

    def accept_agreed(self) -> None:
        doc = self.window.doc
        if doc is None:
            return
        options = self.options
        outcome = self.window.attempt(lambda: self.window.service.accept_agreed(doc.id, options))
        if outcome is not None:
            self.window.statusBar().showMessage(outcome.changes.description + " (Ctrl+Z takes them back)", 6000)

    def _current(self) -> Candidate | None:
        candidate = self.board.find(self.current) if self.board is not None and self.current else None
        if candidate is None:
            self.window.statusBar().showMessage("No candidate chosen: F8 goes to the next undecided one", 5000)
        return candidate

    def _when_on(self, action: Callable[[], object]) -> None:
        if self.active:
            action()
        else:
            self.window.statusBar().showMessage(OFF_MESSAGE, 5000)
