"""Making a relation by dragging from one span to another with Ctrl held.

A plain drag stays what it always was, selecting text to label; the relation drag needs a
modifier. Ctrl, because a read-only text view gives Ctrl+drag no meaning of its own, while
Alt+drag moves the window under most Linux window managers and Shift+drag extends the
selection. The drag starts only on a span of the own layer (elsewhere, Ctrl+drag selects
text as before); a dashed arrow follows the mouse, and on release over another span the
view reports (head, tail): the window offers the relation types the schema allows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QLineF, QObject, QPoint, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QApplication, QWidget

from annotator.schema import Schema
from annotator.short_text import one_line
from ui.wording import with_article

if TYPE_CHECKING:
    from ui.text_view import AnnotationTextView

__all__ = ["DRAG_MODIFIER", "RelationDrag"]

DRAG_MODIFIER = Qt.KeyboardModifier.ControlModifier
LINE_COLOR = QColor("#7B2FBE")  # the violet of relation ends (ui/text_view.py)
REFUSED_COLOR = QColor("#767676")  # a span no relation may go to from the head: grey


class _DragLine(QWidget):
    """The dashed arrow from the head to the mouse, over the text; the mouse passes through it."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.line: QLineF | None = None
        self.target: list[QRectF] = []  # the span under the mouse, framed
        self.allowed = False  # whether a relation may go to it
        self.hide()

    def paintEvent(self, _event: QPaintEvent) -> None:
        if self.line is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(LINE_COLOR, 2, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(self.line)
        painter.setBrush(LINE_COLOR)
        painter.drawEllipse(self.line.p2(), 3.0, 3.0)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(LINE_COLOR if self.allowed else REFUSED_COLOR, 2, Qt.PenStyle.SolidLine))
        for rect in self.target:
            painter.drawRect(rect.adjusted(1, 1, -1, -1))
        painter.end()


class RelationDrag(QObject):
    """Watches the view's viewport for a Ctrl+drag from a span; ``dragged`` on a release over another."""

    dragged = Signal(int, int, QPoint)  # head span id, tail span id, where the mouse was let go (global)
    refused = Signal(str)  # a drag that made nothing, and why
    hint = Signal(str)  # while dragging: what a release here would make

    def __init__(self, view: AnnotationTextView, schema: Schema) -> None:
        super().__init__(view)
        self._view = view
        self._schema = schema
        self.head: int | None = None
        self._over: int | None = None  # the span under the mouse while dragging
        self._start = QPointF()
        self._line = _DragLine(view.viewport())
        view.viewport().installEventFilter(self)

    def _span_at(self, point: QPointF) -> int | None:
        offset = self._view.offset_at_point(point.toPoint())
        spans = self._view.spans_at(offset) if offset is not None else []
        return spans[-1].id if spans else None

    def _suggested_at(self, point: QPointF) -> bool:
        offset = self._view.offset_at_point(point.toPoint())
        overlay = self._view.suggestions
        return offset is not None and overlay.visible and bool(overlay.suggestions.at(offset))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not isinstance(event, QMouseEvent):
            return False
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            if event.modifiers() & DRAG_MODIFIER:
                self.head = self._span_at(event.position())
                if self.head is not None:
                    self._start = event.position()
                    self._line.setGeometry(self._view.viewport().rect())
                    return True
            return False
        if self.head is None:
            return False
        if kind == QEvent.Type.MouseMove:
            self._line.line = QLineF(self._start, event.position())
            self._follow(self._span_at(event.position()))
            self._line.show()
            self._line.raise_()
            self._line.update()
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            head, self.head = self.head, None
            self._line.line, self._line.target, self._over = None, [], None
            self._line.hide()
            tail = self._span_at(event.position())
            if tail is None and self._suggested_at(event.position()):
                self.refused.emit("That is a suggestion, not a span yet: accept it (Enter), then drag to it")
            elif tail is None:
                self.refused.emit("Drop the relation on a span (it was let go beside any)")
            elif tail == head and (event.position() - self._start).manhattanLength() < QApplication.startDragDistance():
                self._view.span_clicked.emit(head)  # a Ctrl+click, not a drag: a click on the span
            elif tail == head:
                self.refused.emit("A relation links two spans: drag from one span to another")
            else:
                self.dragged.emit(head, tail, event.globalPosition().toPoint())
            return True
        return False

    def _follow(self, over: int | None) -> None:
        """The mouse is over span ``over`` (None: over none): frame it and say what a release makes."""
        if over == self._over:
            return
        self._over = over
        spans = self._view.layer.spans
        head, tail = spans.get(self.head) if self.head is not None else None, spans.get(over) if over else None
        if head is None or tail is None or over == self.head:
            self._line.target, self._line.allowed = [], False
            self.hint.emit("Drop on the span the relation goes to")
            return
        allowed = [spec.name for spec in self._schema.relations_between(head.label, tail.label)]
        self._line.target = self._view.fragment_rects(tail.start, tail.end)
        self._line.allowed = bool(allowed)
        words = f"'{one_line(head.text, 24)}' → '{one_line(tail.text, 24)}'"
        if allowed:
            self.hint.emit(f"{' or '.join(allowed)}: {words}")
        else:
            self.hint.emit(f"No relation goes from {with_article(head.label)} to {with_article(tail.label)}")
