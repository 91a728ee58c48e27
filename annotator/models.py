"""Plain frozen values that the service hands out. No ORM object ever leaves the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Generic, Literal, NamedTuple, TypeVar

Status = Literal["todo", "in_progress", "done", "skipped"]
STATUSES: tuple[Status, ...] = ("todo", "in_progress", "done", "skipped")

T = TypeVar("T")


def stored_status(value: str | None) -> Status:
    """A layer's status as the database holds it: no row is todo; the table's CHECK constraint allows only STATUSES."""
    if value is None:
        return "todo"
    for status in STATUSES:
        if value == status:
            return status
    raise ValueError(f"the database holds an unknown document status {value!r}")


# The attributes of a span that has none: one shared mapping, read-only so that no holder can
# change every other's (a 10,000-span layer made 10,000 empty dicts).
NO_ATTRIBUTES: Mapping[str, Any] = MappingProxyType({})


class Span(NamedTuple):
    """One span of a layer. A named tuple, not a frozen dataclass: opening a document builds
    thousands at once, and a tuple is made in C (a frozen dataclass's __init__ sets each field
    through object.__setattr__, ~5x the time) and holds no per-object __dict__."""

    id: int
    start: int
    end: int
    label: str
    text: str
    attributes: Mapping[str, Any] = NO_ATTRIBUTES


class Relation(NamedTuple):
    id: int
    label: str
    head: int  # span id
    tail: int  # span id


@dataclass(frozen=True)
class DocumentSummary:
    """One row of the document list, seen from one annotator's layer."""

    id: int
    external_id: str
    title: str
    length: int
    status: Status
    span_count: int
    seconds_spent: float


@dataclass(frozen=True)
class DocumentView:
    """A document with one annotator's layer."""

    id: int
    external_id: str
    text: str
    meta: Mapping[str, Any]
    annotator: str
    status: Status
    spans: tuple[Span, ...]
    relations: tuple[Relation, ...]
    document_labels: tuple[str, ...]

    def span(self, span_id: int) -> Span:
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(span_id)


@dataclass(frozen=True)
class Changes:
    """What one action changed, so that views refresh only that (see Anki's OpChanges)."""

    description: str
    document_id: int | None = None
    annotator: str | None = None
    spans_added: tuple[Span, ...] = ()
    spans_removed: tuple[Span, ...] = ()
    spans_changed: tuple[Span, ...] = ()
    relations_added: tuple[Relation, ...] = ()
    relations_removed: tuple[Relation, ...] = ()
    status: Status | None = None
    document_labels_added: tuple[str, ...] = ()
    document_labels_removed: tuple[str, ...] = ()
    documents_added: int = 0

    @property
    def touched_range(self) -> tuple[int, int] | None:
        """The smallest code-point range covering every span added, removed or changed."""
        spans = self.spans_added + self.spans_removed + self.spans_changed
        if not spans:
            return None
        return min(s.start for s in spans), max(s.end for s in spans)


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """What an edit made (the new span, say) and what it changed."""

    value: T
    changes: Changes


@dataclass(frozen=True)
class ProjectStats:
    documents: int
    status_by_annotator: Mapping[str, Mapping[str, int]]  # annotator -> status -> documents
    spans_by_label: Mapping[str, int]
    spans_by_annotator: Mapping[str, int]
    relations_by_label: Mapping[str, int]
    spans_by_annotator_label: Mapping[str, Mapping[str, int]]  # annotator -> label -> spans (the dashboard's)
    # annotator -> assigned, and of those todo, in_progress, done, skipped (annotator assign); empty without
    assignments_by_annotator: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
