"""Label tags: each span's label name in a small chip at its start, for reading without colour.

Painted by the view over the text from the pieces of the lines being painted (ui/span_paint.py),
so a paint costs what its visible lines hold. The chip sits at the top left of the span's first
character, mostly in the gap above the line (only descenders reach there), in the
label's dark shade with black or white text, whichever reads (at least 4.5:1, WCAG AA). Where
the next tag on the line starts too soon, the name is cut to its first three letters, then to
one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter

from annotator.models import Span
from ui.colors import text_color_on
from ui.span_paint import span_pieces, visible_blocks

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["LabelTags", "fitted_name"]

TAG_GAP = 2.0
PADDING = 2.0
RAISED = 0.55  # of the chip's height above the line's top: mostly over the gap (descenders are rare)


def fitted_name(name: str, room: float, width_of: Callable[[str], float]) -> str:
    """``name``, or its first three letters, or its first letter: the longest that fits in ``room``."""
    for candidate in (name, name[:3], name[:1]):
        if width_of(candidate) + 2 * PADDING <= room:
            return candidate
    return name[:1]


class LabelTags:
    """Whether tags are shown, and their painting."""

    def __init__(self) -> None:
        self.shown = False

    def paint(self, painter: QPainter, view: AnnotationTextView, area: QRect) -> None:
        """The tags of the spans starting on the lines that meet ``area`` or lie just below it
        (a tag reaches up over the gap above its line)."""
        if not self.shown:
            return
        font = QFont(view.font())
        font.setPointSizeF(max(6.0, font.pointSizeF() * 0.52))
        metrics = QFontMetricsF(font)
        band_top, band_bottom = float(area.top()), area.bottom() + metrics.height()
        blocks = visible_blocks(view, band_top, band_bottom)
        pieces = span_pieces(view.highlighter, blocks, band_top, band_bottom)
        spans, to_qt, color_of = view.layer.spans, view.highlighter.offsets.to_qt, view.highlighter.bar_color_of
        tags: list[tuple[float, float, float, Span]] = []  # (line top, x, line height, span)
        for piece in pieces:
            for span_id in piece.span_ids:  # outermost first: its tag goes first
                span = spans.get(span_id)
                if span is not None and to_qt(span.start) == piece.start:
                    tags.append((piece.rect.top(), piece.rect.left(), piece.rect.height(), span))
        tags.sort(key=lambda tag: (tag[0], tag[1]))
        painter.save()
        painter.setFont(font)
        height = metrics.height()
        right_of_last: dict[float, float] = {}  # line top -> where its last tag ended
        for number, (top, x, _line_height, span) in enumerate(tags):
            x = max(x, right_of_last.get(top, x))
            following = tags[number + 1] if number + 1 < len(tags) else None
            room = following[1] - x - TAG_GAP if following is not None and following[0] == top else 1e9
            text = fitted_name(span.label, room, metrics.horizontalAdvance)
            width = metrics.horizontalAdvance(text) + 2 * PADDING
            box = QRectF(x, top - height * RAISED, width, height)
            background = color_of(span.label)
            painter.fillRect(box, background)
            painter.setPen(text_color_on(background))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
            right_of_last[top] = box.right() + TAG_GAP
        painter.restore()
