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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from html import escape
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QEvent, QObject, QPoint, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPixmap,
    QTextLine,
)
from PySide6.QtWidgets import QToolTip

from annotator.short_text import one_line
from annotator.suggest.store import StoredSuggestion
from annotator.text import OffsetMap
from ui.colors import line_color, text_color_on
from ui.span_paint import line_rect, lines_in_band, visible_blocks
from ui.suggestion_model import Interval, ShownSuggestions, key_of

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["SuggestionOverlay", "suggestion_tooltip_rows"]

WASH_ALPHA = 70  # of 255: a hint of the label's hue, lighter than any span's fill
SELECTED_WASH_ALPHA = 150
DOT = 2  # the underline's dots: DOT pixels square, DOT apart
MARK = "?"
MARK_SCALE = 0.62  # of the text's point size

ColorOf = Callable[[str], QColor]


class SuggestionOverlay(QObject):
    """The suggestions of a view's document (a ShownSuggestions), drawn by ``paint``.

    ``clicked`` says which suggestion a click chose (the innermost under it), once the view has
    handled the click; ``selected`` is the suggestion walked to or clicked (None: none)."""

    clicked = Signal(object)  # Interval

    def __init__(
        self, view: AnnotationTextView, color_of: ColorOf, offsets_for: Callable[[int], tuple[OffsetMap, int]]
    ) -> None:
        super().__init__(view)
        self.offsets_for = offsets_for  # the highlighter's offset tables (see paint)
        self._view = view
        self.suggestions = ShownSuggestions()
        self._color_of = color_of
        self.visible = True
        self.selected: Interval | None = None
        self.selectable: Callable[[], bool] = lambda: True  # False while a span of the layer is selected
        self._press: QPoint | None = None
        self._looks: dict[tuple[str, float], _Look] = {}  # by label and font size
        view.viewport().installEventFilter(self)
        view.painted_over.connect(self._paint_over)  # after the view's own painting, before it ends

    # --- painting -------------------------------------------------------------------

    def _paint_over(self, painter: QPainter, band: QRect) -> None:
        self.paint(painter, band, self.offsets_for)

    def paint(self, painter: QPainter, band: QRect, offsets_for: Callable[[int], tuple[OffsetMap, int]]) -> None:
        """Wash, underline and mark each suggestion on the lines meeting ``band``; ``offsets_for``
        gives an offset table exact up to a Qt position and the code points it covers (the
        highlighter's: its first screen's while a long text's full table is not built yet)."""
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
        qt_end = last[0] + last[1].textLength()
        offsets, length = offsets_for(qt_end)
        shown = self.suggestions.between(offsets.from_qt(starts[0]), offsets.from_qt(qt_end) + 1)
        if not shown:
            return
        # An end past what the table covers lies past the band's last line: clamped, it is clipped there.
        to_qt = offsets.to_qt
        selected = self.selected if self.selectable() else None
        size = self._view.font().pointSizeF()
        for suggestion in shown:
            rects = _rects(rows, starts, to_qt(min(suggestion.start, length)), to_qt(min(suggestion.end, length)))
            if rects:
                look = self._looks.get((suggestion.label, size)) or self._make_look(suggestion.label, size)
                _paint_one(painter, look, rects, key_of(suggestion) == selected)

    def _make_look(self, label: str, size: float) -> _Look:
        """A label's wash, dotted underline (a texture: a pen of dots is Qt's slow path, ~1 ms a
        suggestion) and its "?" pre-drawn, at the view's font size."""
        color = self._color_of(label)
        dark = line_color(color)
        wash, strong = QColor(color), QColor(color)
        wash.setAlpha(WASH_ALPHA)
        strong.setAlpha(SELECTED_WASH_ALPHA)
        # Dots DOT pixels square, DOT apart: a row of them for the underline (any y lines up), a column
        # for the sides of the selected one's frame. Textures: a dotted pen is Qt's slow path.
        row, column = QPixmap(DOT * 2, DOT), QPixmap(DOT, DOT * 2)
        for dots in (row, column):
            dots.fill(Qt.GlobalColor.transparent)
            with _painting(dots) as dot_painter:
                dot_painter.fillRect(0, 0, DOT, DOT, dark)
        font = QFont(self._view.font())
        font.setPointSizeF(max(size * MARK_SCALE, 6.0))
        font.setBold(True)
        metrics = QFontMetrics(font)
        mark = QPixmap(max(metrics.horizontalAdvance(MARK), 1) + 1, max(metrics.height(), 1))
        mark.fill(Qt.GlobalColor.transparent)
        with _painting(mark) as mark_painter:
            mark_painter.setFont(font)
            mark_painter.setPen(dark)
            mark_painter.drawText(QPointF(0, metrics.ascent()), MARK)
        look = self._looks[(label, size)] = _Look(wash, strong, QBrush(row), QBrush(column), mark)
        return look

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
        if own_span_length is None and offset is not None:  # a shown layer's span there counts as the own one would
            lengths = [span.end - span.start for span in self._view.read_only.spans_at(offset)]
            own_span_length = min(lengths, default=None)
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


class _Look(NamedTuple):
    wash: QColor
    selected_wash: QColor
    dots: QBrush  # a texture of a row of dots, laid along the bottom of the line
    dot_column: QBrush  # and of a column, for the sides of the selected one's frame
    mark: QPixmap


def _paint_one(painter: QPainter, look: _Look, rects: list[QRectF], selected: bool) -> None:
    for rect in rects:
        # Multiplied, the wash tints the paper and leaves the letters' ink dark: drawn plainly over
        # the text, nested suggestions' washes stacked up and greyed the letters under them.
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        painter.fillRect(rect, look.selected_wash if selected else look.wash)
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        painter.fillRect(QRectF(rect.left(), rect.bottom() - DOT, rect.width(), DOT), look.dots)
        if selected:  # a dotted frame: the dashes of a 2-pixel dotted pen would read as a read-only span's
            painter.fillRect(QRectF(rect.left(), rect.top(), rect.width(), DOT), look.dots)
            painter.fillRect(QRectF(rect.left(), rect.top(), DOT, rect.height()), look.dot_column)
            painter.fillRect(QRectF(rect.right() - DOT, rect.top(), DOT, rect.height()), look.dot_column)
    end = rects[-1]
    painter.drawPixmap(QPointF(end.right() + 0.5, end.top()), look.mark)


@contextmanager
def _painting(pixmap: QPixmap) -> Iterator[QPainter]:
    painter = QPainter(pixmap)
    try:
        yield painter
    finally:
        painter.end()


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
