"""The open document's suggestions the edited layer has still to decide, by position (no Qt).

What is shown follows store.open_suggestions' rule without reading the database again on every
edit: a stored suggestion is shown unless the layer has that span (start, end, label) or has
rejected it. The layer's spans come from its LayerModel's changes, the rejections from the
suggestion commands' SuggestionChanges (annotator/commands/suggestions.py), so an accept, a
reject and their undo each cost the keys they touch.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Sequence
from operator import itemgetter

from annotator.layer_model import LayerChange
from annotator.models import Span
from annotator.suggest.base import SuggestedRelation
from annotator.suggest.store import StoredSuggestion
from annotator.suggestion_edits import DocumentSuggestionState

__all__ = ["Interval", "ShownSuggestions", "key_of"]

Interval = tuple[int, int, str]  # start, end, label
_KEY = itemgetter(0, 1, 2)  # a suggestion's Interval, made in C
Range = tuple[int, int]


def key_of(suggestion: StoredSuggestion) -> Interval:
    return suggestion.start, suggestion.end, suggestion.label


class ShownSuggestions:
    """Stored suggestions, the layer's span keys and rejections; the undecided ones sorted by key."""

    def __init__(self) -> None:
        self.document_id: int | None = None
        self.relations: tuple[SuggestedRelation, ...] = ()
        self._stored: dict[Interval, StoredSuggestion] = {}
        self._rejected: set[Interval] = set()
        self._in_layer: Counter[Interval] = Counter()
        self._keys: list[Interval] = []  # shown, sorted: bisected by start
        self._longest = 0

    def load(self, state: DocumentSuggestionState | None, spans: Iterable[Span]) -> None:
        """A document's suggestions (None: none) with the edited layer's spans."""
        self.document_id = state.document_id if state is not None else None
        self.relations = state.relations if state is not None else ()
        self._stored = dict(zip(map(_KEY, state.spans), state.spans, strict=True)) if state is not None else {}
        self._rejected = set(state.rejected) if state is not None else set()
        # Only keys stored are counted: add_rest counts those of the rest when it comes.
        stored = self._stored
        self._in_layer = Counter(key for s in spans if (key := (s.start, s.end, s.label)) in stored)
        hidden = self._rejected.union(self._in_layer) & self._stored.keys()
        # The stored ones come in text order: only hidden ones make a sort (of what is left) worth it.
        self._keys = sorted(self._stored.keys() - hidden) if hidden else list(self._stored)
        self._longest = max((end - start for start, end, _ in self._keys), default=0)

    def add_rest(
        self, stored: Sequence[StoredSuggestion], relations: tuple[SuggestedRelation, ...], spans: Iterable[Span]
    ) -> None:
        """More of a document ``load`` took the first part of (suggestions that start where the last
        part ended or later, in text order), with the layer's spans as they are now; the suggested
        relations come with the last part."""
        rest = dict(zip(map(_KEY, stored), stored, strict=True))
        self._stored.update(rest)
        self.relations = relations
        in_layer = Counter((s.start, s.end, s.label) for s in spans if (s.start, s.end, s.label) in rest)
        self._in_layer.update(in_layer)
        hidden = self._rejected.union(in_layer) & rest.keys()
        # They all start after the first part's keys: appended, the keys stay sorted.
        self._keys.extend(sorted(rest.keys() - hidden) if hidden else rest)
        self._longest = max(self._longest, max((end - start for start, end, _ in rest), default=0))

    def stores_any(self) -> bool:
        """Whether any suggestion or suggested relation is stored for the document, decided or not."""
        return bool(self._stored or self.relations)

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, key: Interval | None) -> StoredSuggestion | None:
        return self._stored.get(key) if key is not None and self._shows(key) else None

    def shown(self) -> list[StoredSuggestion]:
        """Every undecided suggestion, in text order."""
        return [self._stored[key] for key in self._keys]

    def between(self, start: int, end: int) -> list[StoredSuggestion]:
        """The undecided suggestions overlapping code points [start, end), in text order."""
        first = bisect_left(self._keys, (start - self._longest,))
        last = bisect_left(self._keys, (end,))
        return [self._stored[key] for key in self._keys[first:last] if key[1] > start]

    def at(self, offset: int) -> list[StoredSuggestion]:
        """Those covering code point ``offset``, outermost (longest) first."""
        return sorted(self.between(offset, offset + 1), key=lambda s: (s.start - s.end, s.start))

    def step(self, key: Interval | None, offset: int, direction: int) -> StoredSuggestion | None:
        """The next (1) or previous (-1) undecided suggestion after ``key`` (or from code point
        ``offset`` when no suggestion is selected), wrapping round; None if there is none."""
        if not self._keys:
            return None
        if key is not None:
            index = bisect_left(self._keys, key)
            there = index < len(self._keys) and self._keys[index] == key
            index += (1 if there else 0) if direction > 0 else -1
        else:
            index = bisect_left(self._keys, (offset,)) - (1 if direction < 0 else 0)
        return self._stored[self._keys[index % len(self._keys)]]

    # --- following the layer ----------------------------------------------------------

    def apply_layer(self, change: LayerChange) -> list[Range]:
        """Spans added, removed or moved in the layer: the code-point ranges whose suggestions changed."""
        if not self._stored or change.reset:
            return []
        touched = [key for span in change.spans_added for key in self._count(span, 1)]
        touched += [key for span in change.spans_removed for key in self._count(span, -1)]
        for old, new in change.spans_changed:
            touched += [*self._count(old, -1), *self._count(new, 1)]
        return self._refresh(touched)

    def apply_decisions(self, rejected: Iterable[Interval], unrejected: Iterable[Interval]) -> list[Range]:
        touched = []
        for key in rejected:
            self._rejected.add(key)
            touched.append(key)
        for key in unrejected:
            self._rejected.discard(key)
            touched.append(key)
        return self._refresh(touched)

    def _count(self, span: Span, by: int) -> list[Interval]:
        key = (span.start, span.end, span.label)
        if key not in self._stored:
            return []
        self._in_layer[key] += by
        return [key]

    def _refresh(self, keys: Iterable[Interval]) -> list[Range]:
        ranges = []
        for key in keys:
            index = bisect_left(self._keys, key)
            there = index < len(self._keys) and self._keys[index] == key
            if self._shows(key) and not there:
                insort(self._keys, key)
                self._longest = max(self._longest, key[1] - key[0])
            elif there and not self._shows(key):
                del self._keys[index]
            ranges.append((key[0], key[1]))
        return ranges

    def _shows(self, key: Interval) -> bool:
        return key in self._stored and key not in self._rejected and self._in_layer[key] <= 0
