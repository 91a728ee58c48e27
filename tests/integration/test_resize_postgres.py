"""resize_span on PostgreSQL: checked under the layer lock, and its undo checked again."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import ValidationError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.service import AnnotationService
from annotator.validation import check_overlaps

pytestmark = pytest.mark.postgres

TEXT = "Choe Ryong Hae said the talks resume on Monday."


def edges(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


def test_resize_and_its_undo_are_checked_on_postgres(pg_project: Path) -> None:
    first = AnnotationService.open(pg_project, "alice")
    import_records(first.project, [DocumentRecord("test", 1, TEXT, external_id="doc-1")])
    doc_id = first.find_document("doc-1")
    span = first.add_span(doc_id, *edges("Choe Ryong Hae"), "ACTOR", {"kind": "person"}).value
    first.resize_span(span.id, *edges("Choe"))
    with AnnotationService.open(pg_project, "alice") as second:  # a second window of the same annotator
        assert [s.text for s in second.document(doc_id).spans] == ["Choe"]
        second.add_span(doc_id, *edges("Hae said"), "CLAIM")
    with pytest.raises(ValidationError, match="crosses"):
        first.undo()  # would bring back "Choe Ryong Hae", crossing the CLAIM
    spans = first.document(doc_id).spans
    check_overlaps(first.schema, [(s.start, s.end, s.label) for s in spans])
    assert {(s.text, s.label) for s in spans} == {("Choe", "ACTOR"), ("Hae said", "CLAIM")}
    assert next(s for s in spans if s.id == span.id).attributes == {"kind": "person"}
    first.close()
