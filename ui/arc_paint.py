"""Drawing the arcs the gutter laid out (ui/arc_gutter.py), and their marks over the text.

Each arc: a vertical bracket at its level, a stub to the gutter's edge at the line of each
end on screen (a dot where the head is, an arrowhead into the text where the tail is), an
arrow to the gutter's top or bottom for an end off screen, and the label along the bracket
on a patch of the background (an abbreviation when the bracket is shorter than the name).
Over the text, a small triangle in the relation's colour marks the first character of each
end, so a stub's line leads to its span.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPen, QPolygonF

from ui.arc_scene import Arc

if TYPE_CHECKING:
    from ui.arc_gutter import ArcGutter

__all__ = ["abbreviation", "paint_arc_marks", "paint_arcs"]

DOT_RADIUS = 2.5
MARK_SIZE = 3.5


def abbreviation(name: str) -> str:
    """SAID_BY -> SB, WHEN -> W: the first letter of each word of the name."""
    words = [word for word in name.replace("-", "_").replace(" ", "_").split("_") if word]
    return "".join(word[0] for word in words).upper() or name[:1]


def paint_arcs(painter: QPainter, gutter: ArcGutter, arcs: list[Arc]) -> None:
    focused = gutter.focused()
    right = float(gutter.width())
    height = float(gutter.height())
    font = gutter.label_font()
    metrics = QFontMetricsF(font)
    background = gutter.palette().base().color()
    placed: list[QRectF] = []  # abbreviations drawn so far: the next keeps clear of them
    gutter.label_boxes = {}
    # Focused arcs last: drawn over the dimmed ones they cross.
    for arc in sorted(arcs, key=lambda a: a.relation_id in focused):
        pen = gutter.pen_for(arc, focused)
        color = pen.color()
        x = round(gutter.x_of(arc))
        # Axis-parallel lines of whole pixels, drawn without antialiasing: Qt's fast path (a wide
        # antialiased line cost ~0.3 ms each, measured); only the dots and arrowheads are smoothed.
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(pen)
        lines = [QLineF(x, round(arc.top), x, round(arc.bottom))]
        lines.extend(
            QLineF(x, round(end.y), right - (1 if end is arc.head else 3), round(end.y))
            for end in (arc.head, arc.tail)
            if end.y is not None
        )
        painter.drawLines(lines)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(color)
        for end, is_head in ((arc.head, True), (arc.tail, False)):
            if end.y is not None:
                if is_head:
                    painter.drawEllipse(QPointF(x, round(end.y)), DOT_RADIUS, DOT_RADIUS)
                else:
                    painter.drawPolygon(gutter.arrow(right - 1, round(end.y), "right", 3.5))
            else:
                # The arrow at the edge points away, whichever end is out of sight.
                tip = 1.0 if end.above else height - 1
                painter.drawPolygon(gutter.arrow(x, tip, "up" if end.above else "down"))
        gutter.label_boxes[arc.relation_id] = _paint_label(
            painter, gutter, arc, arcs, placed, color, background, metrics
        )
    painter.setFont(gutter.font())


def _paint_label(
    painter: QPainter,
    gutter: ArcGutter,
    arc: Arc,
    arcs: list[Arc],
    placed: list[QRectF],
    color: QColor,
    background: QColor,
    metrics: QFontMetricsF,
) -> QRectF:
    """Along the bracket where the name fits; else its abbreviation across, left of every bracket
    passing there and of the abbreviations already drawn beside it. Returns where (gutter coordinates)."""
    x = gutter.x_of(arc)
    length = arc.bottom - arc.top
    middle = (arc.top + arc.bottom) / 2
    thickness = metrics.height()
    painter.save()
    painter.setFont(gutter.label_font())
    painter.setPen(QPen(color))
    if metrics.horizontalAdvance(arc.label) + 8 <= length:
        width = metrics.horizontalAdvance(arc.label) + 2
        # The patch behind it filled before turning: an axis-parallel fill is Qt's fast one.
        painter.fillRect(QRectF(x - thickness / 2, middle - width / 2, thickness, width), background)
        painter.translate(x, middle)
        painter.rotate(-90)  # read from bottom to top, as a book's spine
        painter.drawText(QRectF(-width / 2, -thickness / 2, width, thickness), Qt.AlignmentFlag.AlignCenter, arc.label)
        painter.resetTransform()
        box = QRectF(x - thickness / 2, middle - width / 2, thickness, width)
    else:
        text = abbreviation(arc.label)
        width = metrics.horizontalAdvance(text) + 2
        top, bottom = middle - thickness / 2, middle + thickness / 2
        right = min(gutter.x_of(other) for other in arcs if other.top <= bottom and other.bottom >= top) - 2
        for box in placed:
            if box.top() < bottom and box.bottom() > top:
                right = min(right, box.left() - 2)
        box = QRectF(max(right - width, 0.0), top, width, thickness)
        placed.append(box)
        painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    painter.restore()
    return box


def paint_arc_marks(painter: QPainter, gutter: ArcGutter) -> None:
    """A small triangle over the first character of each arc end on screen (viewport coordinates)."""
    arcs = gutter.arcs()
    if not arcs:
        return
    focused = gutter.focused()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    drawn: set[tuple[float, float]] = set()
    for arc in sorted(arcs, key=lambda a: a.relation_id in focused):
        painter.setBrush(gutter.pen_for(arc, focused).color())
        for end in (arc.head, arc.tail):
            if end.x is None or end.line_top is None or (end.x, end.line_top) in drawn:
                continue
            drawn.add((end.x, end.line_top))
            top = end.line_top
            painter.drawPolygon(
                QPolygonF(
                    [
                        QPointF(end.x, top),
                        QPointF(end.x + 2 * MARK_SIZE, top),
                        QPointF(end.x, top + 2 * MARK_SIZE),
                    ]
                )
            )
    painter.restore()
