"""Suggestions in the window: reading the open document's, walking, accepting and rejecting them,
and running the project's sources on it.

The open document's suggestions are read in two steps, as its spans are (ui/suggestion_reading.py):
its first screen's with its text, the rest after its first paint, into the view's ShownSuggestions
(ui/suggestion_model.py), which then follows the layer's edits and the suggestion commands'
decisions without reading again. Tab / Shift+Tab walk the undecided ones (a click selects one),
Enter accepts the selected one (or the one under the text cursor) and walks on, Delete rejects
it; Ctrl+Shift+A accepts every one of its label, Ctrl+Shift+T every one scored at least a
threshold (asked, the last one remembered): each one edit, one undo step.

Suggestions apply to the layer being edited: the own one, or gold in review mode. With
`suggestions: on_open: true` in project.yaml, a document opened with no stored suggestions has the
sources run on it; Ctrl+Shift+S runs them on the open document now. Sources are built once per
window (a model loads once) and run on a worker thread; what they propose is stored in one short
write and shown if the document is still open. A source that cannot start or raises is named once
(status bar and one dialog) and left out from then on; the window goes on without it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QWidget

from annotator.commands.layer_copy import skipped_text
from annotator.commands.suggestions import Proposed, SuggestionChanges
from annotator.layer_model import LayerChange
from annotator.models import Changes
from annotator.short_text import one_line
from annotator.suggest.base import DocumentInput, Proposals, SourceContext, SuggestedRelation
from annotator.suggest.registry import Sources, propose_by_source
from annotator.suggest.store import StoredSuggestion
from ui.menus import Toggle
from ui.suggestion_failures import SourceFailures
from ui.suggestion_model import Interval, key_of
from ui.suggestion_reading import SuggestionReading
from ui.suggestion_relations import SuggestedRelationList, undecided_relations

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["SuggestionControl", "ask_threshold"]

WALK_KEYS = ("next_suggestion", "previous_suggestion")  # Tab moves focus anywhere but in the text


def ask_threshold(parent: QWidget, last: float) -> float | None:
    """The score above which to accept (None: cancelled), the last one offered."""
    score, ok = QInputDialog.getDouble(
        parent, "Accept suggestions above a score", "Accept every undecided suggestion scored at least:", last, 0, 1, 2
    )
    return score if ok else None


class _Finished(QObject):
    """Carries a run's result from the worker thread to the window's (a queued signal)."""

    done = Signal(object)


class SuggestionControl:
    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._view = window.view
        self._overlay = window.view.suggestions
        self._model = self._overlay.suggestions
        self._overlay.visible = window.settings.suggestions_shown
        self._overlay.selectable = lambda: window.annotate.selected_span is None
        self._reading = SuggestionReading(window, self._model, self._shown)
        self._sources: Sources | None = None  # built on the first run, kept for the window's life
        self.failures = SourceFailures(window)  # named in the status bar, never a dialog of its own
        self._ran: set[int] = set()  # documents the sources ran on in this window
        self.running: int | None = None  # the document the sources run on now
        self._finished = _Finished(window)
        self._finished.done.connect(self._store)
        window.layer.subscribe(self._on_layer_change)
        window.first_paint.painted.connect(self._after_first_paint)
        window.bridge.changed.connect(self._on_changes)
        self._overlay.clicked.connect(self.select)
        window.view.span_clicked.connect(self._span_clicked)  # after the annotate controller's
        self._rejected_relations: set[SuggestedRelation] = set()  # since the read (it leaves out older ones)
        self.relation_list = SuggestedRelationList()
        self.relation_list.accept_requested.connect(self.accept_relation)
        self.relation_list.reject_requested.connect(self.reject_relation)
        layout = window.relation_panel.layout()  # under the panel's own rows and buttons
        if layout is not None:
            layout.addWidget(self.relation_list)

    def commands(self) -> dict[str, Callable[[], object] | Toggle]:
        """The Suggestions menu's handlers, and Enter, Delete and Esc, which act on a selected suggestion first."""
        annotate, other_layers = self._window.annotate, self._window.other_layers
        return {
            "next_suggestion": lambda: self.walk(1),
            "previous_suggestion": lambda: self.walk(-1),
            "accept_suggestion": self.accept_current,
            "reject_suggestion": self.reject_current,
            "accept_label": self.accept_label,
            "accept_above": self.accept_above,
            "suggest_now": self.suggest_now,
            "show_suggestions": Toggle(self._overlay.visible, self.set_visible),
            "confirm": lambda: annotate.confirm_tail() if annotate.pending_relation else self.accept_current(),
            "delete": lambda: self.reject_current() if self.current() is not None else annotate.delete_selected(),
            "escape": lambda: self.escape(other_layers.clear_selection),
        }

    def escape(self, then: Callable[[], object]) -> None:
        """Esc: no suggestion selected, then whatever Esc did before."""
        self.select(None)
        then()

    def bind_keys(self, actions: Mapping[str, QAction]) -> None:
        """Tab and Shift+Tab walk suggestions only while the text has the focus (elsewhere they move it)."""
        for name in WALK_KEYS:
            actions[name].setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
            self._view.addAction(actions[name])

    # --- the open document's suggestions -------------------------------------------

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:  # another document, or another layer of it (review mode)
            self._overlay.selected = None
            if self._view.isVisible():
                self._reading.first_screen()  # the rest after the first paint
            else:
                self.reload()  # no paint is coming to wait for
        elif self._reading.loaded:
            self._repaint(self._model.apply_layer(change))
            if change.relations_touched or change.spans_touched:
                self._list_relations()

    def _after_first_paint(self) -> None:
        if not self._reading.loaded:
            self.reload()
        else:
            self._reading.read_rest_between_events()

    def finish_reading(self) -> None:
        """Read the suggestions the first screen's part left, if they have not all come yet."""
        doc = self._window.doc
        if self._reading.rest() and doc is not None:
            self._shown(doc.id)

    def reload(self) -> None:
        """Read the open document's suggestions and show them; with on_open, run the sources on a
        document that has none stored yet."""
        doc = self._window.doc
        read = self._reading.whole()
        if doc is not None:
            self._shown(doc.id, run=read)  # not after a failed read: it would not know what is stored

    def _shown(self, document_id: int, *, run: bool = True) -> None:
        self._view.viewport().update()
        self._list_relations()
        if run:
            self._run_on_open(document_id)

    def _run_on_open(self, document_id: int) -> None:
        """With on_open, run the sources on a document that has no suggestion stored yet."""
        if self._model.stores_any() or document_id in self._ran:
            return
        if self._window.service.project.config.suggestions.on_open:
            self.run(document_id, quietly=True)

    def _on_changes(self, changes: Changes) -> None:
        doc = self._window.doc
        if doc is None or changes.document_id != doc.id or not self._reading.loaded:
            return
        if isinstance(changes, SuggestionChanges):
            self._repaint(self._model.apply_decisions(changes.rejected, changes.unrejected))
            if changes.relations_rejected or changes.relations_unrejected:
                self._rejected_relations.update(changes.relations_rejected)
                self._rejected_relations.difference_update(changes.relations_unrejected)
                returned = [r for r in changes.relations_unrejected if r not in self._model.relations]
                self._model.relations += tuple(returned)  # rejected before this read: the read left it out
                self._list_relations()
        elif self._window.review.active and changes.annotator == self._window.service.annotator:
            self.reload()  # a reviewer's accept or reject of a candidate may decide a suggestion too

    def _list_relations(self) -> None:
        layer = self._window.layer
        relations = self._model.relations if layer.is_open else ()
        self.relation_list.show_relations(undecided_relations(relations, layer, self._rejected_relations), layer.text)

    def accept_relation(self, relation: SuggestedRelation) -> None:
        """A suggested relation into the layer, with those of its ends that are not spans of it yet."""
        self.finish_reading()
        window, doc = self._window, self._window.doc
        if doc is None:
            return
        in_layer = {(s.start, s.end, s.label) for s in window.layer.spans.values()}
        ends = []
        for end in dict.fromkeys((relation.head, relation.tail)):
            if end not in in_layer:
                suggested = self._model.get(end)
                ends.append(Proposed(*end, suggested.attributes if suggested is not None else {}))
        outcome = window.attempt(lambda: window.service.accept_suggestions(doc.id, ends, [relation]))
        if outcome is not None:
            skipped = skipped_text(outcome.value.skipped)
            self._say(f"Accepted {relation.label}" + (f"; skipped {skipped}" if skipped else ""))

    def reject_relation(self, relation: SuggestedRelation) -> None:
        window, doc = self._window, self._window.doc
        if doc is None:
            return
        if window.attempt(lambda: window.service.reject_suggested_relation(doc.id, relation)) is not None:
            self._say(f"Rejected the suggested {relation.label}: it stays rejected when the sources run again")

    def _repaint(self, ranges: list[tuple[int, int]]) -> None:
        if ranges:
            self._view.viewport().update()

    # --- selecting --------------------------------------------------------------------

    def current(self) -> StoredSuggestion | None:
        """The selected suggestion, unless a span of the layer was selected since."""
        if self._window.annotate.selected_span is not None:
            return None
        return self._model.get(self._overlay.selected)

    def _at_cursor(self) -> StoredSuggestion | None:
        here = self._model.at(self._view.offset_at_qt(self._view.textCursor().position()))
        return here[-1] if here and self._overlay.visible else None

    def select(self, key: Interval | None) -> None:
        suggestion = self._model.get(key)
        self._overlay.selected = key_of(suggestion) if suggestion is not None else None
        self._view.viewport().update()
        if suggestion is None:
            return
        self._window.annotate.select_span(None)
        self._window.other_layers.select(None)
        self._view.select_range(suggestion.start, suggestion.start)  # scrolled into view, nothing selected
        text = one_line(self._window.layer.text[suggestion.start : suggestion.end], 40)
        self._say(
            f"Suggested {suggestion.label} '{text}' by {', '.join(suggestion.sources)}, score {suggestion.score:.2f}: "
            "Enter accepts, Delete rejects, Tab goes on"
        )

    def _span_clicked(self, span_id: int) -> None:
        span = self._window.layer.spans.get(span_id)
        self._overlay.selected = None
        self._overlay.click_chosen(span.end - span.start if span is not None else None)

    def walk(self, step: int) -> None:
        self.finish_reading()
        if not self._overlay.visible:
            self._say("Suggestions are hidden: Ctrl+Alt+S shows them")
            return
        current = self.current()
        at = self._view.offset_at_qt(self._view.textCursor().position())
        found = self._model.step(key_of(current) if current is not None else None, at, step)
        if found is None:
            self._say("No suggestion left to decide in this document (Ctrl+Shift+S asks the sources)")
            return
        self.select(key_of(found))

    # --- deciding ---------------------------------------------------------------------

    def accept_current(self) -> None:
        """Enter: accept the selected suggestion (or the one under the text cursor), then select the next."""
        self.finish_reading()
        suggestion = self.current() or self._at_cursor()
        if suggestion is None:
            self._say("No suggestion selected: Tab goes to the next one")
            return
        if self._accept([suggestion]) is not None:
            following = self._model.step(key_of(suggestion), suggestion.start, 1)
            self.select(key_of(following) if following is not None else None)

    def reject_current(self) -> None:
        self.finish_reading()
        suggestion = self.current() or self._at_cursor()
        doc = self._window.doc
        if suggestion is None or doc is None:
            self._say("No suggestion selected: Tab goes to the next one")
            return
        proposed = Proposed(suggestion.start, suggestion.end, suggestion.label, suggestion.attributes)
        if self._window.attempt(lambda: self._window.service.reject_suggestion(doc.id, proposed)) is not None:
            following = self._model.step(key_of(suggestion), suggestion.start, 1)
            self.select(key_of(following) if following is not None else None)

    def accept_label(self) -> None:
        """Ctrl+Shift+A: every undecided suggestion of the selected one's label (or the one under the cursor)."""
        self.finish_reading()
        suggestion = self.current() or self._at_cursor()
        if suggestion is None:
            self._say("Select a suggestion (Tab) to accept every one of its label")
            return
        self._accept([s for s in self._model.shown() if s.label == suggestion.label])

    def accept_above(self) -> None:
        """Ctrl+Shift+T: every undecided suggestion scored at least a threshold (asked; the last one offered)."""
        if not self._overlay.visible:  # never accept what the annotator cannot see
            self._say("Suggestions are hidden: Ctrl+Alt+S shows them")
            return
        self.finish_reading()
        if not len(self._model):
            self._say("No suggestion left to decide in this document")
            return
        settings = self._window.settings
        threshold = ask_threshold(self._window, settings.suggestion_threshold)
        if threshold is None:
            return
        settings.suggestion_threshold = threshold
        wanted = [s for s in self._model.shown() if s.score >= threshold]
        if not wanted:
            self._say(f"No suggestion is scored {threshold:.2f} or more")
            return
        self._accept(wanted, f" scored {threshold:.2f} or more")

    def _accept(self, suggestions: Sequence[StoredSuggestion], qualifier: str = "") -> Any:
        window, doc = self._window, self._window.doc
        if doc is None or not suggestions:
            return None
        proposed = [Proposed(s.start, s.end, s.label, s.attributes) for s in suggestions]
        outcome = window.attempt(lambda: window.service.accept_suggestions(doc.id, proposed, qualifier=qualifier))
        if outcome is not None:
            skipped = skipped_text(outcome.value.skipped)
            message = outcome.changes.description[:1].upper() + outcome.changes.description[1:]
            self._say(message + (f"; skipped {skipped}" if skipped else "") + " (Ctrl+Z takes it back)")
        return outcome

    def set_visible(self, on: bool) -> None:
        """Ctrl+Alt+S: show or hide suggestions (remembered)."""
        self._overlay.visible = on
        self._window.settings.suggestions_shown = on
        if not on:
            self._overlay.selected = None
        self._view.viewport().update()
        self._say("Suggestions shown" if on else "Suggestions hidden: Ctrl+Alt+S shows them again")

    # --- running the sources --------------------------------------------------------

    def suggest_now(self) -> None:
        """Ctrl+Shift+S: run the project's sources on the open document, in place of their earlier proposals."""
        doc = self._window.doc
        if doc is not None:
            self.run(doc.id, quietly=False)

    def run(self, document_id: int, *, quietly: bool) -> None:
        """Run the sources on a worker thread; their proposals are stored and shown when they come."""
        window = self._window
        names = window.service.project.config.suggestions.sources
        if not names:
            if not quietly:
                self._say("No suggestion sources in project.yaml: add suggestions: {sources: [patterns, memory]}")
            return
        if self.running is not None:
            self._say("The suggestion sources are still running on a document; try again when they are done")
            return
        doc = window.layer.view()
        batch = [DocumentInput(doc.id, doc.external_id, doc.text, doc.meta)]
        context, sources = window.service.suggestion_context(), self._sources
        self.running = document_id
        self._say("Asking the suggestion sources…")
        worker = threading.Thread(target=self._work, args=(names, context, sources, batch), daemon=True)
        worker.start()

    def _work(
        self, names: Sequence[str], context: SourceContext, sources: Sources | None, batch: list[DocumentInput]
    ) -> None:
        """On the worker thread: build the sources (the first time), then each one's proposals."""
        sources, by_source = propose_by_source(names, context, sources, batch)
        try:
            self._finished.done.emit((batch[0].id, sources, by_source))
        except RuntimeError:  # the window closed while the sources ran: nobody is left to show them to
            return

    def _store(self, result: tuple[int, Sources, dict[str, list[Proposals]]]) -> None:
        """Back on the window's thread: name new failures, store the proposals, show them."""
        document_id, sources, by_source = result
        self.running = None
        self._sources = sources
        window = self._window
        new = self.failures.add([str(error) for error in sources.failures])
        if not window.isVisible() and window.doc is None:
            return  # closed meanwhile
        stored = window.attempt(lambda: window.service.store_proposals(by_source)) if by_source else 0
        self._ran.add(document_id)
        doc = window.doc
        if doc is not None and (doc.id == document_id or (self._reading.loaded and doc.id not in self._ran)):
            self.reload()  # another document opened meanwhile: its on_open run was refused, it starts now
        if new:
            self._say(f"{new[0]} (the others go on)")
        elif stored is not None:
            names = ", ".join(by_source) or "no source"
            self._say(f"{stored} suggestions from {names}; {len(self._model)} left to decide here")

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, 8000)
