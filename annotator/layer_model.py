"""The open layer: one document with one annotator's spans, relations, status and document labels.

The window keeps exactly one copy of the layer it edits, here. The service's Changes are
applied to it, and it tells its subscribers what that did to the layer (a LayerChange,
with the old version of every span it replaced), so the text view, span list and relation
panel redraw only what changed and need no copy of their own (napari's evented model,
Anki's OpChanges). Applying a change costs the change's size, never the layer's: a
10,000-span document is not re-read or re-sorted per keystroke.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from operator import attrgetter
from types import MappingProxyType
from typing import TypeVar

from annotator.models import Changes, DocumentSummary, DocumentView, Relation, Span, Status

__all__ = ["LayerChange", "LayerListener", "LayerModel"]

Item = TypeVar("Item", Span, Relation)
_ID = attrgetter("id")


@dataclass(frozen=True)
class LayerChange:
    """What one load or one Changes did to the open layer, as net effects per span and relation.

    ``reset``: another document (or layer) was loaded; every other field is empty then.
    A span removed and added again in one Changes is reported once, as changed.
    """

    reset: bool = False
    spans_added: tuple[Span, ...] = ()
    spans_removed: tuple[Span, ...] = ()  # as the layer held them
    spans_changed: tuple[tuple[Span, Span], ...] = ()  # (before, after)
    relations_added: tuple[Relation, ...] = ()
    relations_removed: tuple[Relation, ...] = ()  # as the layer held them
    status_changed: bool = False
    document_labels_changed: bool = False

    @property
    def spans_touched(self) -> bool:
        return bool(self.spans_added or self.spans_removed or self.spans_changed)

    @property
    def relations_touched(self) -> bool:
        return bool(self.relations_added or self.relations_removed)

    def touched_ranges(self) -> list[tuple[int, int]]:
        """Code-point ranges whose drawing may differ: each span's old and new extent."""
        ranges = [(span.start, span.end) for span in (*self.spans_added, *self.spans_removed)]
        ranges.extend((min(old.start, new.start), max(old.end, new.end)) for old, new in self.spans_changed)
        return ranges


LayerListener = Callable[[LayerChange], None]


class LayerModel:
    """The open document and the layer being edited; empty until the first ``load``."""

    def __init__(self) -> None:
        self._document: DocumentView | None = None
        self._spans: dict[int, Span] = {}
        self._relations: dict[int, Relation] = {}
        # Read-only windows onto the dicts above (they follow every change, at no cost per read).
        self._spans_view: Mapping[int, Span] = MappingProxyType(self._spans)
        self._relations_view: Mapping[int, Relation] = MappingProxyType(self._relations)
        self._status: Status = "todo"
        self._document_labels: set[str] = set()
        self._listeners: list[LayerListener] = []

    # -- reading -----------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self._document is not None

    @property
    def id(self) -> int:
        return self._opened().id

    @property
    def text(self) -> str:
        """The document's stored text ("" before a document is open)."""
        return self._document.text if self._document is not None else ""

    @property
    def annotator(self) -> str:
        return self._opened().annotator

    @property
    def status(self) -> Status:
        return self._status

    @property
    def spans(self) -> Mapping[int, Span]:
        return self._spans_view

    @property
    def relations(self) -> Mapping[int, Relation]:
        return self._relations_view

    @property
    def document_labels(self) -> tuple[str, ...]:
        return tuple(sorted(self._document_labels))

    def ordered_spans(self) -> list[Span]:
        """The spans in the order the service reads them: by start, end, label."""
        return sorted(self._spans.values(), key=lambda s: (s.start, s.end, s.label))

    def view(self) -> DocumentView:
        """The layer as the service would read it now (a snapshot)."""
        return replace(
            self._opened(),
            spans=tuple(self.ordered_spans()),
            relations=tuple(sorted(self._relations.values(), key=lambda r: r.id)),
            status=self._status,
            document_labels=self.document_labels,
        )

    def summary(self, base: DocumentSummary) -> DocumentSummary:
        """The document list's row for this document, brought up to date."""
        return replace(base, status=self._status, span_count=len(self._spans))

    # -- changing ----------------------------------------------------------------------

    def subscribe(self, listener: LayerListener) -> Callable[[], None]:
        """Call ``listener`` with every LayerChange; returns the function that unsubscribes it."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def load(self, document: DocumentView) -> None:
        """Open ``document`` (with the layer it was read with) in place of whatever was open."""
        self._document = document
        self._spans.clear()
        # zip reuses its pair tuple: 10,000 spans allocate no 10,000 tuples (nor start a collection).
        self._spans.update(zip(map(_ID, document.spans), document.spans, strict=True))
        self._relations.clear()
        self._relations.update(zip(map(_ID, document.relations), document.relations, strict=True))
        self._status = document.status
        self._document_labels = set(document.document_labels)
        self._notify(LayerChange(reset=True))

    def complete(self, document: DocumentView) -> None:
        """Take the whole of the document whose first part ``load`` took, read in two steps (its
        spans that start before a first screen's end and no relations; then the rest).

        Subscribers are not told again: the window completes such a load before it handles any
        other event, and in between only the paint of that first screen reads the layer
        (ui/controllers/navigation.py). Every later reader finds the whole layer.
        """
        if self._opened().id != document.id:
            raise ValueError(f"document {document.id} is not the one loaded ({self._opened().id})")
        self._document = document
        self._spans.update(zip(map(_ID, document.spans), document.spans, strict=True))
        self._relations.update(zip(map(_ID, document.relations), document.relations, strict=True))

    def apply(self, changes: Changes) -> LayerChange | None:
        """Bring the layer up to date with one committed change; None if it did not touch it.

        Changes to another document or another annotator's layer are ignored. Like the
        widgets before it, this forgives a change that repeats what the layer holds (a
        removal of an unknown span, an addition of a known one): it takes the result.
        """
        document = self._document
        if (
            document is None
            or changes.document_id not in (None, document.id)
            or changes.annotator not in (None, document.annotator)
        ):
            return None
        spans_before = _apply_by_id(self._spans, changes.spans_removed, (*changes.spans_added, *changes.spans_changed))
        relations_before = _apply_by_id(self._relations, changes.relations_removed, changes.relations_added)
        status_changed = changes.status is not None and changes.status != self._status
        if changes.status is not None:
            self._status = changes.status
        labels_before = set(self._document_labels)
        self._document_labels.difference_update(changes.document_labels_removed)
        self._document_labels.update(changes.document_labels_added)

        added, removed, changed = _net(spans_before, self._spans)
        relations_added, relations_removed, relations_replaced = _net(relations_before, self._relations)
        change = LayerChange(
            spans_added=tuple(added),
            spans_removed=tuple(removed),
            spans_changed=tuple(changed),
            # A relation is never edited in place: a new version under an old id is a swap.
            relations_added=(*relations_added, *(new for _old, new in relations_replaced)),
            relations_removed=(*relations_removed, *(old for old, _new in relations_replaced)),
            status_changed=status_changed,
            document_labels_changed=labels_before != self._document_labels,
        )
        if change == LayerChange():
            return None
        self._notify(change)
        return change

    # -- internals ---------------------------------------------------------------------

    def _opened(self) -> DocumentView:
        if self._document is None:
            raise LookupError("no document is open")
        return self._document

    def _notify(self, change: LayerChange) -> None:
        for listener in list(self._listeners):
            listener(change)


def _apply_by_id(items: dict[int, Item], removed: Iterable[Item], upserted: Iterable[Item]) -> dict[int, Item | None]:
    """Remove, then add or replace, by id; returns what each touched id held before."""
    before: dict[int, Item | None] = {}
    for item in removed:
        before.setdefault(item.id, items.get(item.id))
        items.pop(item.id, None)
    for item in upserted:
        before.setdefault(item.id, items.get(item.id))
        items[item.id] = item
    return before


def _net(
    before: Mapping[int, Item | None], after: Mapping[int, Item]
) -> tuple[list[Item], list[Item], list[tuple[Item, Item]]]:
    """(added, removed, changed as (old, new)) between two states of the touched ids."""
    added: list[Item] = []
    removed: list[Item] = []
    changed: list[tuple[Item, Item]] = []
    for item_id, old in before.items():
        new = after.get(item_id)
        if old is None and new is not None:
            added.append(new)
        elif old is not None and new is None:
            removed.append(old)
        elif old is not None and new is not None and old != new:
            changed.append((old, new))
    return added, removed, changed
