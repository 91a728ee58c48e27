"""AnnotationService.resize_span: moving a span's edges is one undoable, fully checked step."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import NotFoundError, ValidationError
from annotator.service import AnnotationService
from annotator.validation import check_overlaps
from tests.conftest import TRICKY_TEXT, ProjectMaker
from tests.unit.test_service import export_bytes, open_with_document, span_of


@pytest.fixture
def service(make_project: ProjectMaker) -> tuple[AnnotationService, int]:
    svc, doc_id = open_with_document(make_project())
    yield svc, doc_id
    svc.close()


def test_resize_keeps_id_label_attributes_and_relations_and_is_one_undo_step(
    service: tuple[AnnotationService, int],
) -> None:
    svc, doc_id = service
    actor = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong"), "ACTOR", {"kind": "person"}).value
    claim = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "the talks\u00a0resume  on Monday"), "CLAIM").value
    relation = svc.add_relation("SAID_BY", claim.id, actor.id).value
    outcome = svc.resize_span(actor.id, *span_of(TRICKY_TEXT, "Choe Ryong Hae"))
    assert outcome.value.text == "Choe Ryong Hae"
    assert svc.undo_description == "resize ACTOR 'Choe Ryong' → 'Choe Ryong Hae'"
    view = svc.document(doc_id)
    moved = next(s for s in view.spans if s.id == actor.id)
    assert (moved.text, moved.label, moved.attributes) == ("Choe Ryong Hae", "ACTOR", {"kind": "person"})
    assert view.relations == (relation,)
    svc.undo()
    assert next(s for s in svc.document(doc_id).spans if s.id == actor.id).text == "Choe Ryong"
    svc.redo()
    assert next(s for s in svc.document(doc_id).spans if s.id == actor.id).text == "Choe Ryong Hae"


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (lambda a, c: (c.start + 2, c.end + 4), "crosses"),  # nested schema: may not cross the CLAIM
        (lambda a, c: (a.start, len(TRICKY_TEXT) + 1), "outside the text"),
        (lambda a, c: (a.start, a.start), "empty"),
        (lambda a, c: (a.start, a.end), "already has these edges"),
        (lambda a, c: (c.start, c.end), "duplicate"),
    ],
)
def test_refused_resizes_change_nothing_and_leave_history_alone(
    service: tuple[AnnotationService, int], edges, message: str
) -> None:
    svc, doc_id = service
    claim = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "the talks"), "ACTOR").value
    actor = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong"), "ACTOR").value
    before, description = svc.document(doc_id), svc.undo_description
    with pytest.raises(ValidationError, match=message):
        svc.resize_span(actor.id, *edges(actor, claim))
    assert svc.document(doc_id) == before
    assert svc.undo_description == description


def test_nobody_resizes_another_annotators_span(make_project: ProjectMaker) -> None:
    root = make_project()
    alice, doc_id = open_with_document(root)
    span = alice.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe"), "ACTOR").value
    with AnnotationService.open(root, "bob") as bob:
        with pytest.raises(ValidationError, match="another annotator's layer"):
            bob.resize_span(span.id, *span_of(TRICKY_TEXT, "Choe Ryong"))
        with pytest.raises(NotFoundError):
            bob.resize_span(99999, 0, 3)
    alice.close()


def test_undo_of_a_resize_is_checked_again(make_project: ProjectMaker) -> None:
    """Two windows of one annotator: undo must not bring back an edge that now crosses a span."""
    root = make_project()
    first, doc_id = open_with_document(root)
    span = first.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong Hae"), "ACTOR").value
    first.resize_span(span.id, *span_of(TRICKY_TEXT, "Choe"))
    with AnnotationService.open(root, "alice") as second:
        second.add_span(doc_id, *span_of(TRICKY_TEXT, "Hae said"), "CLAIM")
    with pytest.raises(ValidationError, match="crosses"):
        first.undo()
    spans = first.document(doc_id).spans
    check_overlaps(first.schema, [(s.start, s.end, s.label) for s in spans])
    assert first.undo_description is not None and first.undo_description.startswith("resize")
    first.close()


EDITS = st.lists(
    st.tuples(st.sampled_from(["add", "resize"]), st.integers(0, len(TRICKY_TEXT)), st.integers(0, 30)),
    max_size=12,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_adds_and_resizes_keep_the_layer_valid_and_undo_all_restores_the_export(
    make_project: ProjectMaker, tmp_path: Path, edits: list[tuple[str, int, int]]
) -> None:
    svc, doc_id = open_with_document(make_project())
    before = export_bytes(svc, tmp_path / "before.jsonl")
    applied = 0
    for kind, start, length in edits:
        spans = svc.document(doc_id).spans
        end = min(start + max(length, 1), len(TRICKY_TEXT))
        try:
            if kind == "add":
                svc.add_span(doc_id, start, end, "CLAIM" if length % 2 else "ACTOR")
            elif spans:
                svc.resize_span(spans[length % len(spans)].id, start, end)
            else:
                continue
        except ValidationError:
            continue
        applied += 1
        spans = svc.document(doc_id).spans
        check_overlaps(svc.schema, [(s.start, s.end, s.label) for s in spans])
        assert all(s.text == TRICKY_TEXT[s.start : s.end] for s in spans)
    for _ in range(applied):
        svc.undo()
    assert export_bytes(svc, tmp_path / "after.jsonl") == before
    svc.close()
