"""Reading the open document's suggestions into the view's ShownSuggestions: whole, or in two steps.

Opening a long document, the person waits for its first screen. Its suggestions are read as its
spans are (annotator/layer_read.py): those that start before a first screen's end with the text,
before its first paint (a few hundred rows at most, so that paint draws them), and the rest once
that screen is painted, in slices of the text between events (ui/suggestion_control.py), the
suggested relations with the last. Whatever needs them all (Tab's walk, accepting all of a label)
calls ``rest`` first: it reads what is left at once, and costs nothing once all have come.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from ui.controllers.navigation import FIRST_SCREEN_SPANS
from ui.suggestion_model import ShownSuggestions

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["REST_SLICE", "SuggestionReading"]

# Code points of text whose suggestions one idle slice reads: ~2,500 suggestions of a news article
# (bench/suggestion_window.py), some 15 ms, so that a key pressed meanwhile waits no longer.
REST_SLICE = 262_144


class SuggestionReading:
    def __init__(self, window: MainWindow, model: ShownSuggestions, all_read: Callable[[int], object]) -> None:
        self._window = window
        self._model = model
        self._all_read = all_read  # told the document's id once the slices have read its last part
        self.loaded = False  # whether the open document's suggestions (or their first part) are read
        self._rest_from: int | None = None  # where the part read last ended (None: nothing left to read)
        self._slices = QTimer(window)
        self._slices.setSingleShot(True)
        self._slices.setInterval(0)
        self._slices.timeout.connect(self._read_slice)

    def first_screen(self) -> None:
        """The suggestions that start before a first screen's end (none shown if that read failed:
        ``loaded`` stays False, and the first paint's ``whole`` tries again)."""
        window, doc = self._window, self._window.doc
        self._slices.stop()  # the last document's
        self._model.load(None, ())
        self.loaded, self._rest_from = False, None
        if doc is None:
            return
        state = window.attempt(lambda: window.service.document_suggestions(doc.id, FIRST_SCREEN_SPANS))
        if state is not None:
            self._model.load(state, window.layer.spans.values())
            self.loaded, self._rest_from = True, FIRST_SCREEN_SPANS

    def read_rest_between_events(self) -> None:
        """Read what the first part left in slices, one per turn of the event loop."""
        self._slices.start()

    def _read_slice(self) -> None:
        start, doc, view = self._rest_from, self._window.doc, self._window.view
        if start is None or doc is None or not self.rest(one_slice=True):
            return
        if self._rest_from is None:
            self._all_read(doc.id)
            return
        self._slices.start()
        bottom = view.cursorForPosition(view.viewport().rect().bottomRight()).position()
        if view.offset_at_qt(bottom) >= start:
            view.viewport().update()  # the screen shows some of what came

    def rest(self, *, one_slice: bool = False) -> bool:
        """Read what the first part left (``one_slice``: the next REST_SLICE code points' only), the
        suggested relations with the last; False if there was nothing to read."""
        window, doc, start_from = self._window, self._window.doc, self._rest_from
        if doc is None or start_from is None or self._model.document_id != doc.id:
            return False
        before: int | None = start_from + REST_SLICE if one_slice else None
        if before is not None and before >= len(doc.text):
            before = None
        self._rest_from = before
        rest = window.attempt(lambda: window.service.rest_of_suggestions(doc.id, start_from, before))
        if rest is None:
            self.whole()  # the error was shown: read whole again
        else:
            self._model.add_rest(*rest, window.layer.spans.values())
        return True

    def whole(self) -> bool:
        """Read every suggestion of the open document; False if there is none open or the read failed."""
        window, doc = self._window, self._window.doc
        self._slices.stop()
        self.loaded, self._rest_from = True, None
        if doc is None:
            return False
        state = window.attempt(lambda: window.service.document_suggestions(doc.id))
        self._model.load(state, window.layer.spans.values())
        return state is not None
