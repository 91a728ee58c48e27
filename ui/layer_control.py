"""Other layers in the window: which one is shown read-only beside the own layer, and copying its
spans into the own layer (the way pre-annotations are corrected).

The choice is a layer's name (an annotator's), kept in the settings: each document that has a
layer of that name shows it, read after the document's first paint (the own layer's screen never
waits for it). Nothing is read or drawn while no other layer is shown. A read-only span is never
edited: a click selects it for copying only, and every edit key acts on the own layer alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from annotator.commands.layer_copy import skipped_text
from annotator.layer_list import LayerSummary, LayerView
from annotator.layer_model import LayerChange
from annotator.models import Span
from annotator.short_text import one_line

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["OtherLayerControl"]


class OtherLayerControl:
    """The other layer shown (if any) in the window's text view, the chooser, and the copy keys."""

    def __init__(self, window: MainWindow) -> None:
        self._window = window
        self._view = window.view
        self._read_only = window.view.read_only
        self._chooser = window.layer_chooser
        self.wanted: str | None = window.settings.other_layer  # shown on every document that has it
        self.shown: LayerView | None = None  # the open document's layer of that name, as read
        self._listed = False  # whether the chooser lists the open document's layers
        window.layer.subscribe(self._on_layer_change)
        window.first_paint.painted.connect(self._after_first_paint)
        self._chooser.chosen.connect(self.show_layer)
        self._read_only.clicked.connect(self.select)
        self._view.span_clicked.connect(lambda _span_id: self.select(None))  # a click elsewhere drops it

    @property
    def listed(self) -> bool:
        """Whether the chooser lists the open document's layers (it does once the document is painted)."""
        return self._listed

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the window commands (ui/shortcuts.py)."""
        return {"next_layer": self.show_next, "copy_span": self.copy_span, "copy_layer": self.copy_layer}

    # --- which layer is shown -------------------------------------------------------

    def show_layer(self, name: str | None) -> None:
        """Show annotator ``name``'s layer read-only (None: none), on this and the next documents."""
        self.wanted = name
        self._window.settings.other_layer = name
        self.refresh()
        if name is not None and self.shown is None and self._window.doc is not None:
            self._say(f"This document has no layer of {name}; it will be shown on the documents that have one")

    def show_next(self) -> None:
        """Ctrl+Shift+L: none, then each other layer of the document in turn, then none again."""
        doc = self._window.doc
        if doc is None:
            return
        layers = self._window.attempt(lambda: self._window.service.layers(doc.id))
        if not layers:
            self._say("This document has no other layer to show")
            return
        order: list[str | None] = [None, *(layer.annotator for layer in layers)]
        current = self.shown.annotator if self.shown is not None else None
        following = order[(order.index(current) + 1) % len(order)] if current in order else order[1]
        self.show_layer(following)
        if self.shown is None:
            self._say("No other layer shown")
        else:
            count = len(self.shown.spans)
            self._say(f"Showing {self.shown.annotator}'s layer read-only ({count} spans): Ctrl+Alt+C copies them")

    def refresh(self, layers: list[LayerSummary] | None = None) -> None:
        """List the open document's other layers and show the wanted one, if it has it."""
        window = self._window
        doc = window.doc
        self._listed = True
        if doc is None:
            self._chooser.set_layers([], None)
            return
        if layers is None:
            layers = window.attempt(lambda: window.service.layers(doc.id)) or []
        name = self.wanted if self.wanted in {layer.annotator for layer in layers} else None
        shown = None if name is None else window.attempt(lambda: window.service.other_layer(doc.id, name))
        self.shown = shown
        self._read_only.show(shown, doc.text, self._view.highlighter.offsets)
        self._chooser.set_layers(layers, shown.annotator if shown is not None else None)
        self._view.viewport().update()

    def _on_layer_change(self, change: LayerChange) -> None:
        if change.reset:  # another document: the view has dropped the last one's other layer
            self.shown = None
            self._listed = False
            if not self._view.isVisible():
                self.refresh()  # no paint is coming to wait for

    def _after_first_paint(self) -> None:
        if not self._listed:
            self.refresh()

    # --- selecting and copying --------------------------------------------------------

    def select(self, span_id: int | None) -> None:
        """Select a read-only span for copying (None: none); it stays the other layer's, unedited."""
        span = self._read_only.span(span_id) if span_id is not None else None
        if span is None and self._read_only.selected is None:
            return
        self._read_only.selected = span.id if span is not None else None
        self._view.viewport().update()
        if span is not None and self.shown is not None:
            self._say(
                f"{self.shown.annotator}'s {span.label} '{one_line(span.text, 40)}' is read-only: "
                "Ctrl+Shift+C copies it into your layer"
            )

    def clear_selection(self) -> None:
        """Esc: no read-only span selected, then the own selection cleared as ever."""
        self.select(None)
        self._window.annotate.clear_selection()

    def copy_span(self) -> None:
        """Ctrl+Shift+C: copy the selected read-only span, or the one under the text cursor, into the own layer."""
        shown, span = self.shown, self._span_to_copy()
        if shown is None:
            self._say("No other layer is shown: Ctrl+Shift+L shows one")
            return
        if not self._still_as_shown(shown):
            return
        if span is None:
            self._say(f"No span of {shown.annotator} under the cursor: click one, or put the cursor in it")
            return
        window = self._window
        outcome = window.attempt(lambda: window.service.copy_spans(shown, [span.id]))
        if outcome is None:
            return
        self.select(None)
        window.annotate.select_span(outcome.value.spans[0].id)  # to be relabelled or resized at once
        self._say(f"Copied {span.label} '{one_line(span.text, 40)}' from {shown.annotator}")

    def copy_layer(self) -> None:
        """Ctrl+Alt+C: copy every span of the shown layer (and the relations between them), one undo step."""
        shown = self.shown
        if shown is None:
            self._say("No other layer is shown: Ctrl+Shift+L shows one")
            return
        if not self._still_as_shown(shown):
            return
        window = self._window
        outcome = window.attempt(lambda: window.service.copy_spans(shown))
        if outcome is None:
            return
        copied = outcome.value
        relations = f" and {len(copied.relations)} relations" if copied.relations else ""
        skipped = skipped_text(copied.skipped)
        message = f"Copied {len(copied.spans)} spans{relations} from {shown.annotator}"
        self._say(message + (f"; skipped {skipped}" if skipped else ""))

    def _still_as_shown(self, shown: LayerView) -> bool:
        """Whether the layer is stored as it is shown. A copy takes what the screen shows, so when
        another process replaced or removed the layer since (an import, an undo-import), nothing is
        copied: the layer is shown again as it is now, and the user copies again knowingly."""
        window = self._window
        stored = window.attempt(lambda: window.service.other_layer(shown.document_id, shown.annotator))
        if stored is not None and (stored.spans, stored.relations) == (shown.spans, shown.relations):
            return True
        self.refresh()
        now = "is shown as it is now" if self.shown is not None else "is gone"
        self._say(f"Nothing copied: {shown.annotator}'s layer changed since it was shown, and {now}")
        return False

    def _span_to_copy(self) -> Span | None:
        selected = self._read_only.selected
        if selected is not None:
            return self._read_only.span(selected)
        at = self._view.offset_at_qt(self._view.textCursor().position())
        spans = self._read_only.spans_at(at)
        return spans[-1] if spans else None

    def _say(self, message: str) -> None:
        self._window.statusBar().showMessage(message, 8000)
