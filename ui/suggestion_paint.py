"""Suggestions drawn in the text view, their tooltip, and clicks on them.

A suggestion must never pass for a span. The own layer's spans are filled with their label's
colour (nesting shown by solid bars), another layer's read-only spans are hatched and framed
with dashes (ui/layer_paint.py). A suggestion is neither filled nor framed: it gets a faint wash
of its label's colour (the text and any span under it stay readable), a dotted underline in the
label's dark shade and a small "?" after its last character: "proposed, not yet yours". The
selected suggestion gets a stronger wash and a dotted frame all round, so Tab's walk is easy to
follow and still reads as a question, not as the solid frame of a selected span.

Drawn over the text, on the painted band's visible lines only (as ui/span_paint.py does for
spans): a paint costs the suggestions on screen, however long the document or its paragraph.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPen, QTextLine
from PySide6.QtWidgets import QToolTip

from annotator.short_text import one_line
from annotator.suggest.store import StoredSuggestion
from ui.colors import line_color, text_color_on
from ui.span_paint import line_rect, lines_in_band, visible_blocks
from ui.suggestion_model import Interval, ShownSuggestions, key_of

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["SuggestionOverlay", "suggestion_tooltip_rows"]

WASH_ALPHA = 70  # of 255: a hint of the label's hue, lighter than any span's fill
SELECTED_WASH_ALPHA = 150
UNDERLINE_WIDTH = 2.0
MARK = "?"

ColorOf = Callable[[str], QColor]


class SuggestionOverlay(QObject):
    """The suggestions of a view's document (a ShownSuggestions), drawn by ``paint``.

    ``clicked`` says which suggestion a click chose (the innermost under it), once the view has
    handled the click; ``selected`` is the suggestion walked to or clicked (None: none)."""

    clicked = Signal(object)  # Interval

    def __init__(self, view: AnnotationTextView, color_of: ColorOf) -> None:
        super().__init__(view)
        self._view = view
        self.suggestions = ShownSuggestions()
        self._color_of = color_of
        self.visible = True
        self.selected: Interval | None = None
        self.selectable: Callable[[], bool] = lambda: True  # False while a span of the layer is selected
        self._press: QPoint | None = None
        view.viewport().installEventFilter(self)

    # --- painting -------------------------------------------------------------------

    def paint(self, painter: QPainter, band: QRect, to_qt: Callable[[int], int], from_qt: Callable[[int], int]) -> None:
        """Wash, underline and mark each suggestion on the lines meeting ``band``."""
        if not self.visible or not len(self.suggestions):
            return
        rows: list[tuple[int, QTextLine, int, QPointF]] = []  # (Qt start, line, block start, origin)
        for block, origin in visible_blocks(self._view, band.top(), band.bottom()):
            for line in lines_in_band(block, band.top() - origin.y(), band.bottom() - origin.y()):
                rows.append((block.position() + line.textStart(), line, block.position(), origin))
        if not rows:
            return
        starts = [row[0] for row in rows]
        last = rows[-1]
        shown = self.suggestions.between(from_qt(starts[0]), from_qt(last[0] + last[1].textLength()) + 1)
        if not shown:
            return
        painter.save()
        mark_font = QFont(self._view.font())
        mark_font.setPointSizeF(max(self._view.font().pointSizeF() * 0.62, 6.0))
        mark_font.setBold(True)
        selected = self.selected if self.selectable() else None
        for suggestion in shown:
            rects = _rects(rows, starts, to_qt(suggestion.start), to_qt(suggestion.end))
            if rects:
                self._paint_one(painter, suggestion, rects, mark_font, key_of(suggestion) == selected)
        painter.restore()

    def _paint_one(
        self, painter: QPainter, suggestion: StoredSuggestion, rects: list[QRectF], font: QFont, selected: bool
    ) -> None:
        color = self._color_of(suggestion.label)
        dark = line_color(color)
        wash = QColor(color)
        wash.setAlpha(SELECTED_WASH_ALPHA if selected else WASH_ALPHA)
        dotted = QPen(dark, UNDERLINE_WIDTH, Qt.PenStyle.DotLine, Qt.PenCapStyle.FlatCap)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect in rects:
            painter.fillRect(rect, wash)
            painter.setPen(dotted)
            y = rect.bottom() - UNDERLINE_WIDTH / 2
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            if selected:
                painter.drawRect(rect.adjusted(1, 1, -1, -1))
        end = rects[-1]
        painter.setFont(font)
        painter.setPen(dark)
        painter.drawText(QPointF(end.right() + 0.5, end.top() + painter.fontMetrics().ascent()), MARK)

    # --- tooltip and clicks -----------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and isinstance(event, QMouseEvent):
            self._press = event.position().toPoint() if event.button() == Qt.MouseButton.LeftButton else None
        elif kind == QEvent.Type.ToolTip and isinstance(event, QHelpEvent) and self.visible:
            offset = self._view.offset_at_point(event.pos())
            here = self.suggestions.at(offset) if offset is not None else []
            if here and offset is not None:
                QToolTip.showText(event.globalPos(), self.tooltip(offset, here), self._view.viewport())
                return True
        return False

    def tooltip(self, offset: int, here: list[StoredSuggestion]) -> str:
        """The view's tooltip at ``offset`` with the suggestions there added."""
        own = self._view.tooltip_at(offset)
        rows = "".join(suggestion_tooltip_rows(here, self._view.document_text, self._color_of))
        body = own[len("<qt>") : -len("</qt>")] if own.startswith("<qt>") else own
        return f"<qt>{body}{rows}</qt>"

    def click_chosen(self, own_span_length: int | None) -> None:
        """After the view handled a click (``own_span_length``: that of the innermost own span
        clicked, None for none): the innermost suggestion there, if it lies inside that span."""
        press, self._press = self._press, None
        if press is None or not self.visible:
            return
        offset = self._view.offset_at_point(press)
        here = self.suggestions.at(offset) if offset is not None else []
        if here and (own_span_length is None or here[-1].end - here[-1].start < own_span_length):
            self.clicked.emit(key_of(here[-1]))


def suggestion_tooltip_rows(suggestions: list[StoredSuggestion], text: str, color_of: ColorOf) -> list[str]:
    """One paragraph per suggestion: a dotted chip with its label, its text, who proposed it how
    surely, its attributes; above them, the keys that decide them."""
    rows = ["<p><i>Suggested (Enter accepts, Delete rejects):</i></p>"]
    for s in suggestions:
        color = color_of(s.label)
        chip = (
            f'<span style="background-color:{color.name()}; color:{text_color_on(color).name()}; '
            f'border: 1px dotted {line_color(color).name()}">&nbsp;{escape(s.label)}?&nbsp;</span>'
        )
        row = f"<p>{chip} “{escape(one_line(text[s.start : s.end], 80, keep_end=True))}”"
        row += f"<br>by <b>{escape(', '.join(s.sources))}</b>, score <b>{s.score:.2f}</b>"
        if s.attributes:
            values = ", ".join(f"{escape(str(k))}: <b>{escape(str(v))}</b>" for k, v in s.attributes.items())
            row += f"<br>{values}"
        rows.append(row + "</p>")
    return rows


def _rects(rows: list[tuple[int, QTextLine, int, QPointF]], starts: list[int], start: int, end: int) -> list[QRectF]:
    """The rectangles of Qt positions [start, end) on the band's lines, one per line."""
    rects = []
    for number in range(max(bisect_right(starts, start) - 1, 0), len(rows)):
        line_start, line, block_start, origin = rows[number]
        if line_start >= end:
            break
        first, last = max(start, line_start), min(end, line_start + line.textLength())
        if first < last:
            rects.append(line_rect(line, origin, first - block_start, last - block_start))
    return rects
