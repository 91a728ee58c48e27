"""Tests for annotator/layer_model.py: the one copy of the open layer, kept current from Changes."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import AnnotatorError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.layer_model import LayerChange, LayerModel
from annotator.models import Changes, DocumentSummary, DocumentView, Relation, Span
from annotator.service import AnnotationService
from tests.conftest import NEWS_SCHEMA, TRICKY_TEXT, ProjectMaker

TEXT = "Kim Jong Un said on Monday that the talks resume."
KIM = Span(1, 0, 11, "ACTOR", "Kim Jong Un", {"kind": "person"})
MONDAY = Span(2, 20, 26, "DATE", "Monday", {})
CLAIM = Span(3, 32, 48, "CLAIM", "the talks resume", {})
SAID_BY = Relation(10, "SAID_BY", 3, 1)


def document(
    spans: tuple[Span, ...] = (KIM, MONDAY, CLAIM), relations: tuple[Relation, ...] = (SAID_BY,)
) -> DocumentView:
    return DocumentView(7, "doc-7", TEXT, {"date": "2014-11-14"}, "alice", "todo", spans, relations, ("OPINION",))


@pytest.fixture
def layer() -> LayerModel:
    layer = LayerModel()
    layer.load(document())
    return layer


def heard(layer: LayerModel) -> list[LayerChange]:
    got: list[LayerChange] = []
    layer.subscribe(got.append)
    return got


def test_a_loaded_layer_reads_back_as_loaded(layer: LayerModel) -> None:
    assert layer.is_open and (layer.id, layer.text, layer.annotator, layer.status) == (7, TEXT, "alice", "todo")
    assert dict(layer.spans) == {1: KIM, 2: MONDAY, 3: CLAIM}
    assert dict(layer.relations) == {10: SAID_BY}
    assert layer.document_labels == ("OPINION",)
    assert layer.view() == document()
    assert [s.id for s in layer.ordered_spans()] == [1, 2, 3]


def test_nothing_is_open_before_the_first_load() -> None:
    layer = LayerModel()
    assert not layer.is_open and layer.text == "" and dict(layer.spans) == {}
    with pytest.raises(LookupError):
        _ = layer.id
    assert layer.apply(Changes("label", document_id=7, spans_added=(KIM,))) is None
    assert dict(layer.spans) == {}


def test_the_spans_cannot_be_edited_behind_the_models_back(layer: LayerModel) -> None:
    with pytest.raises(TypeError):
        layer.spans[9] = KIM  # type: ignore[index]


def test_load_tells_subscribers_to_start_over_and_unsubscribe_stops_that(layer: LayerModel) -> None:
    got: list[LayerChange] = []
    unsubscribe = layer.subscribe(got.append)
    layer.load(document(spans=(MONDAY,), relations=()))
    assert got == [LayerChange(reset=True)]
    assert dict(layer.spans) == {2: MONDAY} and dict(layer.relations) == {}
    unsubscribe()
    layer.load(document())
    assert got == [LayerChange(reset=True)]


def test_a_change_reports_the_old_version_of_what_it_replaced(layer: LayerModel) -> None:
    got = heard(layer)
    relabelled = Span(2, 20, 26, "ACTOR", "Monday", {})
    added = Span(4, 36, 41, "ACTOR", "talks", {})
    change = layer.apply(
        Changes(
            "edit",
            document_id=7,
            annotator="alice",
            spans_added=(added,),
            spans_removed=(KIM,),
            spans_changed=(relabelled,),
            relations_removed=(SAID_BY,),
        )
    )
    assert got == [change]
    assert change == LayerChange(
        spans_added=(added,),
        spans_removed=(KIM,),
        spans_changed=((MONDAY, relabelled),),
        relations_removed=(SAID_BY,),
    )
    assert sorted(change.touched_ranges()) == [(0, 11), (20, 26), (36, 41)]
    assert dict(layer.spans) == {2: relabelled, 3: CLAIM, 4: added} and dict(layer.relations) == {}


def test_a_moved_span_redraws_both_where_it_was_and_where_it_is(layer: LayerModel) -> None:
    moved = Span(1, 4, 15, "ACTOR", "Jong Un said", {})
    change = layer.apply(Changes("resize", document_id=7, spans_changed=(moved,)))
    assert change is not None and change.spans_changed == ((KIM, moved),)
    assert change.touched_ranges() == [(0, 15)]


def test_changes_to_another_document_or_layer_are_ignored(layer: LayerModel) -> None:
    got = heard(layer)
    added = Span(4, 36, 41, "ACTOR", "talks", {})
    assert layer.apply(Changes("other doc", document_id=8, spans_added=(added,))) is None
    assert layer.apply(Changes("other layer", document_id=7, annotator="bob", spans_added=(added,))) is None
    assert got == [] and 4 not in layer.spans


def test_a_change_that_repeats_the_layer_is_no_change(layer: LayerModel) -> None:
    got = heard(layer)
    stranger = Span(99, 0, 3, "ACTOR", "Kim", {})
    assert layer.apply(Changes("gone already", document_id=7, spans_removed=(stranger,))) is None
    assert layer.apply(Changes("same again", document_id=7, spans_added=(KIM,), relations_added=(SAID_BY,))) is None
    assert layer.apply(Changes("same status", document_id=7, status="todo")) is None
    assert got == []


def test_removed_and_added_again_in_one_change_is_a_change(layer: LayerModel) -> None:
    relabelled = Span(1, 0, 11, "CLAIM", "Kim Jong Un", {})
    change = layer.apply(Changes("swap", document_id=7, spans_removed=(KIM,), spans_added=(relabelled,)))
    assert change == LayerChange(spans_changed=((KIM, relabelled),))
    # A relation under a known id but different ends is a swap of relations (they are never edited).
    turned = Relation(10, "SAID_BY", 3, 2)
    change = layer.apply(Changes("turn", document_id=7, relations_added=(turned,)))
    assert change == LayerChange(relations_added=(turned,), relations_removed=(SAID_BY,))


def test_status_and_document_labels(layer: LayerModel) -> None:
    base = DocumentSummary(7, "doc-7", "Kim", len(TEXT), "todo", 0, 0.0)
    change = layer.apply(Changes("done", document_id=7, status="done"))
    assert change == LayerChange(status_changed=True)
    assert layer.status == "done" and layer.summary(base) == DocumentSummary(
        7, "doc-7", "Kim", len(TEXT), "done", 3, 0.0
    )
    change = layer.apply(
        Changes("labels", document_id=7, document_labels_added=("BREAKING",), document_labels_removed=("OPINION",))
    )
    assert change == LayerChange(document_labels_changed=True)
    assert layer.document_labels == ("BREAKING",)
    assert layer.view().document_labels == ("BREAKING",) and layer.view().status == "done"


# -- the property: following the service's Changes equals reading the layer again ------------

DOCUMENT_LABELS = "document_labels:\n  - name: OPINION\n  - name: BREAKING\n"
LABELS = ("ACTOR", "CLAIM", "DATE")
KINDS = (
    "add",
    "remove",
    "relabel",
    "attribute",
    "resize",
    "relation",
    "remove_relation",
    "status",
    "document_label",
    "label_all",
    "undo",
    "redo",
    "elsewhere",
)
OPERATIONS = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, len(TRICKY_TEXT)), st.integers(1, 14), st.sampled_from(LABELS)),
    max_size=16,
)


def snapshot(view: DocumentView) -> dict[str, Any]:
    """What a layer holds, independent of the order rows come back in."""
    return {
        "text": view.text,
        "status": view.status,
        "spans": {span.id: span for span in view.spans},
        "relations": {relation.id: relation for relation in view.relations},
        "document_labels": sorted(view.document_labels),
    }


def run(service: AnnotationService, doc: int, other: int, operation: tuple[str, int, int, str]) -> None:
    kind, at, size, label = operation
    spans = service.document(doc).spans
    relations = service.document(doc).relations
    some = spans[at % len(spans)] if spans else None
    end = min(at + size, len(TRICKY_TEXT))
    if kind == "add":
        service.add_span(doc, at, end, label)
    elif kind == "remove" and some is not None:
        service.remove_span(some.id)
    elif kind == "relabel" and some is not None:
        service.relabel_span(some.id, label)
    elif kind == "attribute" and some is not None and some.label == "ACTOR":
        service.set_attribute(some.id, "kind", ("person", "state", None)[size % 3])
    elif kind == "resize" and some is not None:
        service.resize_span(some.id, min(at, some.start), max(end, some.start + 1))
    elif kind == "relation" and len(spans) > 1:
        service.add_relation(("SAID_BY", "WHEN")[size % 2], some.id, spans[size % len(spans)].id)  # type: ignore[union-attr]
    elif kind == "remove_relation" and relations:
        service.remove_relation(relations[at % len(relations)].id)
    elif kind == "status":
        service.set_status(doc, ("todo", "in_progress", "done", "skipped")[size % 4])
    elif kind == "document_label":
        name = ("OPINION", "BREAKING")[size % 2]
        service.set_document_label(doc, name, present=name not in service.document(doc).document_labels)
    elif kind == "label_all" and some is not None:
        service.label_all_occurrences(doc, some.start, some.end, label)
    elif kind == "undo" and service.can_undo:
        service.undo()
    elif kind == "redo" and service.can_redo:
        service.redo()
    elif kind == "elsewhere":
        service.add_span(other, at % 20, at % 20 + size, label)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_following_the_changes_equals_reading_the_layer_again(
    make_project: ProjectMaker, operations: list[tuple[str, int, int, str]]
) -> None:
    root: Path = make_project(schema_text=NEWS_SCHEMA.read_text(encoding="utf-8") + DOCUMENT_LABELS)
    service = AnnotationService.open(root, "alice")
    try:
        records = [DocumentRecord("test", 1, TRICKY_TEXT, external_id="doc-1")]
        records.append(DocumentRecord("test", 2, "Another article about Kim Jong Un and Moscow.", external_id="doc-2"))
        import_records(service.project, records)
        doc, other = service.find_document("doc-1"), service.find_document("doc-2")
        layer = LayerModel()
        layer.load(service.document(doc))
        service.subscribe(layer.apply)
        for operation in operations:
            with contextlib.suppress(AnnotatorError):  # a refused edit must not change the layer either
                run(service, doc, other, operation)
            assert snapshot(layer.view()) == snapshot(service.document(doc)), operation
    finally:
        service.close()
