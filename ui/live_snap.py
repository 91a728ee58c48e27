"""Showing what a selection will label while it is made, with Snap to Words on.

A mouse drag is snapped as it moves: the selection shown is the snapped one. A keyboard
selection cannot be (the next Shift+→ must still move one character, not jump back to a
word's end), so the snapped range gets a dashed frame wherever it differs from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen, QTextCursor

from annotator.snapping import snap_selection

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["SNAPPED_FRAME", "snap_dragged_selection", "snapped_frame"]

SNAPPED_FRAME = QColor("#202020")
Frame = tuple[int, int, QPen]


def snap_dragged_selection(view: AnnotationTextView, anchor: int) -> None:
    """Replace the dragged selection by its snapped range, keeping the drag's direction.

    Snapped from where the drag began (kept unsnapped), so dragging back over a word
    the snapping took in gives it up again.
    """
    cursor = view.textCursor()
    if not cursor.hasSelection():
        return
    start, end = view.shown_selection()
    here = start if cursor.position() < cursor.anchor() else end
    start, end = snap_selection(view.document_text, min(anchor, here), max(anchor, here))
    if start >= end:
        return  # only whitespace so far: nothing to show yet
    fixed, moving = (end, start) if here < anchor else (start, end)
    snapped = QTextCursor(view.document())
    snapped.setPosition(view.qt_at_offset(fixed))
    snapped.setPosition(view.qt_at_offset(moving), QTextCursor.MoveMode.KeepAnchor)
    if (snapped.anchor(), snapped.position()) != (cursor.anchor(), cursor.position()):
        view.setTextCursor(snapped)


def snapped_frame(view: AnnotationTextView, selected: tuple[int, int] | None) -> list[Frame]:
    """A dashed frame around ``selected`` (what a label key will take) if the selection shown differs."""
    if selected is None or not view.snap_to_words or selected == view.shown_selection():
        return []
    return [(*selected, QPen(SNAPPED_FRAME, 1, Qt.PenStyle.DashLine))]
