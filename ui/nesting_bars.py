"""The bars under nested spans: one per enclosing span, painted by the view over the text.

A segment inside other spans shows its innermost span's colour; each enclosing span is
a bar in a dark shade of its own label colour (see ui/highlighter.py). The bars are
found from the pieces of the lines being painted (ui/span_paint.py), so a paint touches
only those lines, however long the block: one paragraph can hold a whole 1 MB article,
and a walk over all its lines for each nested span was quadratic on every paint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from ui.span_paint import SpanPiece

__all__ = ["nesting_bars", "paint_nesting_bars"]


def nesting_bars(pieces: Iterable[SpanPiece], bar: float) -> list[tuple[QRectF, str]]:
    """(rectangle, label of the enclosing span) of each bar; ``bar`` is one bar's thickness."""
    bars: list[tuple[QRectF, str]] = []
    for piece in pieces:
        labels = piece.look.labels
        if len(labels) < 2:
            continue
        rect = piece.rect
        for level, label in enumerate(labels[:-1]):
            bars.append((QRectF(rect.x(), _bar_top(level, rect.top(), rect.bottom(), bar), rect.width(), bar), label))
    return bars


def paint_nesting_bars(
    painter: QPainter, pieces: Iterable[SpanPiece], bar: float, color_of: Callable[[str], QColor]
) -> None:
    for rect, label in nesting_bars(pieces, bar):
        painter.fillRect(rect, color_of(label))


def _bar_top(level: int, line_top: float, line_bottom: float, bar: float) -> float:
    """Where the bar of nesting ``level`` goes: outermost along the bottom of the line
    (where an underline sits), the next along its top (above capitals, where the line box
    is mostly empty), deeper ones stacked up from the bottom."""
    if level == 0:
        return line_bottom - bar
    if level == 1:
        return line_top
    return line_bottom - level * bar
