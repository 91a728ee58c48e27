"""Frames drawn around overlay spans, on top of the text (a tint alone can be missed).

The selected span's frame also gets a handle at each edge, a bar a little taller than
the line, marking the edges the keyboard moves.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPen

__all__ = ["HANDLE_WIDTH", "paint_frames"]

HANDLE_WIDTH = 3.0  # just outside the frame, over the gap to the neighbouring character
RectsOf = Callable[[int, int], list[QRectF]]  # code points -> visible line rectangles


def paint_frames(
    painter: QPainter, frames: Iterable[tuple[int, int, QPen]], rects_of: RectsOf, *, handles: bool
) -> None:
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for start, end, pen in frames:
        painter.setPen(pen)
        rects = rects_of(start, end)
        for rect in rects:
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        if not handles or not rects:
            continue
        # Only where the span's first or last character is on screen, not at a line cut by the viewport.
        bars = []
        if rects_of(start, start + 1):
            bars.append((rects[0].left() - HANDLE_WIDTH + 1, rects[0]))
        if rects_of(end - 1, end):
            bars.append((rects[-1].right() - 1, rects[-1]))
        for x, rect in bars:
            painter.fillRect(QRectF(x, rect.top() - 2, HANDLE_WIDTH, rect.height() + 4), pen.color())
