"""Another annotator's layer, shown read-only over the own one: where its spans are and how they are drawn.

Read-only spans must never pass for the own layer's, whose spans are filled with their label's
colour, nested ones underlined, the selected one framed solid with handles. So a read-only span
is never filled: it is hatched in its label's colour under the text (the own fill still shows
between the hatch lines) and outlined by a dashed frame in the label's dark shade over the text;
a frame is open where the span goes on to the next line, and nested spans' frames sit inside
their encloser's. The read-only span selected for copying gets a thicker dash.

Like the own layer (ui/span_paint.py), it is painted from a SegmentIndex on the painted band's
lines only (its own SpanHighlighter over a LayerModel of its own, sharing the view's offsets):
a paint costs what its visible lines hold, and nothing at all when no other layer is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import QLineF, QObject, QPointF, QRect, Qt, Signal
from PySide6.QtGui import QBrush, QPainter, QPen, QTextBlock

from annotator.layer_list import LayerView
from annotator.layer_model import LayerModel
from annotator.models import DocumentView, Span
from annotator.schema import Schema
from annotator.text import OffsetMap
from ui.colors import mix
from ui.highlighter import DEFER_ABOVE, SpanHighlighter
from ui.span_paint import SpanPiece, span_pieces

__all__ = ["ReadOnlyLayer"]

HATCH_SHADE = 0.35
DASH_WIDTH = 1.0  # a 1-pixel dash is Qt's fast path: 1.5 cost ~10 ms per paint of a full screen
SELECTED_DASH_WIDTH = 2.0
NEST_INSET = 2.0  # a nested span's frame this much inside its encloser's, per level


class ReadOnlyLayer(QObject):
    """The other layer shown in a view, if any: its spans by position, and their drawing."""

    clicked = Signal(int)  # a click on a read-only span (the innermost there): its id

    def __init__(self, schema: Schema, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._schema = schema
        self._layer = LayerModel()
        self.highlighter = SpanHighlighter(self._layer, schema, self)
        self.name: str | None = None  # the annotator whose layer is shown; None: none is
        self.selected: int | None = None  # the read-only span selected for copying
        self._brushes: dict[str, QBrush] = {}

    @property
    def spans(self) -> Mapping[int, Span]:
        return self._layer.spans if self.name is not None else {}

    def span(self, span_id: int) -> Span | None:
        return self._layer.spans.get(span_id) if self.name is not None else None

    def show(self, layer: LayerView | None, text: str, offsets: OffsetMap) -> None:
        """Show ``layer`` of the open document (``text``, with the view's ``offsets``); None shows none."""
        self.selected = None
        if layer is None:
            self.name = None
            self._layer.load(_as_document(None, "", ()))
            self.highlighter.load(OffsetMap(""))
            return
        self.name = layer.annotator
        self._layer.load(_as_document(layer, text, layer.spans))
        self.highlighter.load(offsets, deferred=len(text) > DEFER_ABOVE)

    def spans_at(self, offset: int) -> list[Span]:
        """The read-only spans covering code point ``offset``, outermost first."""
        if self.name is None:
            return []
        spans = self._layer.spans
        return [spans[span_id] for span_id in self.highlighter.index.span_ids_at(offset)]

    def click(self, offset: int) -> None:
        """A click at code point ``offset`` where the own layer has no span."""
        spans = self.spans_at(offset)
        if spans:
            self.clicked.emit(spans[-1].id)

    def paint_hatching(
        self, painter: QPainter, blocks: Iterable[tuple[QTextBlock, QPointF]], band: QRect
    ) -> list[SpanPiece]:
        """Hatch the read-only spans on the lines of ``blocks`` meeting ``band``, under the text,
        each piece in its innermost span's colour; returns the pieces (none when no layer is shown)."""
        if self.name is None:
            return []
        pieces = span_pieces(self.highlighter, blocks, band.top(), band.bottom())
        for piece in pieces:
            painter.fillRect(piece.rect, self._hatch_of(piece.look.labels[-1]))
        return pieces

    def paint_outlines(self, painter: QPainter, pieces: list[SpanPiece]) -> None:
        """A dashed frame around each read-only span's part of each line, over the text."""
        if not pieces:
            return
        to_qt = self.highlighter.offsets.to_qt
        spans = self._layer.spans
        # (span id, line top) -> [left, right, top, bottom, nesting level]: one frame per span and line
        frames: dict[tuple[int, float], list[float]] = {}
        for piece in pieces:
            rect = piece.rect
            for level, span_id in enumerate(piece.span_ids):
                frame = frames.get((span_id, rect.top()))
                if frame is None:
                    frames[(span_id, rect.top())] = [rect.left(), rect.right(), rect.top(), rect.bottom(), level]
                else:
                    frame[0], frame[1] = min(frame[0], rect.left()), max(frame[1], rect.right())
                    frame[4] = min(frame[4], level)
        # Where pieces start and end on each line: a frame's side is drawn only where its span starts or ends.
        starts = {(piece.rect.top(), piece.start) for piece in pieces}
        ends = {(piece.rect.top(), piece.end) for piece in pieces}
        lines: dict[tuple[str, bool], list[QLineF]] = {}  # by pen (label, selected): one drawLines each
        for (span_id, _top), (left, right, top, bottom, depth) in frames.items():
            span = spans[span_id]
            inset = 1 + NEST_INSET * depth
            top, bottom = top + inset, bottom - inset
            drawn = lines.setdefault((span.label, span_id == self.selected), [])
            drawn.append(QLineF(left, top, right, top))
            drawn.append(QLineF(left, bottom, right, bottom))
            if (_top, to_qt(span.start)) in starts:
                drawn.append(QLineF(left + inset, top, left + inset, bottom))
            if (_top, to_qt(span.end)) in ends:
                drawn.append(QLineF(right - inset, top, right - inset, bottom))
        painter.save()
        for (label, selected), drawn in lines.items():
            pen = QPen(self.highlighter.bar_color_of(label))
            pen.setWidthF(SELECTED_DASH_WIDTH if selected else DASH_WIDTH)
            pen.setStyle(Qt.PenStyle.DashLine)
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            painter.setPen(pen)
            painter.drawLines(drawn)
        painter.restore()

    def _hatch_of(self, label: str) -> QBrush:
        brush = self._brushes.get(label)
        if brush is None:
            # Between the light tint (lost among white) and the dark shade of the frame (loud over text).
            color = mix(self.highlighter.color_of(label), self.highlighter.bar_color_of(label), HATCH_SHADE)
            brush = self._brushes[label] = QBrush(color, Qt.BrushStyle.BDiagPattern)
        return brush


def _as_document(layer: LayerView | None, text: str, spans: tuple[Span, ...]) -> DocumentView:
    """The layer as the DocumentView a LayerModel holds (only its text, spans and relations are read)."""
    return DocumentView(
        id=layer.document_id if layer is not None else -1,
        external_id="",
        text=text,
        meta={},
        annotator=layer.annotator if layer is not None else "",
        status=layer.status if layer is not None else "todo",
        spans=spans,
        relations=layer.relations if layer is not None else (),
        document_labels=(),
    )
