"""Saved spans drawn in their label colours by a QSyntaxHighlighter.

How overlaps look: each segment (a run covered by one set of spans, see
``annotator.segments``) gets the background of its innermost span; every span that
encloses it is drawn as a bar in a dark shade of its own label colour, one bar per
nesting level: the outermost along the bottom of the line, the next along its top. So a CLAIM holding an
ACTOR and a DATE shows the CLAIM tint between them and a CLAIM bar under them.
Character formats have no thickness for underlines, so the bars are painted by the
view (ui/nesting_bars.py) from the labels each format carries.

Qt calls ``highlightBlock`` for every block when the text is set, so per-block work is
two bisections plus the segments in that block, never a scan of all spans. Even so,
formatting a 1 MB article takes ~100 ms of Python, so a long text is loaded "deferred":
the setPlainText pass formats nothing, the visible blocks are formatted at once from
a small index of the text's first screen, and the rest in idle-time slices of a few ms.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QSyntaxHighlighter,
    QTextBlock,
    QTextCharFormat,
    QTextDocument,
    QTextFormat,
)

from annotator.layer_model import LayerChange, LayerModel
from annotator.schema import Schema
from annotator.segments import SegmentIndex
from annotator.text import OffsetMap
from ui.bridge import follow_layer
from ui.colors import label_color, line_color, text_color_on
from ui.nesting_bars import NestingBars

__all__ = ["SPAN_IDS", "SPAN_LABELS", "SpanHighlighter", "span_ids_of", "span_labels_of"]

# Carried by every span format, outermost first, so the view and tests can tell
# which spans are drawn at a position without redoing the segment maths. Stored as
# strings: Qt files every format of a block in the document's format collection, keyed
# by a hash that covers a string's content but only the type of a Python object, so
# tuples would make all 10,000 formats of a long article collide (seconds per paint).
SPAN_IDS = int(QTextFormat.Property.UserProperty) + 1
SPAN_LABELS = int(QTextFormat.Property.UserProperty) + 2
_SEPARATOR = "\x1f"  # ASCII unit separator: never part of a label name
# Texts longer than this (code points) are formatted deferred: ~10 ms of work at once is fine.
DEFER_ABOVE = 100_000
SLICE_SECONDS = 0.008  # one idle-time slice: short enough not to be felt while scrolling


def span_ids_of(fmt: QTextFormat) -> tuple[int, ...]:
    """The ids of the spans a format draws, outermost first (empty for plain text)."""
    value = fmt.property(SPAN_IDS)
    return tuple(int(part) for part in value.split(_SEPARATOR)) if value else ()


def span_labels_of(fmt: QTextFormat) -> tuple[str, ...]:
    """The labels of the spans a format draws, outermost first (empty for plain text)."""
    value = fmt.property(SPAN_LABELS)
    return tuple(value.split(_SEPARATOR)) if value else ()


@dataclass(frozen=True)
class _FirstScreen:
    """Segments and offsets of the text's first screen only, to draw it before the full index exists.

    Valid for blocks ending at or before ``qt_limit``: every span starting before the
    prefix's end is in ``index``, and ``offsets`` converts exactly up to there.
    """

    index: SegmentIndex
    offsets: OffsetMap
    qt_limit: int


class SpanHighlighter(QSyntaxHighlighter):
    """Formats the blocks of the layer's document from a SegmentIndex of where its spans lie.

    The spans themselves are read from the layer; each change of it redraws the blocks it
    touched. A new document in the layer is taken up by ``load``, which the owner calls
    once the text is in place.
    """

    completed = Signal()  # every block of a deferred document is formatted

    def __init__(self, layer: LayerModel, schema: Schema | None, document: QTextDocument) -> None:
        super().__init__(document)
        self._layer = layer
        self._offsets = OffsetMap("")
        self._index: SegmentIndex | None = None  # None: not built yet (first use, or a deferred load)
        self._first_screen: _FirstScreen | None = None
        self._schema = schema
        self._looks: dict[tuple[str, ...], QTextCharFormat] = {}
        self.nesting_bars = NestingBars(span_labels_of, self.bar_color_of)  # painted by the view
        self._line_colors: dict[str, QColor] = {}
        # Deferred loads: skip the setPlainText pass (if attached to edits at all), then
        # track which blocks are formatted.
        self._skip_all = False
        self._done: bytearray | None = None
        self._remaining = 0
        self._next_block = 0
        self._warm = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._format_some)
        follow_layer(self, layer, self._on_layer_change)

    @property
    def index(self) -> SegmentIndex:
        """Where every span of the document lies (built on first use after a load)."""
        if self._index is None:
            self._index = SegmentIndex(self._layer.spans.values())
            self._first_screen = None
        return self._index

    @property
    def offsets(self) -> OffsetMap:
        return self._offsets

    @property
    def is_complete(self) -> bool:
        """False while blocks of a deferred document are still unformatted."""
        return self._done is None and not self._skip_all

    def load(self, offsets: OffsetMap | None = None, *, deferred: bool = False) -> None:
        """Take up the layer's new document without redrawing: the caller sets the text next,
        and QSyntaxHighlighter formats every block on that change (nothing, if ``deferred``:
        then the caller calls ``begin_deferred`` once the text is in the document)."""
        self._timer.stop()
        self._offsets = offsets or OffsetMap(self._layer.text)
        self._index = None if deferred else SegmentIndex(self._layer.spans.values())
        self._first_screen = None
        self.nesting_bars.clear()
        self._skip_all, self._done, self._warm = deferred, None, False

    def begin_deferred(self) -> None:
        """The text is in the document: format visible blocks on request (``highlight_blocks``)
        and the rest in idle time once ``start_idle_work`` is called."""
        if not self._skip_all:
            return
        document = self.document()
        self._skip_all = False
        self._done = bytearray(document.blockCount() if document is not None else 0)
        self._remaining, self._next_block = len(self._done), 0
        if not self._done:
            self._stop_deferred()

    def start_idle_work(self) -> None:
        """Format the remaining blocks in slices between events (the view calls this once
        its first screen is painted, so that screen never waits for the rest)."""
        if self._done is not None and not self._timer.isActive():
            self._timer.start()

    def finish_now(self) -> None:
        """Format whatever a deferred load has left, at once (tests, export of a rendering)."""
        while self._done is not None:
            self._format_some(deadline=float("inf"))

    def _on_layer_change(self, change: LayerChange) -> None:
        """Update the index and redraw only the blocks whose spans changed (a new document
        waits for ``load``)."""
        if change.reset or not change.spans_touched:
            return
        if self._index is None:
            _ = self.index  # built from the layer, which already holds the change
        else:
            for span in change.spans_removed:
                self._index.remove(span)
            for old, new in change.spans_changed:
                self._index.replace(old, new)
            for span in change.spans_added:
                self._index.add(span)
        self.rehighlight_ranges(change.touched_ranges())

    def rehighlight_ranges(self, ranges: Iterable[tuple[int, int]]) -> int:
        """Redraw the blocks overlapping the code-point ranges; returns how many."""
        document = self.document()
        if document is None:
            return 0
        numbers: set[int] = set()
        length = len(self._layer.text)
        for start, end in ranges:
            start, end = min(start, length), min(end, length)
            if start >= end:
                continue
            first = document.findBlock(self._offsets.to_qt(start))
            last = document.findBlock(self._offsets.to_qt(end) - 1).blockNumber()
            block = first
            while block.isValid() and block.blockNumber() <= last:
                numbers.add(block.blockNumber())
                block = block.next()
        for number in sorted(numbers):
            self.rehighlightBlock(document.findBlockByNumber(number))
        return len(numbers)

    def highlight_blocks(self, first: int, last: int) -> None:
        """Format blocks ``first..last`` (numbers) now if a deferred load has not yet: the view
        calls this for the blocks it is about to paint."""
        document = self.document()
        if self._done is None or document is None:
            return
        last = min(last, len(self._done) - 1)
        if self._index is None and self._first_screen is None:
            end = document.findBlockByNumber(last)
            self._first_screen = self._make_first_screen(end.position() + end.length())
        block = document.findBlockByNumber(first)
        for number in range(first, last + 1):
            self._format_pending(block, number)
            block = block.next()

    # -- deferred formatting -----------------------------------------------------------

    def _make_first_screen(self, qt_limit: int) -> _FirstScreen:
        # A Qt position stands for at most two code points (a CRLF), so the first
        # 2 * qt_limit code points hold every block ending by qt_limit; a prefix must not
        # end between CR and LF, where its own map would disagree with the whole text's.
        text = self._layer.text
        cut = min(len(text), 2 * qt_limit + 1)
        if text[cut - 1 : cut + 1] == "\r\n":
            cut += 1
        offsets = OffsetMap(text[:cut])
        index = SegmentIndex(span for span in self._layer.spans.values() if span.start < cut)
        return _FirstScreen(index, offsets, min(qt_limit, offsets.to_qt(cut)))

    def _format_some(self, deadline: float | None = None) -> None:
        """One idle-time slice: build the offset table, then the index, then format blocks."""
        document = self.document()
        if self._done is None or document is None:
            return
        if deadline is None:
            deadline = time.perf_counter() + SLICE_SECONDS
            # The two builds take ~10 ms each on 1 MB: one slice each, so no slice is long.
            if not self._warm:
                self._warm = True
                self._offsets.to_qt(len(self._layer.text))
                self._timer.start()
                return
            if self._index is None:
                _ = self.index
                self._timer.start()
                return
        block = document.findBlockByNumber(self._next_block)
        while block.isValid() and self._done is not None and time.perf_counter() < deadline:
            self._format_pending(block, self._next_block)
            self._next_block += 1
            block = block.next()
        if not block.isValid() and self._done is not None:
            self._stop_deferred()  # the document changed under us; nothing left to walk
            self.completed.emit()
        elif self._done is not None:
            self._timer.start()

    def _format_pending(self, block: QTextBlock, number: int) -> None:
        """Format a block the deferred load has not reached yet. One without spans needs
        nothing, the text being freshly set: that skips the blank lines between paragraphs."""
        if self._done is None or self._done[number]:
            return
        index, offsets = self._source_for(block)
        first = offsets.from_qt(block.position())
        if index.segments_in(first, offsets.from_qt(block.position() + block.length() - 1)):
            self.rehighlightBlock(block)
        else:
            self._mark_done(number)

    def _source_for(self, block: QTextBlock) -> tuple[SegmentIndex, OffsetMap]:
        """The first-screen index while the full one is not built and the block lies in it."""
        screen = self._first_screen
        if self._index is None and screen is not None and block.position() + block.length() - 1 <= screen.qt_limit:
            return screen.index, screen.offsets
        return self.index, self._offsets

    def _mark_done(self, number: int) -> None:
        if self._done is None or self._done[number]:
            return
        self._done[number] = 1
        self._remaining -= 1
        if self._remaining == 0:
            self._stop_deferred()
            self.completed.emit()

    def _stop_deferred(self) -> None:
        self._timer.stop()
        self._done, self._skip_all = None, False

    # -- drawing -----------------------------------------------------------------------

    def highlightBlock(self, text: str) -> None:
        if self._skip_all:
            return  # the setPlainText pass of a deferred load: blocks are formatted later
        block = self.currentBlock()
        self.nesting_bars.forget(block.blockNumber())
        position = block.position()
        if self._done is not None:
            self._mark_done(block.blockNumber())
        index, offsets = self._source_for(block)
        first = offsets.from_qt(position)
        # ``text`` holds the block's code points exactly (only CR/LF become separators).
        last = min(first + len(text), len(self._layer.text))
        to_qt = offsets.to_qt
        for segment in index.segments_in(first, last):
            start = to_qt(max(segment.start, first))
            end = to_qt(min(segment.end, last))
            self.setFormat(start - position, end - start, self._format(segment.span_ids))

    def _format(self, span_ids: tuple[int, ...]) -> QTextCharFormat:
        spans = self._layer.spans
        labels = tuple(spans[span_id].label for span_id in span_ids)
        look = self._looks.get(labels)
        if look is None:
            look = self._looks[labels] = self._make_look(labels)
        fmt = QTextCharFormat(look)
        fmt.setProperty(SPAN_IDS, _SEPARATOR.join(map(str, span_ids)))
        return fmt

    def _make_look(self, labels: tuple[str, ...]) -> QTextCharFormat:
        background = self.color_of(labels[-1])
        fmt = QTextCharFormat()
        fmt.setBackground(background)
        fmt.setForeground(text_color_on(background))
        fmt.setProperty(SPAN_LABELS, _SEPARATOR.join(labels))
        return fmt

    def color_of(self, label: str) -> QColor:
        spec = self._schema.label(label) if self._schema is not None else None
        return label_color(spec.color if spec is not None else None)

    def bar_color_of(self, label: str) -> QColor:
        color = self._line_colors.get(label)
        if color is None:
            color = self._line_colors[label] = line_color(self.color_of(label))
        return color
