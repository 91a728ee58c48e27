"""The bars under nested spans: one per enclosing span, painted by the view over the text.

Character formats have no thickness for underlines, so the view paints these bars itself
from the labels each format range carries (``SPAN_LABELS``, set by the highlighter). A paint
touches only the lines of the band being painted, and a block's nested ranges are read from
its layout once, until the highlighter formats that block again.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QTextBlock, QTextFormat, QTextLine

from ui.text_line import x_at

NestedRange = tuple[int, int, tuple[str, ...]]  # block-relative Qt start, end, labels outermost first


class NestingBars:
    """Finds and paints the bars of one document's blocks; ``labels_of`` reads a format's labels."""

    def __init__(self, labels_of: Callable[[QTextFormat], tuple[str, ...]], color_of: Callable[[str], QColor]) -> None:
        self._labels_of = labels_of
        self._color_of = color_of
        # Block number -> its nested format ranges (the text of an open document never changes).
        self._nested: dict[int, list[NestedRange]] = {}

    def forget(self, block_number: int) -> None:
        """The block is being formatted anew."""
        self._nested.pop(block_number, None)

    def clear(self) -> None:
        """Another document."""
        self._nested.clear()

    def paint(
        self, painter: QPainter, block: QTextBlock, origin: QPointF, bar: float, top: float, bottom: float
    ) -> None:
        """Bars under the segments of ``block`` for each enclosing span (see the module doc).

        ``origin`` is the block's top-left in the painter's coordinates; ``bar`` the
        thickness of one bar; ``top``..``bottom`` the band being painted. Only the block's
        lines in that band are touched: one paragraph can hold a whole 1 MB article, and a
        walk over all its lines for each nested span was quadratic on every paint.
        """
        for rect, label in self.bars(block, origin, bar, top, bottom):
            painter.fillRect(rect, self._color_of(label))

    def bars(
        self, block: QTextBlock, origin: QPointF, bar: float, top: float, bottom: float
    ) -> list[tuple[QRectF, str]]:
        """The bars ``paint`` paints: (rectangle, label of the enclosing span)."""
        lines = _lines_in_band(block, top - origin.y(), bottom - origin.y())
        if not lines:
            return []
        shown_start = lines[0].textStart()
        shown_end = lines[-1].textStart() + lines[-1].textLength()
        nested = self._nested_ranges(block)
        bars: list[tuple[QRectF, str]] = []
        # The ranges are disjoint and sorted, so their ends are too: start at the first one
        # that ends after the shown text begins.
        for index in range(bisect_right(nested, shown_start, key=_range_end), len(nested)):
            start, end, labels = nested[index]
            if start >= shown_end:
                break
            for line in lines:
                line_start = line.textStart()
                line_end = line_start + line.textLength()
                if line_end <= start or line_start >= end:
                    continue
                left = x_at(line, max(start, line_start))
                right = x_at(line, min(end, line_end))
                if right < left:  # right-to-left text
                    left, right = right, left
                line_top = origin.y() + line.y()
                line_bottom = line_top + line.height()
                for level, label in enumerate(labels[:-1]):
                    rect = QRectF(origin.x() + left, _bar_top(level, line_top, line_bottom, bar), right - left, bar)
                    bars.append((rect, label))
        return bars

    def _nested_ranges(self, block: QTextBlock) -> list[NestedRange]:
        """The block's format ranges with more than one span, sorted; kept until the block is
        formatted again (reading every format range of a 1 MB block on each paint is not free)."""
        number = block.blockNumber()
        nested = self._nested.get(number)
        if nested is None:
            nested = sorted(
                (r.start, r.start + r.length, labels)
                for r in block.layout().formats()
                if len(labels := self._labels_of(r.format)) > 1
            )
            self._nested[number] = nested
        return nested


def _range_end(nested: NestedRange) -> int:
    return nested[1]


def _lines_in_band(block: QTextBlock, top: float, bottom: float) -> list[QTextLine]:
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


def _bar_top(level: int, line_top: float, line_bottom: float, bar: float) -> float:
    """Where the bar of nesting ``level`` goes: outermost along the bottom of the line
    (where an underline sits), the next along the top (above capitals, where the line box
    is mostly empty), deeper ones stacked up from the bottom."""
    if level == 0:
        return line_bottom - bar
    if level == 1:
        return line_top
    return line_bottom - level * bar
