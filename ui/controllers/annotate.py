"""Annotating: the selected span, labels, relations and undo, between the widgets and the service.

Every edit goes through the service (one transaction, undoable). Its Changes come back
through ``on_changes`` and are applied to the window's one LayerModel, which the text
view, span list and relation panel follow; this controller then only keeps the selection
and the pending relation true to what the layer now holds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtWidgets import QMenu

from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.layer_model import LayerChange
from annotator.models import Changes, Span
from annotator.shown_layer import LayerChanged
from ui.dialogs import report_error
from ui.live_updates import stale_note
from ui.wording import explain_refusal, with_article

if TYPE_CHECKING:
    from ui.main_window import MainWindow

T = TypeVar("T")
STALE_RETRIES = 5  # an edit refused as made on a stale copy is made again on the layer read again, this often
KEEPS_CHANGING = "the layer keeps changing in another window; it is shown as it is now: try again"


class AnnotateController:
    """Holds what is selected (a span, a relation, a relation waiting for its tail) and edits through the service."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.service = window.service
        self.schema = window.service.schema
        self.layer = window.layer
        self.view = window.view
        self.span_list = window.span_list
        self.attribute_editor = window.attribute_editor
        self.relation_panel = window.relation_panel
        self.selected_span: int | None = None
        self.pending_relation: tuple[str, int] | None = None  # (relation label, head span id)
        self.selected_relation: int | None = None
        self.layer.subscribe(self._on_layer_change)

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:  # another document: nothing of the last one stays selected
            self.selected_span = None
            self.pending_relation = None
            self.selected_relation = None
            self.relation_panel.set_pending(None)
            self._show_span_details(None)

    def selected(self) -> Span | None:
        """The selected span, if any."""
        return self.layer.spans.get(self.selected_span) if self.selected_span is not None else None

    # --- spans --------------------------------------------------------------------

    def apply_label(self, label: str) -> None:
        """The label's hotkey: label the selected text, or relabel the selected span."""
        if not self.layer.is_open:
            return
        selection = self.view.selected_range()
        if selection is None and self.selected_span is not None:
            span = self.selected()
            if span is not None and span.label != label:
                self.attempt(lambda: self.service.relabel_span(span.id, label))
            return
        if selection is None or selection[0] == selection[1]:
            self.window.statusBar().showMessage("Select some text first, then press a label's key", 5000)
            return
        document_id = self.layer.id
        outcome = self.attempt(lambda: self.service.add_span(document_id, selection[0], selection[1], label))
        if outcome is not None:
            # The selection is used up: the next label key relabels the new span instead.
            self.view.select_range(selection[1], selection[1])
            self.select_span(outcome.value.id)

    def delete_selected(self) -> None:
        focus = self.window.focusWidget()
        in_panel = focus is not None and (focus is self.relation_panel or self.relation_panel.isAncestorOf(focus))
        # A relation is deleted from the panel, or when it alone is selected (an arc clicked: ui/arc_options.py).
        if (in_panel or self.selected_span is None) and self.selected_relation is not None:
            self.remove_relation(self.selected_relation)
        elif self.selected_span is not None:
            span_id = self.selected_span
            self.attempt(lambda: self.service.remove_span(span_id))

    def set_attribute(self, span_id: int, name: str, value: object) -> None:
        self.attempt(lambda: self.service.set_attribute(span_id, name, value))

    def select_span(self, span_id: int | None) -> None:
        span = self.layer.spans.get(span_id) if span_id is not None else None
        self.selected_span = span.id if span is not None else None
        self.view.set_current_span(span)
        self.window.arcs.gutter.select_span(self.selected_span)
        self.span_list.select_span(self.selected_span)
        self._show_span_details(span)

    def _show_span_details(self, span: Span | None) -> None:
        self.attribute_editor.show_span(span, self.schema)
        if self.pending_relation is None:
            self.relation_panel.set_head_span(span)

    def span_clicked(self, span_id: int) -> None:
        """A click in the text: on a span (its id) or beside any (-1); picks the tail of a pending relation."""
        if self.pending_relation is not None and span_id >= 0:
            self.select_span(span_id)
            self.confirm_tail()
            return
        self.select_span(span_id if span_id >= 0 else None)

    def span_listed(self, span_id: int) -> None:
        """A row chosen in the span list (arrows move through it): select, never confirm a tail."""
        self.select_span(span_id)
        span = self.layer.spans.get(span_id)
        if span is not None:
            self.view.select_range(span.start, span.start)  # scroll the text to it

    def text_selected(self, start: int, end: int) -> None:
        if start != end and self.selected_span is not None and self.pending_relation is None:
            self.select_span(None)

    def cycle_span(self, step: int) -> None:
        if not self.layer.spans:
            return
        ordered = self.layer.ordered_spans()
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
            self.window.statusBar().showMessage("Relation cancelled", 3000)
        self.select_span(None)
        self.select_relation(None)
        self.relation_panel.select_relation(None)
        if self.layer.is_open:
            cursor = self.view.textCursor()
            cursor.clearSelection()
            self.view.setTextCursor(cursor)

    # --- relations ----------------------------------------------------------------

    def start_relation(self, label: str) -> None:
        span = self.selected()
        spec = self.schema.relation(label)
        if span is None or spec is None or span.label not in spec.head:
            heads = "/".join(spec.head) if spec else "?"
            self.window.statusBar().showMessage(f"{label}: first select {with_article(heads)} span as its head", 6000)
            return
        self.pending_relation = (label, span.id)
        self.relation_panel.set_pending(label)
        self.window.statusBar().showMessage(
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
        self.window.statusBar().clearMessage()
        outcome = self.attempt(lambda: self.service.add_relation(label, head, tail))
        if outcome is not None:
            self.select_relation(outcome.value.id)

    def select_relation(self, relation_id: int | None) -> None:
        relation = self.layer.relations.get(relation_id) if relation_id is not None else None
        self.selected_relation = relation.id if relation is not None else None
        self.window.arcs.gutter.select_relation(self.selected_relation)
        if relation is None:
            self.view.set_relation_overlay(None, None)
            return
        self.view.set_relation_overlay(self.layer.spans.get(relation.head), self.layer.spans.get(relation.tail))
        self.relation_panel.select_relation(relation.id)

    def remove_relation(self, relation_id: int) -> None:
        self.attempt(lambda: self.service.remove_relation(relation_id))

    # --- label all ----------------------------------------------------------------

    def label_all_selected(self) -> None:
        """Label every occurrence of the selected span's text (or of the selected text)."""
        if not self.layer.is_open:
            return
        span = self.selected()
        if span is not None:
            self.label_all(span.start, span.end, span.label)
            return
        selection = self.view.selected_range()
        if selection is None or selection[0] == selection[1]:
            self.window.statusBar().showMessage("Select a span or some text to label all its occurrences", 5000)
            return
        self.choose_label_then(lambda label: self.label_all(selection[0], selection[1], label))

    def choose_label_then(self, then: Callable[[str], None]) -> None:
        """A menu of the schema's labels at the text cursor; ``then`` gets the one chosen."""
        menu = QMenu(self.window)
        menu.setObjectName("labelChoiceMenu")
        for label in self.schema.labels:
            menu.addAction(f"{label.name}  ({label.hotkey})").triggered.connect(
                lambda _checked=False, name=label.name: then(name)
            )
        menu.popup(self.view.mapToGlobal(self.view.cursorRect().bottomRight()))

    def label_all(self, start: int, end: int, label: str) -> None:
        """Label every occurrence of text[start:end] as ``label``, as one undo step."""
        document_id = self.layer.id
        outcome = self.attempt(lambda: self.service.label_all_occurrences(document_id, start, end, label))
        if outcome is not None:
            self.window.statusBar().showMessage(outcome.changes.description, 6000)

    # --- undo, changes ------------------------------------------------------------

    def undo(self) -> None:
        if self.service.can_undo:
            self.attempt(self.service.undo)

    def redo(self) -> None:
        if self.service.can_redo:
            self.attempt(self.service.redo)

    def on_changes(self, changes: Changes) -> None:
        """Apply one committed change to the layer (its widgets follow), then to the selection."""
        window = self.window
        if changes.document_id is not None and (not self.layer.is_open or changes.document_id != self.layer.id):
            window.navigation.reload_documents()  # an undo reached into another document: go and show it
            window.navigation.open_document(changes.document_id)
        elif self.layer.is_open:
            self.layer.apply(changes)
            window.navigation.refresh_document_row()
            if self.selected_span is not None:
                self.select_span(self.selected_span if self.selected_span in self.layer.spans else None)
            if self.selected_relation is not None and self.selected_relation not in self.layer.relations:
                self.select_relation(None)
        window.status_line.show_saved()
        self.update_undo_actions()
        window.navigation.update_status()

    def update_undo_actions(self) -> None:
        """The Edit menu names the step undo and redo would take."""
        undo, redo = self.service.undo_description, self.service.redo_description
        self.window.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.window.undo_action.setEnabled(undo is not None)
        self.window.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.window.redo_action.setEnabled(redo is not None)

    def attempt(self, call: Callable[[], T]) -> T | None:
        """Run a service call; refusals go to the status bar, real failures to a dialog. An edit refused
        because another window changed the layer shown is made on the layer as it is now, read again."""
        stale = False
        try:
            for _ in range(STALE_RETRIES):  # the other window may write again between the re-read and the retry
                try:
                    return call()
                except LayerChanged:
                    stale = self.window.live.catch_up()
                    if not stale:
                        return None
            self.window.statusBar().showMessage(f"Not done: {KEEPS_CHANGING}", 8000)
        except (ValidationError, NotFoundError) as error:
            shown = explain_refusal(str(error), self.layer.text, self.layer.spans) if self.layer.is_open else str(error)
            self.window.statusBar().showMessage(f"Not done: {shown}{stale_note(error) if stale else ''}", 8000)
        except AnnotatorError as error:
            report_error(self.window, "Annotator", str(error))
        return None
