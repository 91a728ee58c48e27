"""The open document as the window sees it, kept current from Changes without re-reading."""

from __future__ import annotations

from dataclasses import replace

from annotator.models import Changes, DocumentSummary, DocumentView, Relation, Span


class OpenDocument:
    """One document and one layer: spans and relations by id, updated from each Changes.

    Re-reading a 10,000-span document after every keystroke would make an edit cost grow
    with the document; applying the change keeps it constant.
    """

    def __init__(self, view: DocumentView) -> None:
        self._view = view
        self.spans: dict[int, Span] = {s.id: s for s in view.spans}
        self.relations: dict[int, Relation] = {r.id: r for r in view.relations}
        self.status = view.status

    @property
    def id(self) -> int:
        return self._view.id

    @property
    def text(self) -> str:
        return self._view.text

    def apply(self, changes: Changes) -> None:
        for span in changes.spans_removed:
            self.spans.pop(span.id, None)
        for span in (*changes.spans_added, *changes.spans_changed):
            self.spans[span.id] = span
        for relation in changes.relations_removed:
            self.relations.pop(relation.id, None)
        for relation in changes.relations_added:
            self.relations[relation.id] = relation
        if changes.status is not None:
            self.status = changes.status

    def view(self) -> DocumentView:
        """A DocumentView of the current state (for widgets that take one)."""
        return replace(
            self._view,
            spans=tuple(sorted(self.spans.values(), key=lambda s: (s.start, s.end, s.label))),
            relations=tuple(sorted(self.relations.values(), key=lambda r: r.id)),
            status=self.status,
        )

    def ordered_spans(self) -> list[Span]:
        return sorted(self.spans.values(), key=lambda s: (s.start, s.end, s.label))

    def summary(self, base: DocumentSummary) -> DocumentSummary:
        return replace(base, status=self.status, span_count=len(self.spans))


def next_document(docs: list[DocumentSummary], current: int | None, step: int) -> int | None:
    """The id of the document `step` places away, or None past either end."""
    ids = [d.id for d in docs]
    if not ids:
        return None
    if current not in ids:
        return ids[0]
    index = ids.index(current) + step
    return ids[index] if 0 <= index < len(ids) else None


def next_unfinished(docs: list[DocumentSummary], current: int | None) -> int | None:
    """The first document after the current one (wrapping round) that is neither done nor skipped."""
    ids = [d.id for d in docs]
    start = ids.index(current) + 1 if current in ids else 0
    for doc in docs[start:] + docs[:start]:
        if doc.id != current and doc.status not in ("done", "skipped"):
            return doc.id
    return None
