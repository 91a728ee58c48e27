"""Where saved spans are drawn and how they look: a SegmentIndex the view paints from.

Why spans are not character formats: Qt keeps a block's formats as ranges on its layout,
and both laying out and painting a block cost time in proportion to those ranges. One
1 MB paragraph with 10,000 spans (~12,000 ranges) took Qt ~0.6 s per repaint against
~0.1 s bare, and any change of a block's formats (adding one span) makes Qt lay the
whole block out again (~0.4 s for 1 MB). So the document holds plain text only, and the
view paints the spans itself, on the visible lines only (ui/span_paint.py): adding or
removing a span updates this index and repaints the span's rectangle, never re-lays out
a block, and "formatting every span" of a new document is building this index.

How overlaps look: each segment (a run covered by one set of spans, see
``annotator.segments``) gets the background of its innermost span, with its text in black
or white as that colour needs (``ui.colors.text_color_on``); every span that encloses it
is drawn as a bar in a dark shade of its own label colour, one bar per nesting level
(ui/nesting_bars.py). So a CLAIM holding an ACTOR and a DATE shows the CLAIM tint between
them and a CLAIM bar under them.

A long text is loaded "deferred": its first screen is drawn from a small index of the
text's first part, and the offset table and the full index are built in two idle-time
slices after the first paint (each ~10 ms per MB), so opening never waits for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QColor

from annotator.layer_model import LayerChange, LayerModel
from annotator.schema import Schema
from annotator.segments import SegmentIndex
from annotator.text import OffsetMap
from ui.bridge import follow_layer
from ui.colors import label_color, line_color, text_color_on

__all__ = ["DEFER_ABOVE", "DrawnSpans", "QtSegment", "SpanHighlighter", "SpanLook"]

# Texts longer than this (code points) get their full index in idle time: ~10 ms at once is fine.
DEFER_ABOVE = 100_000


class SpanLook(NamedTuple):
    """How a segment is drawn: the labels of its spans, outermost first, and its colours."""

    labels: tuple[str, ...]
    background: QColor
    foreground: QColor


class QtSegment(NamedTuple):
    """A segment clipped to the range asked for, in Qt document positions."""

    start: int
    end: int
    span_ids: tuple[int, ...]


class DrawnSpans(NamedTuple):
    """What is drawn at one code point: the spans (outermost first) and their look (None: plain text)."""

    span_ids: tuple[int, ...]
    look: SpanLook | None


@dataclass(frozen=True)
class _FirstScreen:
    """Segments and offsets of the text's first screen only, to draw it before the full index exists.

    Valid for Qt positions up to ``qt_limit``: every span starting before the prefix's
    end is in ``index``, and ``offsets`` converts exactly up to there.
    """

    index: SegmentIndex
    offsets: OffsetMap
    qt_limit: int
    length: int  # the code points ``offsets`` covers


class SpanHighlighter(QObject):
    """Keeps the SegmentIndex of the layer's spans and says what is drawn where.

    Each change of the layer's spans updates the index and emits ``redraw`` with the
    code-point ranges whose drawing changed. A new document in the layer is taken up by
    ``load``, which the owner calls once the text is in place.
    """

    redraw = Signal(object)  # list of code-point ranges (start, end) to repaint
    completed = Signal()  # the full index of a deferred document is built

    def __init__(self, layer: LayerModel, schema: Schema | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._layer = layer
        self._schema = schema
        self._offsets = OffsetMap("")
        self._index: SegmentIndex | None = SegmentIndex()  # None: a deferred load has not built it yet
        self._first_screen: _FirstScreen | None = None
        self._looks: dict[tuple[str, ...], SpanLook] = {}
        self._line_colors: dict[str, QColor] = {}
        self._warm = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._idle_slice)
        follow_layer(self, layer, self._on_layer_change)

    @property
    def index(self) -> SegmentIndex:
        """Where every span of the document lies (built on first use after a deferred load)."""
        if self._index is None:
            self._index = SegmentIndex(self._layer.spans.values())
            self._first_screen = None
            self.completed.emit()  # whoever built it: idle time, a paint far down, an edit
        return self._index

    @property
    def offsets(self) -> OffsetMap:
        return self._offsets

    @property
    def is_complete(self) -> bool:
        """False while a deferred document's full index is not built yet."""
        return self._index is not None

    def load(self, offsets: OffsetMap | None = None, *, deferred: bool = False) -> None:
        """Take up the layer's new document (a long one ``deferred``: see the module doc)."""
        self._timer.stop()
        self._offsets = offsets or OffsetMap(self._layer.text)
        self._index = None if deferred else SegmentIndex(self._layer.spans.values())
        self._first_screen = None
        self._warm = not deferred

    def start_idle_work(self) -> None:
        """Build what a deferred load left, in slices between events (the view calls this once
        its first screen is painted, so that screen never waits for it)."""
        if self._index is None and not self._timer.isActive():
            self._timer.start()

    def finish_now(self) -> None:
        """Build whatever a deferred load has left, at once."""
        self._timer.stop()
        _ = self.index

    def _idle_slice(self) -> None:
        # The offset table and the index take ~10 ms each on 1 MB: one slice each.
        if not self._warm:
            self._warm = True
            self._offsets.to_qt(len(self._layer.text))
            self._timer.start()
        else:
            _ = self.index

    def _on_layer_change(self, change: LayerChange) -> None:
        """Update the index and ask for the changed ranges to be repainted (a new document
        waits for ``load``)."""
        if change.reset or not change.spans_touched:
            return
        if self._index is None:
            self.finish_now()  # built from the layer, which already holds the change
        else:
            for span in change.spans_removed:
                self._index.remove(span)
            for old, new in change.spans_changed:
                self._index.replace(old, new)
            for span in change.spans_added:
                self._index.add(span)
        self.redraw.emit(change.touched_ranges())

    # -- what is drawn where -------------------------------------------------------------

    def segments_between(self, qt_start: int, qt_end: int) -> list[QtSegment]:
        """The segments drawn in Qt positions [qt_start, qt_end), clipped to it (a paint asks
        for the text of its visible lines only)."""
        if qt_start >= qt_end:
            return []
        index, offsets = self._source_for(qt_end)
        first, last = offsets.from_qt(qt_start), offsets.from_qt(qt_end)
        to_qt = offsets.to_qt
        return [
            QtSegment(to_qt(max(segment.start, first)), to_qt(min(segment.end, last)), segment.span_ids)
            for segment in index.segments_in(first, last)
        ]

    def drawn_at(self, offset: int) -> DrawnSpans:
        """The spans drawn at code point ``offset`` and their look, as a paint draws them."""
        span_ids = self.index.span_ids_at(offset)
        return DrawnSpans(span_ids, self.look_of(span_ids) if span_ids else None)

    def offsets_for(self, qt_end: int) -> tuple[OffsetMap, int]:
        """An offset table exact up to Qt position ``qt_end``, and how many code points it covers:
        the first screen's while the full table is not built (the suggestions' paint shares it)."""
        _, offsets = self._source_for(qt_end)
        screen = self._first_screen
        return offsets, screen.length if screen is not None and offsets is screen.offsets else len(self._layer.text)

    def _source_for(self, qt_end: int) -> tuple[SegmentIndex, OffsetMap]:
        """The first-screen index while the full one is not built and ``qt_end`` lies in it."""
        if self._index is not None:
            return self._index, self._offsets
        screen = self._first_screen
        if screen is None:
            screen = self._first_screen = self._make_first_screen(qt_end)
        if qt_end <= screen.qt_limit:
            return screen.index, screen.offsets
        return self.index, self._offsets

    def _make_first_screen(self, qt_limit: int) -> _FirstScreen:
        # A Qt position stands for at most two code points (a CRLF), so the first
        # 2 * qt_limit code points hold every position up to qt_limit; a prefix must not
        # end between CR and LF, where its own map would disagree with the whole text's.
        text = self._layer.text
        cut = min(len(text), 2 * qt_limit + 1)
        if text[cut - 1 : cut + 1] == "\r\n":
            cut += 1
        offsets = OffsetMap(text[:cut])
        index = SegmentIndex(span for span in self._layer.spans.values() if span.start < cut)
        return _FirstScreen(index, offsets, min(qt_limit, offsets.to_qt(cut)), cut)

    # -- looks -------------------------------------------------------------------------

    def look_of(self, span_ids: tuple[int, ...]) -> SpanLook:
        """The look of a segment covered by ``span_ids`` (outermost first): its innermost span's colour."""
        spans = self._layer.spans
        labels = tuple(spans[span_id].label for span_id in span_ids)
        look = self._looks.get(labels)
        if look is None:
            background = self.color_of(labels[-1])
            look = self._looks[labels] = SpanLook(labels, background, text_color_on(background))
        return look

    def color_of(self, label: str) -> QColor:
        spec = self._schema.label(label) if self._schema is not None else None
        return label_color(spec.color if spec is not None else None)

    def bar_color_of(self, label: str) -> QColor:
        color = self._line_colors.get(label)
        if color is None:
            color = self._line_colors[label] = line_color(self.color_of(label))
        return color
