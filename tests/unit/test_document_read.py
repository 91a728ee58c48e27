"""Reading one document with its layer, as the window opens it: few queries, exact order, light values."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from sqlalchemy import event

from annotator.errors import NotFoundError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.layer_model import LayerChange, LayerModel
from annotator.models import NO_ATTRIBUTES, DocumentView
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


def test_in_two_steps_the_first_part_has_the_spans_before_the_cut_and_the_whole_is_as_one_read(
    service: AnnotationService,
) -> None:
    doc = service.find_document("doc-1")
    for start in range(0, 40, 4):
        service.add_span(doc, start, start + 2, "a")
    head_span = service.add_span(doc, 50, 54, "B").value
    tail_span = service.add_span(doc, 0, 2, "b").value
    service.set_attribute(head_span.id, "note", "far")
    far_tail = service.add_span(doc, 56, 60, "a").value
    service.add_relation("R", head_span.id, far_tail.id)
    firsts: list[DocumentView] = []
    statements = selects_while(
        service, lambda: firsts.append(service.document(doc, first=firsts.append, first_spans_before=20))
    )
    (first, whole) = firsts
    assert [s.start for s in first.spans] == [0, 0, 4, 8, 12, 16] and first.relations == ()
    assert tail_span in first.spans
    assert whole == service.document(doc)  # the same as one read, attributes and relations too
    assert len(statements) == 7  # the first part's four, then the rest's spans, attributes and relations


def test_a_layer_completes_only_the_document_it_loaded(service: AnnotationService) -> None:
    doc = service.find_document("doc-1")
    service.add_span(doc, 0, 3, "a")
    service.add_span(doc, 30, 33, "a")
    first: list[DocumentView] = []
    whole = service.document(doc, first=first.append, first_spans_before=10)
    layer = LayerModel()
    heard: list[LayerChange] = []
    layer.subscribe(heard.append)
    layer.load(first[0])
    assert len(layer.spans) == 1
    layer.complete(whole)
    assert layer.view() == whole and len(heard) == 1  # the load's reset only
    with pytest.raises(ValueError, match="not the one loaded"):
        layer.complete(replace(whole, id=whole.id + 1))
