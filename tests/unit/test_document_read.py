"""Reading one document with its layer, as the window opens it: few queries, exact order, light values."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

from annotator.errors import NotFoundError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.models import NO_ATTRIBUTES
from annotator.service import AnnotationService
from tests.conftest import TRICKY_TEXT, ProjectMaker
from tests.unit.test_tools_fixtures import schema_yaml

# Python orders str by code point ("B" < "a" < "b"); a locale's collation would not.
SCHEMA = schema_yaml({"b": [], "B": [("note", "text")], "a": []}, [("R", ["B"], ["a"])])


@pytest.fixture
def service(make_project: ProjectMaker) -> AnnotationService:
    svc = AnnotationService.open(make_project(SCHEMA), "alice")
    import_records(svc.project, [DocumentRecord("test", 1, TRICKY_TEXT, external_id="doc-1")])
    yield svc
    svc.close()


def selects_while(service: AnnotationService, call: Any) -> list[str]:
    statements: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(service.project.engine, "before_cursor_execute", note)
    try:
        call()
    finally:
        event.remove(service.project.engine, "before_cursor_execute", note)
    return statements


def test_spans_come_by_start_end_and_label_in_code_point_order_with_their_attributes_and_relations(
    service: AnnotationService,
) -> None:
    doc = service.find_document("doc-1")
    for start, end, label in ((12, 16, "a"), (0, 11, "b"), (0, 11, "a"), (0, 11, "B"), (0, 3, "b")):
        service.add_span(doc, start, end, label)
    view = service.document(doc)
    noted = next(s for s in view.spans if s.label == "B")
    service.set_attribute(noted.id, "note", "the leader")
    tail = next(s for s in view.spans if (s.start, s.label) == (12, "a"))
    relation = service.add_relation("R", noted.id, tail.id).value
    view = service.document(doc)
    assert [(s.start, s.end, s.label) for s in view.spans] == [
        (0, 3, "b"),
        (0, 11, "B"),
        (0, 11, "a"),
        (0, 11, "b"),
        (12, 16, "a"),
    ]
    assert all(s.text == TRICKY_TEXT[s.start : s.end] for s in view.spans)
    assert dict(next(s for s in view.spans if s.label == "B").attributes) == {"note": "the leader"}
    assert view.relations == (relation,)
    assert view.status == "todo" and view.external_id == "doc-1" and view.text == TRICKY_TEXT


def test_spans_without_attributes_share_one_mapping_nobody_can_change(service: AnnotationService) -> None:
    doc = service.find_document("doc-1")
    service.add_span(doc, 0, 3, "a")
    service.add_span(doc, 4, 8, "a")
    first, second = service.document(doc).spans
    assert first.attributes is second.attributes is NO_ATTRIBUTES
    with pytest.raises(TypeError):
        first.attributes["note"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        first.label = "b"  # type: ignore[misc]


def test_opening_a_document_is_five_selects_whatever_its_size(service: AnnotationService) -> None:
    doc = service.find_document("doc-1")
    for start in range(0, 40, 4):
        service.add_span(doc, start, start + 2, "a")
    statements = selects_while(service, lambda: service.document(doc))
    # the document with its status, the span attributes, the spans, the relations, the document labels
    assert len(statements) == 5, statements
    assert len(service.document(doc).spans) == 10


def test_a_document_of_another_project_is_not_found(service: AnnotationService, make_project: ProjectMaker) -> None:
    with AnnotationService.open(make_project(SCHEMA), "alice") as other:
        import_records(other.project, [DocumentRecord("test", 1, "Another text.", external_id="doc-2")])
        theirs = other.find_document("doc-2")
    if theirs == service.find_document("doc-1"):
        theirs += 1  # each project has its own database: make sure the id is not this project's
    with pytest.raises(NotFoundError, match="no document with id"):
        service.document(theirs)
