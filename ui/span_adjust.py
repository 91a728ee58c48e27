"""Moving the selected span's edges from the keyboard, one undoable resize per key press.

Steps go by a word with Snap to Words on and by a character with it off, the same
granularity the mouse selection has; the stepping rules live in annotator.span_edges.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from annotator.span_edges import Edge, move_edge
from ui.wording import quoted

if TYPE_CHECKING:
    from ui.main_window import MainWindow

# shortcut name -> (edge, direction)
EDGE_KEYS: dict[str, tuple[Edge, int]] = {
    "end_right": ("end", 1),
    "end_left": ("end", -1),
    "start_left": ("start", -1),
    "start_right": ("start", 1),
}


class SpanAdjuster:
    """Runs the four edge commands on a window's selected span."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window

    def commands(self) -> dict[str, Callable[[], object]]:
        """Handlers of the edge commands of the Annotate menu (ui/shortcuts.py)."""
        return {name: partial(self.step, edge, direction) for name, (edge, direction) in EDGE_KEYS.items()}

    def step(self, edge: Edge, direction: int) -> None:
        window = self.window
        span = window.annotate.selected()
        if span is None:
            window.statusBar().showMessage("Select a span first (click it, or Alt+→), then move its edges", 5000)
            return
        by_word = window.view.snap_to_words
        moved = move_edge(window.layer.text, span.start, span.end, edge, direction, by_word)
        if moved is None:
            what = "grow" if (edge == "end") == (direction > 0) else "shrink"
            message = f"{span.label} {quoted(span.text)} cannot {what} further at its {edge}"
            window.statusBar().showMessage(message, 5000)
            return
        window.annotate.attempt(lambda: window.service.resize_span(span.id, *moved))
