"""The read-only article view: spans in label colours, selection in code points, overlays.

Everything that enters or leaves this widget is a code-point offset into the stored
text; Qt positions (UTF-16 units, one per CRLF) are converted here with OffsetMap
and never escape. The text and spans always come from the layer (LayerModel), never
from the widget, which rewrites the text (NBSP -> space, line separators -> "\\n").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QTextCharFormat,
    QTextCursor,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QPlainTextEdit, QTextEdit, QToolTip, QWidget

from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Span
from annotator.schema import Schema
from annotator.snapping import snap_selection
from annotator.text import OffsetMap, trim_whitespace
from ui.bridge import follow_layer
from ui.colors import line_color, mix, selected_span_tint, text_color_on
from ui.highlighter import DEFER_ABOVE, SpanHighlighter
from ui.layer_paint import ReadOnlyLayer
from ui.layout_cache import OnScreenLayouts
from ui.live_snap import snap_dragged_selection, snapped_frame
from ui.nesting_bars import paint_nesting_bars
from ui.span_frames import paint_frames
from ui.span_paint import (
    line_rect,
    lines_in_band,
    paint_backgrounds,
    paint_text_colors,
    ranges_to_repaint,
    span_pieces,
    visible_blocks,
)
from ui.span_tooltip import span_tooltip_html
from ui.suggestion_paint import SuggestionOverlay
from ui.text_line import x_at

__all__ = ["AnnotationTextView", "span_tooltip_html"]

READING_POINT_SIZE = 11.0
SEARCH_HIT = QColor("#FFC6E8")
RELATION_END = QColor("#7B2FBE")
CURRENT_SEARCH_HIT = QColor("#E0218A")


class AnnotationTextView(QPlainTextEdit):
    """Shows the layer's document; a new document in the layer replaces the text, a change redraws its blocks."""

    span_clicked = Signal(int)  # innermost span under a click, or -1 for a click on no span
    selection_changed_range = Signal(int, int)  # code points after snapping; start == end when empty
    zoom_changed = Signal(int)  # total zoom steps, after zoom() or Ctrl+wheel
    painted_over = Signal(object, object)  # (QPainter, QRect): more drawn over the text, last (ui/arc_view.py)

    def __init__(self, layer: LayerModel, schema: Schema, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
        )
        font = self.font()
        # Long reading sessions: never smaller than 11 pt, whatever the desktop's default.
        font.setPointSizeF(max(font.pointSizeF(), READING_POINT_SIZE))
        self.setFont(font)
        self.document().setDocumentMargin(12)
        self.document().setUndoRedoEnabled(False)  # read-only: an undo stack of the whole text is waste
        self._layer = layer
        self._offsets = OffsetMap("")
        self._schema = schema
        # Saved spans are painted by paintEvent from the highlighter's index, never set as
        # character formats (see ui/highlighter.py): the document holds plain text only.
        self._highlighter = SpanHighlighter(layer, schema, self)
        self._highlighter.redraw.connect(self._repaint_ranges)
        self._layouts = OnScreenLayouts()
        self.read_only = ReadOnlyLayer(schema, self)  # another annotator's layer, shown read-only (ui/layer_paint.py)
        self.suggestions = SuggestionOverlay(self, self._highlighter.color_of, self._highlighter.offsets_for)
        self._snap = True
        self._zoom_steps = 0
        self._press_at: QPointF | None = None
        self._drag_anchor: int | None = None  # code point where a mouse selection began, unsnapped
        # Transient overlays, drawn by Qt over the saved spans.
        self._overlays: dict[str, list[QTextEdit.ExtraSelection]] = {"search": [], "relation": [], "current": []}
        # Frames drawn around overlay spans, on top of everything (a tint alone can be missed).
        # "snapped": a dashed frame around what a keyboard selection will label, where that differs.
        self._frames: dict[str, list[tuple[int, int, QPen]]] = {"relation": [], "current": [], "snapped": []}
        self.selectionChanged.connect(self._emit_selection)
        follow_layer(self, layer, self._on_layer_change)
        if layer.is_open:
            self._show_document()

    # -- the document --------------------------------------------------------------

    @property
    def layer(self) -> LayerModel:
        return self._layer

    @property
    def document_text(self) -> str:
        """The stored text shown (the widget's own copy is rewritten by Qt)."""
        return self._layer.text

    @property
    def highlighter(self) -> SpanHighlighter:
        return self._highlighter

    def _on_layer_change(self, change: LayerChange) -> None:
        # Span changes are the highlighter's (it asks for their ranges to be repainted); a new document is ours.
        if change.reset:
            self._show_document()

    def _show_document(self) -> None:
        text = self._layer.text
        self._offsets = OffsetMap(text)
        self._overlays = {name: [] for name in self._overlays}
        self._frames = {name: [] for name in self._frames}
        self.setExtraSelections([])
        self.read_only.show(None, text, self._offsets)  # the last document's: its offsets mean nothing here
        # A long text gets its full index in idle time after the first paint; a short one at once.
        self._highlighter.load(self._offsets, deferred=len(text) > DEFER_ABOVE)
        self._layouts.forget()
        self.setPlainText(text)

    def spans_at(self, offset: int) -> list[Span]:
        """Spans covering code point ``offset``, outermost first."""
        spans = self._layer.spans
        return [spans[span_id] for span_id in self._highlighter.index.span_ids_at(offset)]

    # -- offsets ---------------------------------------------------------------------

    def offset_at_qt(self, qt_position: int) -> int:
        """Qt position -> code point; a position inside a surrogate pair rounds down."""
        return self._from_qt(qt_position, round_up=False)

    def qt_at_offset(self, offset: int) -> int:
        return self._offsets.to_qt(min(max(offset, 0), len(self._layer.text)))

    def _from_qt(self, qt_position: int, *, round_up: bool) -> int:
        last = max(self.document().characterCount() - 1, 0)
        qt_position = min(max(qt_position, 0), last)
        try:
            return self._offsets.from_qt(qt_position)
        except ValueError:  # between the halves of an astral character
            return self._offsets.from_qt(qt_position - 1) + (1 if round_up else 0)

    # -- selection -------------------------------------------------------------------

    @property
    def snap_to_words(self) -> bool:
        return self._snap

    @snap_to_words.setter
    def snap_to_words(self, on: bool) -> None:
        self._snap = bool(on)
        self._emit_selection()

    def selected_range(self) -> tuple[int, int] | None:
        """The selection in code points, snapped (if on) and trimmed; None if nothing is left."""
        if not self.textCursor().hasSelection():
            return None
        start, end = self.shown_selection()
        snap = snap_selection if self._snap else trim_whitespace
        start, end = snap(self._layer.text, start, end)
        return (start, end) if start < end else None

    def shown_selection(self) -> tuple[int, int]:
        """The selection as Qt shows it, in code points, unsnapped (start == end when empty)."""
        cursor = self.textCursor()
        return self._from_qt(cursor.selectionStart(), round_up=False), self._from_qt(
            cursor.selectionEnd(), round_up=True
        )

    def select_range(self, start: int, end: int) -> None:
        """Select code points [start, end) and scroll them into view."""
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.qt_at_offset(start))
        cursor.setPosition(self.qt_at_offset(end), QTextCursor.MoveMode.KeepAnchor)
        in_view = self.viewport().rect().contains(self.cursorRect(cursor))
        self.setTextCursor(cursor)  # scrolls just enough to show the cursor...
        if not in_view:
            self.centerCursor()  # ...but a jump far away should land mid-screen, with context around it

    def _emit_selection(self) -> None:
        selected = self.selected_range()
        frames = snapped_frame(self, selected)
        if frames != self._frames["snapped"]:
            self._frames["snapped"] = frames
            self.viewport().update()
        if selected is None:
            here = self._from_qt(self.textCursor().position(), round_up=False)
            selected = (here, here)
        self.selection_changed_range.emit(*selected)

    # -- overlays ------------------------------------------------------------------

    def set_current_span(self, span: Span | None) -> None:
        """The selected span: its own colour, a thick frame and a handle at each edge.

        Unlike a text selection (the palette's highlight, white text), it keeps the
        label's hue under black text; the handles mark the edges the keys move.
        """
        selections, frames = [], []
        if span is not None:
            color = self._highlighter.color_of(span.label)
            tint = selected_span_tint(color)
            selections.append(self._overlay(span.start, span.end, tint, text_color_on(tint)))
            frames.append((span.start, span.end, QPen(line_color(color), 2)))
        self._frames["current"] = frames
        self._set_overlay("current", selections)

    def set_relation_overlay(self, head: Span | None, tail: Span | None) -> None:
        """Both ends in a violet wash and violet frame: solid around the head, dashed around the tail."""
        selections, frames = [], []
        for span, style in ((head, Qt.PenStyle.SolidLine), (tail, Qt.PenStyle.DashLine)):
            if span is not None:
                wash = mix(self._highlighter.color_of(span.label), RELATION_END, 0.35)
                selections.append(self._overlay(span.start, span.end, wash, text_color_on(wash)))
                frames.append((span.start, span.end, QPen(RELATION_END, 2, style)))
        self._frames["relation"] = frames
        self._set_overlay("relation", selections)

    def set_search_hits(self, hits: list[tuple[int, int]], current: int | None = None) -> None:
        """Every hit in pink, the current one (an index into ``hits``) in strong magenta."""
        selections = []
        for i, (start, end) in enumerate(hits):
            color = CURRENT_SEARCH_HIT if i == current else SEARCH_HIT
            selections.append(self._overlay(start, end, color, text_color_on(color)))
        # The current hit goes last, so it is drawn over any hit that overlaps it.
        if current is not None and 0 <= current < len(selections):
            selections.append(selections.pop(current))
        self._set_overlay("search", selections)

    def _overlay(self, start: int, end: int, background: QColor, foreground: QColor) -> QTextEdit.ExtraSelection:
        selection = QTextEdit.ExtraSelection()
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.qt_at_offset(start))
        cursor.setPosition(self.qt_at_offset(end), QTextCursor.MoveMode.KeepAnchor)
        selection.cursor = cursor
        selection.format = QTextCharFormat()
        selection.format.setBackground(background)
        selection.format.setForeground(foreground)
        return selection

    def _set_overlay(self, name: str, selections: list[QTextEdit.ExtraSelection]) -> None:
        self._overlays[name] = selections
        # Later ones are drawn on top: search hits, then relation ends, then the current span.
        self.setExtraSelections([s for key in ("search", "relation", "current") for s in self._overlays[key]])

    # -- zoom ----------------------------------------------------------------------

    def zoom(self, steps: int) -> None:
        """Font size up (steps > 0) or down by one point per step."""
        if steps == 0:
            return
        before = self.font().pointSizeF()
        self.zoomIn(steps)
        taken = round(self.font().pointSizeF() - before)  # zoomIn refuses sizes below one point: steps that took
        if taken:
            self._zoom_steps += taken
            self.zoom_changed.emit(self._zoom_steps)

    def wheelEvent(self, event: QWheelEvent) -> None:
        if not event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            return super().wheelEvent(event)
        # Through zoom(), so the caller hears about it and can remember the size.
        delta = event.angleDelta().y()
        self.zoom((delta > 0) - (delta < 0))
        event.accept()
        return None

    # -- mouse and tooltips ------------------------------------------------------

    def offset_at_point(self, point: QPoint) -> int | None:
        """The code point drawn under ``point`` (viewport coordinates), or None for blank space."""
        block = self.cursorForPosition(point).block()
        layout = block.layout()
        if layout is None:
            return None
        origin = self.blockBoundingGeometry(block).translated(self.contentOffset()).topLeft() + layout.position()
        x, y = point.x() - origin.x(), point.y() - origin.y()
        for line in lines_in_band(block, y, y):  # by bisection: one paragraph may have thousands of lines
            if not line.y() <= y < line.y() + line.height():
                continue
            between = line.xToCursor(x)
            # xToCursor gives the nearest gap between characters; the character hit is
            # the one after the gap if the point lies right of the gap, else the one before.
            char = between if x >= x_at(line, between) else between - 1
            inside = line.textStart() <= char < line.textStart() + line.textLength()
            if inside and x < line.x() + line.naturalTextWidth():
                return self.offset_at_qt(block.position() + char)
            return None
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press_at = event.position() if event.button() == Qt.MouseButton.LeftButton else None
        super().mousePressEvent(event)
        self._drag_anchor = None if self._press_at is None else self.offset_at_qt(self.textCursor().anchor())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        super().mouseMoveEvent(event)
        if self._drag_anchor is not None and event.buttons() & Qt.MouseButton.LeftButton and self._snap:
            snap_dragged_selection(self, self._drag_anchor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        pressed, self._press_at, self._drag_anchor = self._press_at, None, None
        if pressed is None or event.button() != Qt.MouseButton.LeftButton:
            return
        if (event.position() - pressed).manhattanLength() >= QApplication.startDragDistance():
            return  # a drag selects text; it is not a click on a span
        offset = self.offset_at_point(event.position().toPoint())
        spans = self.spans_at(offset) if offset is not None else []
        self.span_clicked.emit(spans[-1].id if spans else -1)
        if offset is not None and not spans and self.suggestions.selected is None:
            self.read_only.click(offset)  # selected only where no own span or suggestion inside it took the click

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            offset = self.offset_at_point(event.pos())
            tip = self.tooltip_at(offset) if offset is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_at(self, offset: int) -> str:
        """The tooltip shown over code point ``offset`` ("" where there is no span)."""
        spans, others = self.spans_at(offset), self.read_only.spans_at(offset)
        return span_tooltip_html(spans, self._schema, others, self.read_only.name) if spans or others else ""

    # -- painting ----------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        # Saved spans around Qt's drawing of the text, on the painted band's lines only
        # (see ui/span_paint.py): backgrounds under it, text colours and bars over it.
        area = event.rect()
        self._layouts.keep(block for block, _ in visible_blocks(self, 0, self.viewport().height()))
        pieces = span_pieces(
            self._highlighter, visible_blocks(self, area.top(), area.bottom()), area.top(), area.bottom()
        )
        painter = QPainter(self.viewport())
        paint_backgrounds(painter, pieces)
        shown = self.read_only.paint_hatching(painter, visible_blocks(self, area.top(), area.bottom()), area)
        painter.end()
        super().paintEvent(event)
        self._highlighter.start_idle_work()
        painter = QPainter(self.viewport())
        paint_text_colors(painter, pieces, self.palette().text().color(), self._overlay_ranges(), self.cursorRect())
        bar = max(2.0, round(self.fontMetrics().height() / 6))
        paint_nesting_bars(painter, pieces, bar, self._highlighter.bar_color_of)
        self.read_only.paint_outlines(painter, shown)
        paint_frames(painter, self._frames["relation"], self.fragment_rects, handles=False)
        paint_frames(painter, self._frames["current"], self.fragment_rects, handles=True)
        paint_frames(painter, self._frames["snapped"], self.fragment_rects, handles=False)
        self.painted_over.emit(painter, area)
        painter.end()

    def _overlay_ranges(self) -> list[tuple[int, int]]:
        """Qt ranges Qt draws in colours of their own: the overlays and the selection."""
        cursors = [selection.cursor for selections in self._overlays.values() for selection in selections]
        cursors.append(self.textCursor())
        return [(cursor.selectionStart(), cursor.selectionEnd()) for cursor in cursors if cursor.hasSelection()]

    def _repaint_ranges(self, ranges: list[tuple[int, int]]) -> None:
        """Repaint the code-point ranges on screen, a rectangle each (never a layout of their blocks)."""
        for start, end in ranges_to_repaint(self, ranges, self.offset_at_qt):
            for rect in self.fragment_rects(start, end):
                self.viewport().update(rect.toAlignedRect().adjusted(-1, -1, 1, 1))

    def fragment_rects(self, start: int, end: int) -> list[QRectF]:
        """Viewport rectangles of code points [start, end) on the visible lines, one per line."""
        if start >= end:
            return []
        first, last = self.qt_at_offset(start), self.qt_at_offset(end)
        rects = []
        height = self.viewport().height()
        for block, origin in visible_blocks(self, 0, height):
            begin = block.position()
            if begin + block.length() - 1 < first or begin >= last:
                continue
            for line in lines_in_band(block, -origin.y(), height - origin.y()):
                line_start = begin + line.textStart()
                line_end = line_start + line.textLength()
                if line_end > first and line_start < last:
                    rects.append(line_rect(line, origin, max(first, line_start) - begin, min(last, line_end) - begin))
        return rects
