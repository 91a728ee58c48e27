"""Relation arcs in a gutter left of the text: a bracket per relation, from head to tail.

Why a gutter and not brat's arcs over the text: brat stacks arcs in extra space above each
line, but the view is a QPlainTextEdit, whose layout ignores a block's line height and
margins (QTextBlockFormat.setLineHeight / setTopMargin leave every line where it was,
measured), and a character format that would make lines taller means formatting the whole
1 MB paragraph and laying it out again, the very cost ui/highlighter.py avoids. Drawn over
the text, arcs would cross the words they link. So each relation is a bracket in a gutter of
fixed width beside the lines (a width that changed with the arcs on screen would re-lay out
the document at every scroll): a stub at the line of each end, a dot at the head, an arrow
at the tail, the label along the bracket (abbreviated where it is short), and a small mark
over the first character of each end in the text (ui/arc_paint.py). Nested and crossing
relations get levels of their own (ui/arc_scene.py); an end off screen is an arrow to the
gutter's edge: its text on hover, a click goes there.
"""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QHelpEvent, QMouseEvent, QPainter, QPaintEvent, QPen, QPolygonF
from PySide6.QtWidgets import QToolTip, QWidget

from annotator.layer_model import LayerChange, LayerModel
from annotator.schema import Schema
from annotator.short_text import one_line
from ui.arc_index import RelationIndex
from ui.arc_paint import paint_arcs
from ui.arc_scene import MAX_LEVELS, Arc, ArcEnd, ScreenLines, assign_levels, make_arc
from ui.bridge import follow_layer
from ui.colors import GRAPHIC_CONTRAST, label_color, readable_on, relation_color

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["GUTTER_WIDTH", "ArcGutter", "ArcMode"]

LEVEL_WIDTH = 12.0
EDGE_PAD = 4.0  # between the innermost level and the text
GUTTER_WIDTH = int(MAX_LEVELS * LEVEL_WIDTH + EDGE_PAD + 4)
DIMMED_ALPHA = 140  # the other arcs while a relation or span is selected
HIT_DISTANCE = 4.0
EDGE_HIT = 14.0  # a click this near the edge, on an arc leaving the screen, goes to its other end


class ArcMode(Enum):
    ALL = "all"
    SELECTED = "selected"  # only the selected relation and the relations of the selected span
    HIDDEN = "hidden"


class ArcGutter(QWidget):
    """The arcs of the relations on screen, beside the view's text; keeps the view's left margin."""

    relation_clicked = Signal(int)
    relation_hovered = Signal(int)  # the relation whose arc is under the mouse; -1 when none is

    def __init__(self, view: AnnotationTextView, layer: LayerModel, schema: Schema) -> None:
        super().__init__(view)
        self._view = view
        self._layer = layer
        self._schema = schema
        self.index = RelationIndex(layer)
        self.mode = ArcMode.ALL
        self.selected_relation: int | None = None
        self.selected_span: int | None = None
        self._colors: dict[str, QColor] = {}
        self._arcs: list[Arc] = []
        self._key: tuple[object, ...] | None = None  # what the arcs were laid out for
        self._generation = 0
        self._hovered = -1
        self.label_boxes: dict[int, QRectF] = {}  # relation id -> its label as last painted (ui/arc_paint.py)
        self.setObjectName("arcGutter")
        self.setMouseTracking(True)
        follow_layer(self, layer, self._on_layer_change)
        view.setViewportMargins(GUTTER_WIDTH, 0, 0, 0)
        view.updateRequest.connect(lambda _rect, _dy: self.update())
        view.installEventFilter(self)
        # A long document's arcs wait, like its spans, for the full index built after the first paint.
        view.highlighter.completed.connect(self.changed)

    # -- state -----------------------------------------------------------------------

    def _on_layer_change(self, change: LayerChange) -> None:
        # A span edit repaints its own rectangle (ui/highlighter.py); the arcs, and the whole text for
        # their marks, only when a relation or one of its ends changed.
        moved = (*change.spans_removed, *(new for _old, new in change.spans_changed))
        ends_moved = any(self.index.of_span(span.id) for span in moved)
        if change.reset or change.relations_touched or ends_moved:
            self.index.apply(change)
            self.changed()

    def changed(self) -> None:
        """Something the arcs show changed: lay them out again at the next paint."""
        self._generation += 1
        self.update()
        self._view.viewport().update()  # the marks over the text

    def set_mode(self, mode: ArcMode) -> None:
        self.mode = mode
        self.changed()

    def select_relation(self, relation_id: int | None) -> None:
        """The selected relation's arc stands out (None: no relation is selected)."""
        if relation_id != self.selected_relation:
            self.selected_relation = relation_id
            self.changed()

    def select_span(self, span_id: int | None) -> None:
        """The arcs of the selected span stand out (None: no span is selected)."""
        if span_id != self.selected_span:
            self.selected_span = span_id
            self.changed()

    def focused(self) -> set[int]:
        """The relations that stand out: the selected one and those of the selected span."""
        ids = set(self.index.of_span(self.selected_span)) if self.selected_span is not None else set()
        if self.selected_relation is not None:
            ids.add(self.selected_relation)
        return ids

    def color_of(self, label: str) -> QColor:
        color = self._colors.get(label)
        if color is None:
            base = label_color(relation_color(self._schema, label))
            color = self._colors[label] = readable_on(base, self._view.palette().base().color(), GRAPHIC_CONTRAST)
        return color

    # -- layout ----------------------------------------------------------------------

    def arcs(self) -> list[Arc]:
        """The arcs of the screen, laid out again only when the screen or the relations changed."""
        view = self._view
        key = (
            self._generation,
            view.verticalScrollBar().value(),
            view.horizontalScrollBar().value(),
            view.viewport().width(),
            view.viewport().height(),
            view.font().pointSizeF(),
            view.document().revision(),
        )
        if key != self._key:
            self._key, self._arcs = key, self._lay_out()
        return self._arcs

    def _lay_out(self) -> list[Arc]:
        if self.mode is ArcMode.HIDDEN or not self._layer.is_open or not self._view.highlighter.is_complete:
            return []
        if not len(self.index):
            return []
        lines = ScreenLines(self._view)
        shown = lines.span
        if shown is None:
            return []
        first, last = self._view.offset_at_qt(shown[0]), self._view.offset_at_qt(shown[1])
        ids = self.index.between(first, last)
        if self.mode is ArcMode.SELECTED:
            focused = self.focused()
            ids = [relation_id for relation_id in ids if relation_id in focused]
        relations, spans = self._layer.relations, self._layer.spans
        arcs = []
        for relation_id in ids:
            relation = relations.get(relation_id)
            head = spans.get(relation.head) if relation is not None else None
            tail = spans.get(relation.tail) if relation is not None else None
            if relation is None or head is None or tail is None:
                continue
            ends = ((head.id, head.start), (tail.id, tail.start))
            arc = make_arc(relation_id, relation.label, ends, lines, self._view.qt_at_offset)
            if arc is not None:
                arcs.append(arc)
        assign_levels(arcs)
        return arcs

    def x_of(self, arc: Arc) -> float:
        return GUTTER_WIDTH - EDGE_PAD - (arc.level + 0.5) * LEVEL_WIDTH

    # -- painting --------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(event.rect(), self._view.palette().base().color())
        arcs = self.arcs()
        if arcs:
            paint_arcs(painter, self, arcs)
        painter.end()

    def pen_for(self, arc: Arc, focused: set[int]) -> QPen:
        color = QColor(self.color_of(arc.label))
        strong = arc.relation_id in focused
        if focused and not strong and self.mode is ArcMode.ALL:
            color.setAlpha(DIMMED_ALPHA)
        pen = QPen(color, 3 if strong else 1)
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        return pen

    def label_font(self) -> QFont:
        font = QFont(self._view.font())
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.68))
        return font

    # -- the mouse -------------------------------------------------------------------

    def arc_at(self, point: QPointF) -> tuple[Arc, ArcEnd | None] | None:
        """The arc under ``point``, and its end off screen if the point is on the arrow to it."""
        best: tuple[float, Arc] | None = None
        arcs = self.arcs()
        for arc in arcs:  # its label first: a short arc's initials sit left of its bracket
            box = self.label_boxes.get(arc.relation_id)
            if box is not None and box.adjusted(-1, -1, 1, 1).contains(point):
                best = (0.0, arc)
                break
        for arc in arcs if best is None else ():
            x = self.x_of(arc)
            distance = abs(point.x() - x)
            on_bracket = distance <= HIT_DISTANCE and arc.top - HIT_DISTANCE <= point.y() <= arc.bottom + HIT_DISTANCE
            on_stub = point.x() >= x - HIT_DISTANCE and any(
                end.y is not None and abs(point.y() - end.y) <= HIT_DISTANCE for end in (arc.head, arc.tail)
            )
            if (on_bracket or on_stub) and (best is None or distance < best[0]):
                best = (distance, arc)
        if best is None:
            return None
        arc = best[1]
        for end in (arc.head, arc.tail):
            if end.y is None and (point.y() <= EDGE_HIT if end.above else point.y() >= self.height() - EDGE_HIT):
                return arc, end
        return arc, None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        hit = self.arc_at(event.position())
        if hit is None:
            return
        arc, far_end = hit
        if far_end is not None:
            self._view.select_range(far_end.offset, far_end.offset)  # scrolls it to mid-screen
        self.relation_clicked.emit(arc.relation_id)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        hit = self.arc_at(event.position())
        self.setCursor(Qt.CursorShape.PointingHandCursor if hit else Qt.CursorShape.ArrowCursor)
        self._hover(hit[0].relation_id if hit else -1)

    def leaveEvent(self, event: QEvent) -> None:
        self._hover(-1)
        super().leaveEvent(event)

    def _hover(self, relation_id: int) -> None:
        if relation_id != self._hovered:
            self._hovered = relation_id
            self.relation_hovered.emit(relation_id)

    def tooltip_at(self, point: QPointF) -> str:
        hit = self.arc_at(point)
        if hit is None:
            return ""
        arc, far_end = hit
        spans = self._layer.spans
        head, tail = spans.get(arc.head.span_id), spans.get(arc.tail.span_id)
        if far_end is not None:
            span = spans.get(far_end.span_id)
            where = "above" if far_end.above else "below"
            words = one_line(span.text, 80) if span is not None else "?"
            return f"{arc.label} {'from' if far_end is arc.head else 'to'} '{words}' ({where}: click to go there)"
        head_text = one_line(head.text, 60) if head is not None else "?"
        tail_text = one_line(tail.text, 60) if tail is not None else "?"
        return f"{arc.label}: '{head_text}' → '{tail_text}'"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self.tooltip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._view and event.type() == QEvent.Type.Resize:
            rect = self._view.contentsRect()
            self.setGeometry(rect.left(), rect.top(), GUTTER_WIDTH, rect.height())
        return False

    def arrow(self, x: float, y: float, direction: str, size: float = 4.5) -> QPolygonF:
        """A filled arrowhead with its tip at (x, y), pointing right, up or down."""
        if direction == "right":
            points = [(x, y), (x - size * 1.4, y - size), (x - size * 1.4, y + size)]
        elif direction == "up":
            points = [(x, y), (x - size, y + size * 1.4), (x + size, y + size * 1.4)]
        else:
            points = [(x, y), (x - size, y - size * 1.4), (x + size, y - size * 1.4)]
        return QPolygonF([QPointF(px, py) for px, py in points])

    def label_rect(self, arc: Arc) -> QRectF:
        return QRectF(self.x_of(arc) - LEVEL_WIDTH / 2, arc.top, LEVEL_WIDTH, arc.bottom - arc.top)
