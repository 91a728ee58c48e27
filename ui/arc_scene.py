"""Where each arc of the screen goes: its ends' lines, its level in the gutter, its look.

The view's visible lines are read once per layout (ScreenLines: one row per line on screen,
by bisection in long blocks); each relation near the screen (ui/arc_index.py) is placed
from the lines of its two ends. An end off the screen is an arrow to the top or bottom
edge. Levels: the shortest arcs nearest the text, each in the first level where it crosses
no other, so nested and crossing relations never share a line of the gutter.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QPointF
from PySide6.QtGui import QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from ui.span_paint import lines_in_band, visible_blocks
from ui.text_line import x_at

__all__ = ["MAX_LEVELS", "Arc", "ArcEnd", "ScreenLines", "assign_levels"]

MAX_LEVELS = 6  # past this, arcs share the outermost level (the gutter's width is fixed: see ui/arc_gutter.py)
SAME_LINE_HALF = 4.0  # both ends on one line: the head's stub this much above the middle, the tail's below
LEVEL_GAP = 3.0  # arcs on one level keep this far apart


@dataclass(frozen=True)
class ArcEnd:
    """One end of an arc: its span, and where it is (y None: off screen, above if ``above``)."""

    span_id: int
    offset: int
    y: float | None
    x: float | None
    line_top: float | None
    above: bool


@dataclass
class Arc:
    relation_id: int
    label: str
    head: ArcEnd
    tail: ArcEnd
    top: float  # the bracket's extent, viewport coordinates
    bottom: float
    level: int = 0


class ScreenLines:
    """The lines on screen: their Qt start positions, and where each is drawn."""

    def __init__(self, view: QPlainTextEdit) -> None:
        self.height = float(view.viewport().height())
        self.rows: list[tuple[QTextLine, int, QPointF]] = []  # line, its block's Qt position, the block's origin
        for block, origin in visible_blocks(view, 0, self.height):
            top, bottom = -origin.y(), self.height - origin.y()
            self.rows.extend((line, block.position(), origin) for line in lines_in_band(block, top, bottom))
        # Lines only partly on screen count as on it; a line above y 0 still counts (its middle may be shown).
        self.starts = [block_start + line.textStart() for line, block_start, _ in self.rows]

    @property
    def span(self) -> tuple[int, int] | None:
        """First and last Qt position on screen; None when nothing is."""
        if not self.rows:
            return None
        line, block_start, _ = self.rows[-1]
        return self.starts[0], block_start + line.textStart() + max(line.textLength(), 1)

    def locate(self, qt_position: int) -> tuple[float, float, float] | None:
        """(x, middle y, line top) of ``qt_position`` if on a line of the screen."""
        shown = self.span
        if shown is None or not shown[0] <= qt_position < shown[1]:
            return None
        row = bisect.bisect_right(self.starts, qt_position) - 1
        line, block_start, origin = self.rows[row]
        top = origin.y() + line.y()
        return origin.x() + x_at(line, qt_position - block_start), top + line.height() / 2, top


def make_arc(
    relation_id: int,
    label: str,
    ends: tuple[tuple[int, int], tuple[int, int]],
    lines: ScreenLines,
    to_qt: Callable[[int], int],
) -> Arc | None:
    """The arc of one relation; ``ends`` are (span id, start offset) of head and tail; None if
    neither end nor the stretch between them is on screen."""
    shown = lines.span
    if shown is None:
        return None
    placed = []
    for span_id, offset in ends:
        qt = to_qt(offset)
        where = lines.locate(qt)
        if where is None:
            placed.append(ArcEnd(span_id, offset, None, None, None, qt < shown[0]))
        else:
            placed.append(ArcEnd(span_id, offset, where[1], where[0], where[2], False))
    head, tail = placed
    if head.y is None and tail.y is None and head.above == tail.above:
        return None
    if head.y is not None and tail.y is not None and head.y == tail.y:
        head = ArcEnd(head.span_id, head.offset, head.y - SAME_LINE_HALF, head.x, head.line_top, False)
        tail = ArcEnd(tail.span_id, tail.offset, tail.y + SAME_LINE_HALF, tail.x, tail.line_top, False)
    ys = [_edge_y(end, lines.height) for end in (head, tail)]
    return Arc(relation_id, label, head, tail, min(ys), max(ys))


def _edge_y(end: ArcEnd, height: float) -> float:
    if end.y is not None:
        return end.y
    return 0.0 if end.above else height


def assign_levels(arcs: list[Arc]) -> None:
    """Give each arc the first level (0: nearest the text) where it meets no arc already placed,
    shortest arcs first: an arc inside another sits nearer the text, crossing ones apart."""
    taken: list[list[tuple[float, float]]] = [[] for _ in range(MAX_LEVELS)]
    for arc in sorted(arcs, key=lambda a: (a.bottom - a.top, a.top)):
        arc.level = MAX_LEVELS - 1
        for level, spans in enumerate(taken):
            if all(arc.bottom + LEVEL_GAP < top or arc.top - LEVEL_GAP > bottom for top, bottom in spans):
                arc.level = level
                break
        taken[arc.level].append((arc.top, arc.bottom))
