"""Moving between documents: which one is next, and which is the next unfinished one."""

from __future__ import annotations

from collections.abc import Sequence

from annotator.models import DocumentSummary


def next_document(docs: Sequence[DocumentSummary], current: int | None, step: int) -> int | None:
    """The id of the document `step` places away, or None past either end."""
    ids = [d.id for d in docs]
    if not ids:
        return None
    if current not in ids:
        return ids[0]
    index = ids.index(current) + step
    return ids[index] if 0 <= index < len(ids) else None


def next_unfinished(docs: Sequence[DocumentSummary], current: int | None) -> int | None:
    """The first document after the current one (wrapping round) that is neither done nor skipped."""
    ids = [d.id for d in docs]
    start = ids.index(current) + 1 if current in ids else 0
    for step in range(len(docs)):
        doc = docs[(start + step) % len(docs)]
        if doc.id != current and doc.status not in ("done", "skipped"):
            return doc.id
    return None
