"""Reading the open document's suggestions into the view's ShownSuggestions: whole, or in two steps.

Opening a long document, the person waits for its first screen. Its suggestions are read as its
spans are (annotator/layer_read.py): those that start before a first screen's end with the text,
before its first paint (a few hundred rows at most, so that paint draws them), and the rest with
the suggested relations once that screen is painted (ui/suggestion_control.py). Whatever needs
them all (Tab's walk, accepting all of a label) calls ``rest`` first: it reads them at once if
they have not come yet, and costs nothing once they have.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ui.controllers.navigation import FIRST_SCREEN_SPANS
from ui.suggestion_model import ShownSuggestions

if TYPE_CHECKING:
    from ui.main_window import MainWindow

__all__ = ["SuggestionReading"]


class SuggestionReading:
    def __init__(self, window: MainWindow, model: ShownSuggestions) -> None:
        self._window = window
        self._model = model
        self.loaded = False  # whether the open document's suggestions (or their first part) are read
        self._rest_from: int | None = None  # where the first part ended (None: nothing left to read)

    def first_screen(self) -> None:
        """The suggestions that start before a first screen's end (none shown if that read failed:
        ``loaded`` stays False, and the first paint's ``whole`` tries again)."""
        window, doc = self._window, self._window.doc
        self._model.load(None, ())
        self.loaded, self._rest_from = False, None
        if doc is None:
            return
        state = window.attempt(lambda: window.service.document_suggestions(doc.id, FIRST_SCREEN_SPANS))
        if state is not None:
            self._model.load(state, window.layer.spans.values())
            self.loaded, self._rest_from = True, FIRST_SCREEN_SPANS

    def rest(self) -> bool:
        """Read what the first part left, and the suggested relations; False if there was nothing to read."""
        window, doc, start_from = self._window, self._window.doc, self._rest_from
        if doc is None or start_from is None or self._model.document_id != doc.id:
            return False
        self._rest_from = None
        rest = window.attempt(lambda: window.service.rest_of_suggestions(doc.id, start_from))
        if rest is None:
            self.whole()  # the error was shown: read whole again
        else:
            self._model.add_rest(*rest, window.layer.spans.values())
        return True

    def whole(self) -> bool:
        """Read every suggestion of the open document; False if there is none open or the read failed."""
        window, doc = self._window, self._window.doc
        self.loaded, self._rest_from = True, None
        if doc is None:
            return False
        state = window.attempt(lambda: window.service.document_suggestions(doc.id))
        self._model.load(state, window.layer.spans.values())
        return state is not None
