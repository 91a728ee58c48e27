"""Where the spans of one layer lie, cut into non-overlapping segments, for drawing.

A text widget formats each character once, so overlapping spans must first be cut
into segments: maximal runs of code points covered by the same set of spans. Every
segment boundary is an endpoint of some non-empty span, and at every such endpoint
the covering set changes (that span enters or leaves), so the segments are exactly
the covered pieces between consecutive distinct endpoints.

An edit moves endpoints only at the edited span's ends, so it only has to re-cut
the segments touching that span: the index stays local on edits and never rebuilds
the whole layer, which keeps adding a span to a 10,000-span article cheap.

The index keeps each span's extent and id only; what a span is (label, text,
attributes) is looked up by id in the layer (annotator/layer_model.py), which holds
the one copy. So an edit hands over the span as it was and as it is.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from typing import NamedTuple

from annotator.models import Span

__all__ = ["Segment", "SegmentIndex"]

CodePointRange = tuple[int, int]
_Key = tuple[int, int, int]  # (start, end, id)


class Segment(NamedTuple):
    """Code points [start, end) covered by exactly the spans ``span_ids`` (outermost first)."""

    start: int
    end: int
    span_ids: tuple[int, ...]


def _key(span: Span) -> _Key:
    return (span.start, span.end, span.id)


def _nesting_key(key: _Key) -> _Key:
    # Outermost first: the longer span encloses; ties broken so the order is total.
    start, end, span_id = key
    return (start - end, start, span_id)


class SegmentIndex:
    """The extents of one layer's spans plus the segments they make, both kept sorted for bisection."""

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        self._ids: set[int] = set()
        keys: list[_Key] = []
        for span in spans:
            self._check_new(span)
            self._ids.add(span.id)
            keys.append(_key(span))
        # (start, end, id) sorted: spans overlapping a window are found by bisecting on
        # start, going back at most the longest span length.
        keys.sort()
        self._by_start: list[_Key] = keys
        self._lengths: Counter[int] = Counter(end - start for start, end, _ in keys)
        self._longest = max(self._lengths, default=0)
        # Segments as parallel lists, so bisect runs on plain ints.
        self._seg_start: list[int] = []
        self._seg_end: list[int] = []
        self._seg_ids: list[tuple[int, ...]] = []
        self._seg_start, self._seg_end, self._seg_ids = self._cut(keys, None)

    # -- queries ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_start)

    def __contains__(self, span_id: object) -> bool:
        return span_id in self._ids

    def segments_in(self, lo: int, hi: int) -> list[Segment]:
        """The segments overlapping [lo, hi), in text order (unclipped)."""
        first = bisect_right(self._seg_end, lo)
        last = bisect_left(self._seg_start, hi, lo=first)
        return [Segment(self._seg_start[i], self._seg_end[i], self._seg_ids[i]) for i in range(first, last)]

    def segment_count(self) -> int:
        return len(self._seg_start)

    def span_ids_at(self, offset: int) -> tuple[int, ...]:
        """The ids of the spans covering code point ``offset``, outermost first."""
        i = bisect_right(self._seg_start, offset) - 1
        if i < 0 or offset >= self._seg_end[i]:
            return ()
        return self._seg_ids[i]

    # -- edits (each returns the code-point range whose rendering changed) ---------------

    def add(self, span: Span) -> CodePointRange:
        self._check_new(span)
        self._ids.add(span.id)
        insort(self._by_start, _key(span))
        length = span.end - span.start
        self._lengths[length] += 1
        self._longest = max(self._longest, length)
        self._recut(span.start, span.end)
        return span.start, span.end

    def remove(self, span: Span) -> CodePointRange:
        """Take out ``span``, as it was added (its old version, if it changed since)."""
        key = _key(span)
        at = bisect_left(self._by_start, key)
        if at == len(self._by_start) or self._by_start[at] != key:
            raise KeyError(f"span {span.id} at {span.start}..{span.end} is not in the index")
        del self._by_start[at]
        self._ids.discard(span.id)
        length = span.end - span.start
        self._lengths[length] -= 1
        if not self._lengths[length]:
            del self._lengths[length]
            if length == self._longest:
                self._longest = max(self._lengths, default=0)
        self._recut(span.start, span.end)
        return span.start, span.end

    def replace(self, old: Span, new: Span) -> CodePointRange:
        """Swap a span's old version for its new one (label or attributes changed, or even its ends)."""
        if (old.start, old.end, old.id) == (new.start, new.end, new.id):
            # Same ends, same nesting order: the segments stand, only their look changes.
            return new.start, new.end
        self.remove(old)
        self.add(new)
        return min(old.start, new.start), max(old.end, new.end)

    # -- internals -------------------------------------------------------------------

    def _check_new(self, span: Span) -> None:
        if span.id in self._ids:
            raise ValueError(f"span {span.id} is already in the index")
        if not 0 <= span.start <= span.end:
            raise ValueError(f"span {span.id} has bad offsets {span.start}..{span.end}")

    def _recut(self, start: int, end: int) -> None:
        """Re-cut the segments after the span [start, end) entered or left."""
        # Widen the window to the segments touching [start, end): a segment that only
        # touches it may merge with, or be split by, what now lies inside. Outside the
        # window every boundary is the endpoint of an unchanged span, so nothing there moves.
        first = bisect_left(self._seg_end, start)
        last = bisect_right(self._seg_start, end, lo=first)
        lo = min(start, self._seg_start[first]) if first < last else start
        hi = max(end, self._seg_end[last - 1]) if first < last else end
        starts, ends, ids = self._cut(self._overlapping(lo, hi), (lo, hi))
        self._seg_start[first:last] = starts
        self._seg_end[first:last] = ends
        self._seg_ids[first:last] = ids

    def _overlapping(self, lo: int, hi: int) -> list[_Key]:
        """Non-empty spans overlapping [lo, hi): those starting in (lo - longest, hi)."""
        i = bisect_right(self._by_start, (lo - self._longest, float("inf")))
        j = bisect_left(self._by_start, (hi,), lo=i)
        return [key for key in self._by_start[i:j] if key[1] > lo and key[1] > key[0]]

    def _cut(
        self, spans: list[_Key], window: CodePointRange | None
    ) -> tuple[list[int], list[int], list[tuple[int, ...]]]:
        """Segments of ``spans`` (clipped to ``window`` if given) by one sweep over endpoints."""
        lo, hi = window if window is not None else (0, max((key[1] for key in spans), default=0))
        # (position, 0 = leaves / 1 = enters, nesting key): plain tuples sort in C, which
        # keeps building 10,000 spans at about 10 ms.
        events: list[tuple[int, int, _Key]] = []
        for span in spans:
            start, end = max(span[0], lo), min(span[1], hi)
            if start < end:
                key = _nesting_key(span)
                events.append((start, 1, key))
                events.append((end, 0, key))
        events.sort()
        starts: list[int] = []
        ends: list[int] = []
        ids: list[tuple[int, ...]] = []
        active: list[_Key] = []  # nesting keys, outermost first
        count = len(events)
        i = 0
        while i < count:
            position = events[i][0]
            while i < count and events[i][0] == position:
                _, enters, key = events[i]
                if enters:
                    insort(active, key)
                else:
                    del active[bisect_left(active, key)]
                i += 1
            if active and i < count:
                starts.append(position)
                ends.append(events[i][0])
                ids.append((active[0][2],) if len(active) == 1 else tuple(key[2] for key in active))
        return starts, ends, ids
