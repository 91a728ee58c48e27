"""The open layer's relations by the stretch of text they cover, for the arcs of the visible lines.

A relation covers the code points from the start of its first end to the start of its
other end. The arcs of a screen are the relations whose stretch meets the screen's, found
by bisection over the stretches sorted by their first offset (a relation reaches back at
most the longest stretch): a paint touches the relations near the screen, not all 2,000.
Each change of the layer moves the few entries it touched (no rebuild per edit).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping

from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Relation, Span

__all__ = ["RelationIndex"]

_Entry = tuple[int, int, int]  # (first offset, last offset, relation id)


class RelationIndex:
    """The layer's relations as stretches of text, sorted; kept up to date by ``apply``."""

    def __init__(self, layer: LayerModel) -> None:
        self._layer = layer
        self._entries: list[_Entry] = []
        self._entry_of: dict[int, _Entry] = {}
        self._by_span: dict[int, set[int]] = {}  # span id -> the relations it is an end of
        self._ends: dict[int, tuple[int, int]] = {}  # relation id -> (head span id, tail span id)
        self._longest = 0
        self._stale = True  # a new document's entries are built when first asked for (after its first paint)

    def reload(self) -> None:
        """Forget the entries: the next question builds them from the layer."""
        self._stale = True

    def _build(self) -> None:
        self._stale = False
        self._entry_of, self._by_span, self._ends, self._longest = {}, {}, {}, 0
        spans = dict(self._layer.spans)  # one copy: lookups in the layer's read-only view cost more
        for relation in self._layer.relations.values():
            self._add(relation, spans, sort=False)
        self._entries = sorted(self._entry_of.values())

    def apply(self, change: LayerChange) -> None:
        if change.reset or self._stale:
            self.reload()
            return
        stale = {relation.id for relation in change.relations_removed}
        for span in (*change.spans_removed, *(new for _old, new in change.spans_changed)):
            stale |= self._by_span.get(span.id, set())
        for relation_id in stale:
            self._remove(relation_id)
        relations, spans = self._layer.relations, self._layer.spans
        for relation_id in stale:
            if relation_id in relations:
                self._add(relations[relation_id], spans, sort=True)
        for relation in change.relations_added:
            if relation.id not in self._entry_of:
                self._add(relation, spans, sort=True)

    def between(self, first: int, last: int) -> list[int]:
        """Ids of the relations whose stretch meets code points [first, last]."""
        if self._stale:
            self._build()
        entries = self._entries
        low = bisect.bisect_left(entries, (first - self._longest, -1, -1))
        high = bisect.bisect_right(entries, (last, 1 << 62, 1 << 62))
        return [relation_id for lo, hi, relation_id in entries[low:high] if hi >= first]

    def of_span(self, span_id: int) -> set[int]:
        if self._stale:
            self._build()
        return self._by_span.get(span_id, set())

    def __len__(self) -> int:
        if self._stale:
            self._build()
        return len(self._entries)

    def _add(self, relation: Relation, spans: Mapping[int, Span], *, sort: bool) -> None:
        head, tail = spans.get(relation.head), spans.get(relation.tail)
        if head is None or tail is None:
            return
        entry = (min(head.start, tail.start), max(head.start, tail.start), relation.id)
        self._entry_of[relation.id] = entry
        self._longest = max(self._longest, entry[1] - entry[0])
        self._ends[relation.id] = (relation.head, relation.tail)
        self._by_span.setdefault(relation.head, set()).add(relation.id)
        self._by_span.setdefault(relation.tail, set()).add(relation.id)
        if sort:
            bisect.insort(self._entries, entry)

    def _remove(self, relation_id: int) -> None:
        entry = self._entry_of.pop(relation_id, None)
        if entry is None:
            return
        del self._entries[bisect.bisect_left(self._entries, entry)]
        for span_id in self._ends.pop(relation_id, ()):
            self._by_span.get(span_id, set()).discard(relation_id)
