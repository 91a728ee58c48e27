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

from array import array
from bisect import bisect_left, bisect_right, insort
from collections import Counter
from collections.abc import Iterable
from itertools import compress, count, islice
from operator import eq
from typing import NamedTuple

from annotator.models import Span

__all__ = ["Segment", "SegmentIndex"]

CodePointRange = tuple[int, int]
_Key = tuple[int, int, int]  # (start, end, id)
# The spans covering one segment, outermost first: a lone span (most segments) is its bare id.
_SegmentIds = int | tuple[int, ...]


class Segment(NamedTuple):
    """Code points [start, end) covered by exactly the spans ``span_ids`` (outermost first)."""

    start: int
    end: int
    span_ids: tuple[int, ...]


def _key(span: Span) -> _Key:
    return (span.start, span.end, span.id)


def _bad_offsets(span_id: int, start: int, end: int) -> ValueError:
    return ValueError(f"span {span_id} has bad offsets {start}..{end}")


def _first_repeated(sorted_ids: array[int]) -> int | None:
    """The first id that sorted_ids holds twice, None if none (compared in C, not in a loop)."""
    at = next(compress(count(), map(eq, sorted_ids, islice(sorted_ids, 1, None))), None)
    return None if at is None else sorted_ids[at]


def _as_tuple(ids: _SegmentIds) -> tuple[int, ...]:
    return ids if isinstance(ids, tuple) else (ids,)


class SegmentIndex:
    """The extents of one layer's spans plus the segments they make, both kept sorted for bisection.

    An open document keeps its index as long as it is shown, so it holds what it must and little
    more: its keys and segment bounds share the spans' own int objects, the ids are a sorted array
    of machine integers (not a set), and a segment of one span keeps that span's bare id (not a
    1-tuple). For a 10,000-span article that is ~1.1 MiB instead of ~2 MiB.
    """

    def __init__(self, spans: Iterable[Span] = ()) -> None:
        # (start, end, id) sorted: spans overlapping a window are found by bisecting on
        # start, going back at most the longest span length.
        keys = sorted([(span.start, span.end, span.id) for span in spans])
        for start, end, span_id in keys:
            if not 0 <= start <= end:
                raise _bad_offsets(span_id, start, end)
        self._by_start: list[_Key] = keys
        self._ids = array("q", sorted([key[2] for key in keys]))  # bisected for membership
        twice = _first_repeated(self._ids)
        if twice is not None:
            raise ValueError(f"span {twice} is already in the index")
        self._lengths: Counter[int] = Counter(end - start for start, end, _ in keys)
        self._longest = max(self._lengths, default=0)
        # Segments as parallel lists, so bisect runs on plain ints.
        self._seg_start: list[int] = []
        self._seg_end: list[int] = []
        self._seg_ids: list[_SegmentIds] = []
        self._seg_start, self._seg_end, self._seg_ids = self._cut(keys, None)

    # -- queries ---------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._by_start)

    def __contains__(self, span_id: object) -> bool:
        return isinstance(span_id, int) and self._id_at(span_id) is not None

    def segments_in(self, lo: int, hi: int) -> list[Segment]:
        """The segments overlapping [lo, hi), in text order (unclipped)."""
        first = bisect_right(self._seg_end, lo)
        last = bisect_left(self._seg_start, hi, lo=first)
        return [Segment(self._seg_start[i], self._seg_end[i], _as_tuple(self._seg_ids[i])) for i in range(first, last)]

    def segment_count(self) -> int:
        return len(self._seg_start)

    def span_ids_at(self, offset: int) -> tuple[int, ...]:
        """The ids of the spans covering code point ``offset``, outermost first."""
        i = bisect_right(self._seg_start, offset) - 1
        if i < 0 or offset >= self._seg_end[i]:
            return ()
        return _as_tuple(self._seg_ids[i])

    # -- edits (each returns the code-point range whose rendering changed) ---------------

    def add(self, span: Span) -> CodePointRange:
        if not 0 <= span.start <= span.end:
            raise _bad_offsets(span.id, span.start, span.end)
        if self._id_at(span.id) is not None:
            raise ValueError(f"span {span.id} is already in the index")
        insort(self._ids, span.id)
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
        id_at = self._id_at(span.id)
        if id_at is not None:
            del self._ids[id_at]
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

    def _id_at(self, span_id: int) -> int | None:
        """Where ``span_id`` is in the sorted ids, None if it is not there."""
        i = bisect_left(self._ids, span_id)
        return i if i < len(self._ids) and self._ids[i] == span_id else None

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

    def _cut(self, spans: list[_Key], window: CodePointRange | None) -> tuple[list[int], list[int], list[_SegmentIds]]:
        """Segments of ``spans`` (clipped to ``window`` if given) by one sweep over endpoints."""
        lo, hi = window if window is not None else (0, max((key[1] for key in spans), default=0))
        # (position, 0 = leaves / 1 = enters, nesting key): plain tuples sort in C, which
        # keeps building 10,000 spans at about 10 ms.
        events: list[tuple[int, int, _Key]] = []
        for span_start, span_end, span_id in spans:
            start = span_start if span_start > lo else lo
            end = span_end if span_end < hi else hi
            if start < end:
                # Outermost first: the longer span encloses; ties broken so the order is total.
                key = (span_start - span_end, span_start, span_id)
                events.append((start, 1, key))
                events.append((end, 0, key))
        events.sort()
        starts: list[int] = []
        ends: list[int] = []
        ids: list[_SegmentIds] = []
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
                ids.append(active[0][2] if len(active) == 1 else tuple(key[2] for key in active))
        return starts, ends, ids
