"""Saved spans painted by the view, on the lines being painted only.

The document holds plain text (ui/highlighter.py says why spans are not character
formats). Each paint cuts the segments of its visible lines into pieces, one per line,
and paints them in three layers around Qt's own drawing of the text:

1. under the text: each piece's background, in its innermost span's colour;
2. Qt draws the text, then search hits, relation ends, the current span and the
   selection (extra selections), each with its own colours, over those backgrounds;
3. over the text: where a piece's text must be another colour than the palette's (white
   on a dark label), its background and its text again, except where step 2 drew its
   own colours; then the nesting bars (ui/nesting_bars.py).

A paint touches the band's lines only, however long the block: a 1 MB paragraph costs
what its visible lines cost.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from PySide6.QtCore import QPointF, QRect, QRectF
from PySide6.QtGui import QColor, QPainter, QRegion, QTextBlock, QTextLine
from PySide6.QtWidgets import QPlainTextEdit

from ui.highlighter import SpanHighlighter, SpanLook
from ui.text_line import x_at

__all__ = [
    "SpanPiece",
    "line_rect",
    "lines_in_band",
    "paint_backgrounds",
    "paint_text_colors",
    "span_pieces",
    "visible_blocks",
]

QtRange = tuple[int, int]


class SpanPiece(NamedTuple):
    """One line's part of one segment: where it is drawn and how."""

    rect: QRectF  # painter coordinates, the line's full height
    text_right: float  # where the line's text ends, before its trailing spaces (Qt paints no background there)
    start: int  # Qt positions of the part
    end: int
    look: SpanLook
    line: QTextLine
    block_start: int  # Qt position of the line's block
    origin: QPointF  # the block's layout origin in painter coordinates
    span_ids: tuple[int, ...]  # the segment's spans, outermost first

    @property
    def line_top(self) -> float:
        return self.rect.top()


def span_pieces(
    highlighter: SpanHighlighter, blocks: Iterable[tuple[QTextBlock, QPointF]], top: float, bottom: float
) -> list[SpanPiece]:
    """The pieces of the segments on the lines of ``blocks`` meeting the band top..bottom;
    ``blocks`` are the visible blocks, each with its layout's origin. One query of the
    index covers the band."""
    rows: list[tuple[QTextLine, int, QPointF]] = []  # each line in the band, its block's position and origin
    for block, origin in blocks:
        rows.extend(
            (line, block.position(), origin) for line in lines_in_band(block, top - origin.y(), bottom - origin.y())
        )
    if not rows:
        return []
    starts = [block_start + line.textStart() for line, block_start, _ in rows]
    last_line = rows[-1][0]
    rights: dict[int, float] = {}  # line number in the band -> where its text ends
    pieces: list[SpanPiece] = []
    for segment in highlighter.segments_between(starts[0], starts[-1] + last_line.textLength()):
        look = highlighter.look_of(segment.span_ids)
        for number in range(max(bisect_right(starts, segment.start) - 1, 0), len(rows)):
            line_start = starts[number]
            if line_start >= segment.end:
                break
            line, block_start, origin = rows[number]
            start, end = max(segment.start, line_start), min(segment.end, line_start + line.textLength())
            if start >= end:
                continue
            right = rights.get(number)
            if right is None:
                right = rights[number] = origin.x() + x_at(line, line.textStart()) + line.naturalTextWidth()
            rect = line_rect(line, origin, start - block_start, end - block_start)
            pieces.append(SpanPiece(rect, right, start, end, look, line, block_start, origin, segment.span_ids))
    return pieces


def paint_backgrounds(painter: QPainter, pieces: Iterable[SpanPiece]) -> None:
    for piece in pieces:
        painter.fillRect(_fill(piece.rect, piece.text_right), piece.look.background)


def paint_text_colors(
    painter: QPainter, pieces: Iterable[SpanPiece], text_color: QColor, covered: Iterable[QtRange], cursor: QRect
) -> None:
    """Draw again, in its own colour, the text of pieces that need another colour than
    ``text_color`` (what Qt drew it in), outside the ``covered`` Qt ranges (overlays Qt drew
    in their own colours) and the text ``cursor`` Qt drew."""
    covered = sorted(covered)
    wanted = text_color.rgba()
    pieces = list(pieces)
    for number, piece in enumerate(pieces):
        look = piece.look
        if look.foreground.rgba() == wanted:
            continue
        following = pieces[number + 1] if number + 1 < len(pieces) else None
        # Qt fills a piece followed by another on the same line before that one, which
        # then takes the pixel they share.
        shares_last_pixel = (
            following is not None and following.start == piece.end and following.line_top == piece.line_top
        )
        for start, end in _uncovered(piece.start, piece.end, covered):
            rect = line_rect(piece.line, piece.origin, start - piece.block_start, end - piece.block_start)
            fill = _fill(rect, piece.text_right)
            if shares_last_pixel and end == piece.end:
                fill.setRight(math.floor(rect.right()) - 1)
            painter.save()
            painter.setClipRegion(QRegion(fill).subtracted(QRegion(cursor)))
            painter.fillRect(fill, look.background)
            painter.setPen(look.foreground)
            piece.line.draw(painter, piece.origin)
            painter.restore()


WHOLE_VIEWPORT_PAST = 48  # changed ranges on screen past which one repaint of the viewport is cheaper


def ranges_to_repaint(
    view: QPlainTextEdit, ranges: list[tuple[int, int]], offset_at_qt: Callable[[int], int]
) -> list[tuple[int, int]]:
    """Those of the code-point ``ranges`` that meet the visible lines, to repaint one by one; past
    WHOLE_VIEWPORT_PAST, none: the whole viewport is asked for instead. A copy of 10k spans into a
    long document touches a screenful: the rest must cost nothing, not a walk of the visible lines
    each (4 s for 10k, measured)."""
    height = view.viewport().height()
    shown = list(visible_blocks(view, 0, height))
    if not shown:
        return []
    (first, first_origin), (last, last_origin) = shown[0], shown[-1]
    top_lines = lines_in_band(first, -first_origin.y(), height - first_origin.y())
    bottom_lines = lines_in_band(last, -last_origin.y(), height - last_origin.y())
    start = first.position() + (top_lines[0].textStart() if top_lines else 0)
    end = last.position() + last.length()
    if bottom_lines:
        end = last.position() + bottom_lines[-1].textStart() + bottom_lines[-1].textLength()
    top, bottom = offset_at_qt(start), offset_at_qt(end) + 1
    found = [(begin, finish) for begin, finish in ranges if begin < bottom and finish > top]
    if len(found) > WHOLE_VIEWPORT_PAST:
        view.viewport().update()
        return []
    return found


def visible_blocks(view: QPlainTextEdit, top: float, bottom: float) -> Iterator[tuple[QTextBlock, QPointF]]:
    """The view's visible blocks meeting the band [top, bottom] (viewport coordinates), each
    with its layout's origin."""
    offset = view.contentOffset()
    block = view.firstVisibleBlock()
    while block.isValid():
        geometry = view.blockBoundingGeometry(block).translated(offset)
        if geometry.top() > bottom:
            return
        if block.isVisible() and geometry.bottom() >= top:
            yield block, geometry.topLeft() + block.layout().position()
        block = block.next()


def lines_in_band(block: QTextBlock, top: float, bottom: float) -> list[QTextLine]:
    """The lines of ``block`` meeting the band top..bottom (in the layout's coordinates),
    found by bisection: line positions grow with their index."""
    layout = block.layout()
    count = layout.lineCount() if layout is not None else 0
    low, high = 0, count
    while low < high:  # the first line whose bottom reaches the band
        middle = (low + high) // 2
        line = layout.lineAt(middle)
        if line.y() + line.height() < top:
            low = middle + 1
        else:
            high = middle
    lines = []
    for number in range(low, count):
        line = layout.lineAt(number)
        if line.y() > bottom:
            break
        lines.append(line)
    return lines


def line_rect(line: QTextLine, origin: QPointF, start: int, end: int) -> QRectF:
    """The rectangle of block-relative positions [start, end) on ``line``, its full height."""
    left, right = x_at(line, start), x_at(line, end)
    if right < left:  # right-to-left text
        left, right = right, left
    return QRectF(origin.x() + left, origin.y() + line.y(), right - left, line.height())


def _fill(rect: QRectF, text_right: float) -> QRect:
    """What Qt fills for a character format's background: the text's part of ``rect``
    (not the spaces where the line wraps), aligned outwards to whole pixels."""
    if rect.left() >= text_right:
        return QRect()
    if rect.right() > text_right:
        rect = QRectF(rect.left(), rect.top(), text_right - rect.left(), rect.height())
    return rect.toAlignedRect()


def _uncovered(start: int, end: int, covered: list[QtRange]) -> list[QtRange]:
    """[start, end) minus the ``covered`` ranges (sorted by start)."""
    parts = []
    for covered_start, covered_end in covered:
        if covered_start >= end:
            break
        if covered_end <= start:
            continue
        if covered_start > start:
            parts.append((start, covered_start))
        start = max(start, covered_end)
        if start >= end:
            return parts
    parts.append((start, end))
    return parts
