"""The service API: every edit, its validation, undo/redo and change events."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from annotator.db.tables import EventRow, RelationRow, SpanRow
from annotator.errors import NotFoundError, NothingToUndoError, ValidationError
from annotator.exporters import export_jsonl
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.models import Changes
from annotator.service import AnnotationService
from tests.conftest import TRICKY_TEXT, ProjectMaker


def open_with_document(root: Path, text: str = TRICKY_TEXT, annotator: str = "alice") -> tuple[AnnotationService, int]:
    service = AnnotationService.open(root, annotator)
    import_records(service.project, [DocumentRecord("test", 1, text, external_id="doc-1")])
    return service, service.find_document("doc-1")


def span_of(text: str, needle: str, occurrence: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return start, start + len(needle)


def export_bytes(service: AnnotationService, path: Path) -> bytes:
    export_jsonl(service.project, path)
    return path.read_bytes()


@pytest.fixture
def service(make_project: ProjectMaker) -> tuple[AnnotationService, int]:
    svc, doc_id = open_with_document(make_project())
    yield svc, doc_id
    svc.close()


def test_add_span_saves_exact_code_point_offsets_after_emoji_and_crlf(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    start, end = span_of(TRICKY_TEXT, "Choe Ryong Hae")
    outcome = svc.add_span(doc_id, start, end, "ACTOR", {"kind": "person"})
    assert outcome.value.text == "Choe Ryong Hae"
    assert outcome.changes.spans_added == (outcome.value,)
    reread = svc.document(doc_id)
    assert [(s.start, s.end, s.text, dict(s.attributes)) for s in reread.spans] == [
        (start, end, "Choe Ryong Hae", {"kind": "person"})
    ]
    assert reread.text == TRICKY_TEXT  # stored exactly: CRLF, NBSP, ZWJ sequences intact


def test_every_edit_is_committed_when_the_call_returns(make_project: ProjectMaker) -> None:
    root = make_project()
    svc, doc_id = open_with_document(root)
    span = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Kim Jong Un"), "ACTOR").value
    # A second, independent connection sees the span without any save or close.
    other = AnnotationService.open(root, "alice")
    assert [s.id for s in other.document(doc_id).spans] == [span.id]
    other.close()
    svc.close()


def test_relabel_drops_attributes_the_new_label_lacks_and_undo_restores_them(
    service: tuple[AnnotationService, int],
) -> None:
    svc, doc_id = service
    span = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Monday"), "DATE", {"value": "2014-11-17"}).value
    relabelled = svc.relabel_span(span.id, "ACTOR").value
    assert (relabelled.label, dict(relabelled.attributes)) == ("ACTOR", {})
    assert svc.undo_description == "relabel 'Monday' DATE → ACTOR"
    svc.undo()
    again = svc.document(doc_id).span(span.id)
    assert (again.label, dict(again.attributes)) == ("DATE", {"value": "2014-11-17"})


def test_remove_span_takes_its_relations_and_undo_brings_both_back_with_their_ids(
    service: tuple[AnnotationService, int],
) -> None:
    svc, doc_id = service
    actor = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong Hae"), "ACTOR").value
    claim = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "the talks\u00a0resume  on Monday"), "CLAIM").value
    relation = svc.add_relation("SAID_BY", claim.id, actor.id).value
    removed = svc.remove_span(actor.id)
    assert removed.changes.relations_removed == (relation,)
    assert svc.document(doc_id).relations == ()
    svc.undo()
    view = svc.document(doc_id)
    assert view.relations == (relation,)
    assert {s.id for s in view.spans} == {actor.id, claim.id}


def test_set_and_clear_attribute(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    span = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Kim Jong Un"), "ACTOR").value
    assert dict(svc.set_attribute(span.id, "kind", "person").value.attributes) == {"kind": "person"}
    assert dict(svc.set_attribute(span.id, "kind", "state").value.attributes) == {"kind": "state"}
    assert dict(svc.set_attribute(span.id, "kind", None).value.attributes) == {}
    svc.undo()
    assert dict(svc.document(doc_id).span(span.id).attributes) == {"kind": "state"}


def test_status_and_its_undo_leave_no_trace(service: tuple[AnnotationService, int], tmp_path: Path) -> None:
    svc, doc_id = service
    before = export_bytes(svc, tmp_path / "before.jsonl")
    assert svc.set_status(doc_id, "done").value == "done"
    assert svc.documents()[0].status == "done"
    svc.undo()
    assert svc.documents()[0].status == "todo"
    assert export_bytes(svc, tmp_path / "after.jsonl") == before


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s, d: s.add_span(d, 0, 3, "PERSON"), "unknown label 'PERSON'"),
        (lambda s, d: s.add_span(d, 5, 5, "ACTOR"), "empty or reversed span"),
        (lambda s, d: s.add_span(d, 0, 10_000, "ACTOR"), "outside the text"),
        (lambda s, d: s.add_span(d, -1, 3, "ACTOR"), "outside the text"),
        (lambda s, d: s.add_span(d, 0, 3, "ACTOR", {"kind": "robot"}), "kind"),
        (lambda s, d: s.add_span(d, 0, 3, "ACTOR", {"mood": "x"}), "no attribute 'mood'"),
        (lambda s, d: s.add_span(d, 0, 3, "DATE", {"value": "2014-02-30"}), "value"),
        (lambda s, d: s.set_status(d, "finished"), "unknown status"),
        (lambda s, d: s.add_span(d + 99, 0, 3, "ACTOR"), "no document"),
    ],
)
def test_bad_edits_raise_clearly_and_change_nothing(service: tuple[AnnotationService, int], call, message) -> None:
    svc, doc_id = service
    kept = svc.add_span(doc_id, 0, 3, "ACTOR").value
    before = svc.document(doc_id)
    with pytest.raises((ValidationError, NotFoundError), match=message):
        call(svc, doc_id)
    assert svc.document(doc_id) == before
    assert svc.undo_description == f"add ACTOR '{kept.text}'"  # history untouched by the failure


def test_overlap_rules_of_the_schema(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    assert svc.schema.overlap == "nested"
    claim = span_of(TRICKY_TEXT, "Choe Ryong Hae said")
    svc.add_span(doc_id, *claim, "CLAIM")
    svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong Hae"), "ACTOR")  # nested inside: fine
    with pytest.raises(ValidationError, match="duplicate span"):
        svc.add_span(doc_id, *claim, "CLAIM")
    crossing = (claim[0] + 5, claim[1] + 4)
    with pytest.raises(ValidationError, match="crosses"):
        svc.add_span(doc_id, *crossing, "DATE")
    assert len(svc.document(doc_id).spans) == 2


def test_forbid_overlap_schema_refuses_any_overlap(make_project: ProjectMaker) -> None:
    schema = "name: flat\nversion: 1\noverlap: forbid\nlabels:\n  - {name: X, color: '#112233', hotkey: x}\n"
    svc, doc_id = open_with_document(make_project(schema))
    svc.add_span(doc_id, 0, 8, "X")
    with pytest.raises(ValidationError, match="forbids overlaps"):
        svc.add_span(doc_id, 4, 6, "X")
    svc.add_span(doc_id, 8, 11, "X")  # touching is not overlapping
    svc.close()


def test_relations_only_between_allowed_labels(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    actor = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Kim Jong Un"), "ACTOR").value
    date = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Monday"), "DATE").value
    with pytest.raises(ValidationError, match="SAID_BY goes from CLAIM to ACTOR"):
        svc.add_relation("SAID_BY", date.id, actor.id)
    with pytest.raises(ValidationError, match="unknown relation"):
        svc.add_relation("LIKES", date.id, actor.id)
    claim = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Choe Ryong Hae said"), "CLAIM").value
    svc.add_relation("SAID_BY", claim.id, actor.id)
    with pytest.raises(ValidationError, match="exists already"):
        svc.add_relation("SAID_BY", claim.id, actor.id)
    with pytest.raises(ValidationError, match="remove the relation first"):
        svc.relabel_span(actor.id, "DATE")


def test_nobody_edits_another_annotators_layer(make_project: ProjectMaker) -> None:
    root = make_project()
    alice, doc_id = open_with_document(root, annotator="alice")
    span = alice.add_span(doc_id, 0, 3, "ACTOR").value
    bob = AnnotationService.open(root, "bob")
    assert bob.document(doc_id).spans == ()
    assert [s.id for s in bob.document(doc_id, layer="alice").spans] == [span.id]
    for attempt in (
        lambda: bob.remove_span(span.id),
        lambda: bob.relabel_span(span.id, "CLAIM"),
        lambda: bob.set_attribute(span.id, "kind", "person"),
    ):
        with pytest.raises(ValidationError, match="another annotator's layer"):
            attempt()
    assert alice.document(doc_id).spans == (span,)
    alice.close()
    bob.close()


def test_undo_redo_walks_the_history_and_names_each_step(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    with pytest.raises(NothingToUndoError):
        svc.undo()
    kim = svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Kim Jong Un"), "ACTOR").value
    svc.set_attribute(kim.id, "kind", "person")
    assert svc.undo_description == "set ACTOR.kind = person"
    svc.undo()
    assert svc.undo_description == "add ACTOR 'Kim Jong Un'"
    assert svc.redo_description == "set ACTOR.kind = person"
    svc.undo()
    assert svc.document(doc_id).spans == ()
    assert not svc.can_undo
    svc.redo()
    svc.redo()
    assert not svc.can_redo
    (span,) = svc.document(doc_id).spans
    assert (span.id, dict(span.attributes)) == (kim.id, {"kind": "person"})  # same id after redo
    svc.undo()
    svc.add_span(doc_id, *span_of(TRICKY_TEXT, "Monday"), "DATE")
    assert not svc.can_redo  # a new edit ends the redo branch


def test_failed_redo_leaves_history_in_place(make_project: ProjectMaker) -> None:
    root = make_project()
    svc, doc_id = open_with_document(root)
    span = svc.add_span(doc_id, 0, 3, "ACTOR").value
    svc.undo()
    # Meanwhile the same annotator, in another window, makes the very same span.
    other = AnnotationService.open(root, "alice")
    other.add_span(doc_id, 0, 3, "ACTOR")
    with pytest.raises(ValidationError):
        svc.redo()
    assert svc.can_redo and svc.redo_description == f"add ACTOR '{span.text}'"
    other.close()
    svc.close()


def test_listeners_hear_each_change_and_the_event_log_records_it(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    heard: list[Changes] = []
    unsubscribe = svc.subscribe(heard.append)
    span = svc.add_span(doc_id, 0, 3, "ACTOR").value
    svc.undo()
    unsubscribe()
    svc.redo()
    assert [c.description for c in heard] == ["add ACTOR 'Kim'", "undo add ACTOR 'Kim'"]
    assert heard[1].spans_removed == (span,)
    assert heard[0].touched_range == (0, 3)
    with svc.project.read() as session:
        actions = session.scalars(select(EventRow.action).order_by(EventRow.id)).all()
    assert actions == ["import", "do:AddSpan", "undo:AddSpan", "redo:AddSpan"]  # the fixture's import first


def test_a_broken_listener_does_not_undo_a_committed_edit(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service

    def broken(_changes: Changes) -> None:
        raise RuntimeError("view crashed")

    svc.subscribe(broken)
    svc.add_span(doc_id, 0, 3, "ACTOR")
    assert len(svc.document(doc_id).spans) == 1


def test_add_spans_is_one_undo_step(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    spans = [(*span_of(TRICKY_TEXT, "Kim"), "ACTOR"), (*span_of(TRICKY_TEXT, "Monday"), "DATE")]
    assert len(svc.add_spans(doc_id, spans, "label all").value) == 2
    assert svc.undo_description == "label all"
    svc.undo()
    assert svc.document(doc_id).spans == ()


def test_documents_lists_status_counts_and_titles(service: tuple[AnnotationService, int]) -> None:
    svc, doc_id = service
    svc.add_span(doc_id, 0, 3, "ACTOR")
    svc.add_time(doc_id, 12.5)
    (summary,) = svc.documents()
    assert (summary.external_id, summary.span_count, summary.length) == ("doc-1", 1, len(TRICKY_TEXT))
    assert summary.title == "Kim Jong Un 😀 met 🇷🇺 officials."
    assert summary.seconds_spent == 12.5
    assert svc.documents(layer="alice") == [summary]
    with pytest.raises(NotFoundError):
        svc.documents(layer="nobody")


EDITS = st.lists(
    st.tuples(
        st.sampled_from(["add", "remove", "relabel", "attr", "relation", "status"]),
        st.integers(0, len(TRICKY_TEXT)),
        st.integers(1, 12),
        st.sampled_from(["ACTOR", "CLAIM", "DATE"]),
    ),
    max_size=12,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=EDITS)
def test_any_edits_then_undo_all_leaves_the_export_byte_identical(
    make_project: ProjectMaker, tmp_path: Path, edits: list[tuple[str, int, int, str]]
) -> None:
    svc, doc_id = open_with_document(make_project())
    before = export_bytes(svc, tmp_path / "before.jsonl")
    applied = 0
    for kind, start, length, label in edits:
        spans = svc.document(doc_id).spans
        try:
            if kind == "add":
                svc.add_span(doc_id, start, min(start + length, len(TRICKY_TEXT)), label)
            elif kind == "remove" and spans:
                svc.remove_span(spans[start % len(spans)].id)
            elif kind == "relabel" and spans:
                svc.relabel_span(spans[start % len(spans)].id, label)
            elif kind == "attr" and spans:
                target = spans[start % len(spans)]
                if target.label == "ACTOR":
                    svc.set_attribute(target.id, "kind", ["person", "state"][length % 2])
                else:
                    continue
            elif kind == "relation" and len(spans) > 1:
                svc.add_relation("SAID_BY", spans[start % len(spans)].id, spans[length % len(spans)].id)
            elif kind == "status":
                svc.set_status(doc_id, ["todo", "in_progress", "done", "skipped"][length % 4])
            else:
                continue
        except ValidationError:
            continue  # refused edits are part of the property: they must change nothing
        applied += 1
    for _ in range(applied):
        svc.undo()
    assert not svc.can_undo
    assert export_bytes(svc, tmp_path / "after.jsonl") == before
    with svc.project.read() as session:
        assert session.scalar(select(func.count()).select_from(SpanRow)) == 0
        assert session.scalar(select(func.count()).select_from(RelationRow)) == 0
    svc.close()
