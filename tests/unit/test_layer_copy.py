"""Other layers of a document: listed with counts and status, read as Span/Relation values, and
copied into the own layer (one edit, one undo step, skipping what is there or what the schema refuses)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.errors import NotFoundError, ValidationError
from annotator.example_project import copy_example
from annotator.importers import import_paths
from annotator.layer_list import LayerSummary, LayerView
from annotator.models import Span
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import sqlite_traffic
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS

DROPPED_FROM_MODEL = 7  # the model layer lacks the reference's first seven spans


def model_record(reference: dict[str, Any]) -> dict[str, Any]:
    """The reference as a model's pre-annotations: its first spans dropped (with their relations)."""
    dropped = {span["id"] for span in reference["spans"][:DROPPED_FROM_MODEL]}
    spans = [span for span in reference["spans"] if span["id"] not in dropped]
    relations = [r for r in reference["relations"] if r["head"] not in dropped and r["tail"] not in dropped]
    return {**reference, "annotator": "model", "status": "in_progress", "spans": spans, "relations": relations}


def make_example(folder: Path) -> Path:
    """The example project (its `reference` layer, done) with a `model` layer beside it."""
    root = copy_example(folder / "example")
    reference = json.loads((root / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    model = folder / "model.jsonl"
    model.write_text(json.dumps(model_record(reference)) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [model])
    return root


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return make_example(tmp_path)


@pytest.fixture
def alice(example: Path) -> Iterator[AnnotationService]:
    with AnnotationService.open(example, "alice") as service:
        yield service


def own_layer(service: AnnotationService, document_id: int) -> tuple[Any, ...]:
    """The own layer as stored: spans with attributes and ids, relations, by the service's read."""
    view = service.document(document_id)
    return tuple((s.id, s.start, s.end, s.label, dict(s.attributes)) for s in view.spans), view.relations


def test_layers_lists_the_other_readable_layers_with_counts_and_status(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    reference = alice.other_layer(doc, "reference")
    assert alice.layers(doc) == [
        LayerSummary("model", len(reference.spans) - DROPPED_FROM_MODEL, "in_progress"),
        LayerSummary("reference", len(reference.spans), "done"),
    ]
    alice.add_span(doc, reference.spans[0].start, reference.spans[0].end, reference.spans[0].label)
    with AnnotationService.open(alice.project.config.root, "bob") as bob:
        bob.document(doc)  # opening makes an empty todo layer: nothing to show, not listed
        assert [layer.annotator for layer in bob.layers(doc)] == ["alice", "model", "reference"]
    assert [layer.annotator for layer in alice.layers(doc)] == ["model", "reference"]  # never the own layer


def test_other_layer_reads_the_same_values_as_the_own_read(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    with AnnotationService.open(alice.project.config.root, "reference") as owner:
        own = owner.document(doc)
    shown = alice.other_layer(doc, "reference")
    assert shown == LayerView(doc, "reference", "done", own.spans, own.relations)
    assert len(shown.spans) == 77 and len(shown.relations) == 14
    assert all(isinstance(span, Span) and span.text == own.text[span.start : span.end] for span in shown.spans)
    with pytest.raises(NotFoundError, match="'nobody'"):
        alice.other_layer(doc, "nobody")


def test_copy_one_span_with_its_attributes_then_undo(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    reference = alice.other_layer(doc, "reference")
    actor = next(s for s in reference.spans if s.label == "ACTOR" and s.attributes)
    outcome = alice.copy_spans(reference, [actor.id])
    (copied,) = outcome.value.spans
    assert (copied.start, copied.end, copied.label, dict(copied.attributes)) == (
        actor.start, actor.end, "ACTOR", dict(actor.attributes)
    )  # fmt: skip
    assert alice.undo_description == f"copy ACTOR '{actor.text}' from reference"
    assert own_layer(alice, doc)[0] == ((copied.id, actor.start, actor.end, "ACTOR", dict(actor.attributes)),)
    with pytest.raises(ValidationError, match="nothing copied from reference: 1 already in your layer"):
        alice.copy_spans(reference, [actor.id])
    alice.undo()
    assert own_layer(alice, doc) == ((), ())
    assert alice.other_layer(doc, "reference") == reference  # the source is never touched


def test_copy_all_is_one_edit_with_relations_and_skips_what_is_there(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    reference = alice.other_layer(doc, "reference")
    first = reference.spans[10]
    alice.add_span(doc, first.start, first.end, first.label, first.attributes)  # already there: skipped, counted
    before = own_layer(alice, doc)
    with sqlite_traffic(alice.project.engine) as traffic:
        outcome = alice.copy_spans(reference)
    assert 1 <= traffic.round_trips <= MAX_ROUND_TRIPS
    assert outcome.value.skipped == {"already in your layer": 1}
    assert len(outcome.value.spans) == len(reference.spans) - 1
    # Every relation whose ends were both copied: none that uses the span already there
    ends = {first.id}
    expected = [r for r in reference.relations if r.head not in ends and r.tail not in ends]
    assert len(outcome.value.relations) == len(expected)
    assert alice.undo_description == f"copy {len(reference.spans) - 1} spans from reference"
    stored = alice.document(doc)
    assert sorted((s.start, s.end, s.label, dict(s.attributes)) for s in stored.spans) == sorted(
        (s.start, s.end, s.label, dict(s.attributes)) for s in reference.spans
    )
    by_id = {s.id: (s.start, s.end, s.label) for s in stored.spans}
    source = {s.id: (s.start, s.end, s.label) for s in reference.spans}
    assert {(r.label, by_id[r.head], by_id[r.tail]) for r in stored.relations} == {
        (r.label, source[r.head], source[r.tail]) for r in expected
    }
    alice.undo()
    assert own_layer(alice, doc) == before
    alice.redo()  # the same rows under the same ids
    assert own_layer(alice, doc) == (
        tuple((s.id, s.start, s.end, s.label, dict(s.attributes)) for s in stored.spans),
        stored.relations,
    )
    database = alice.project.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        actions = [a for (a,) in connection.execute("SELECT action FROM events WHERE action LIKE '%CopySpans'")]
    assert actions == ["do:CopySpans", "undo:CopySpans", "redo:CopySpans"]


def test_spans_the_schema_refuses_are_skipped_with_the_reason(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    reference = alice.other_layer(doc, "reference")
    good = reference.spans[0]
    unknown = Span(10**9, good.start, good.end, "PERSON", good.text)  # a label the schema lacks
    bad_value = Span(10**9 + 1, good.start, good.end, "DATE", good.text, {"value": "not a date"})
    shown = LayerView(doc, "model", "todo", (good, unknown, bad_value), ())
    outcome = alice.copy_spans(shown)
    assert [s.label for s in outcome.value.spans] == [good.label]
    assert outcome.value.skipped == {
        "with label PERSON not in the schema": 1,
        "refused by the schema (offsets or attributes)": 1,
    }
    with pytest.raises(ValidationError, match="with label PERSON not in the schema"):
        alice.copy_spans(LayerView(doc, "model", "todo", (unknown,), ()))


def test_the_overlap_rule_is_kept(alice: AnnotationService) -> None:
    doc = alice.documents()[0].id
    text = alice.document(doc).text
    start = text.index("Kim Jong Un")
    alice.add_span(doc, start, start + len("Kim Jong Un"), "ACTOR")
    # The example's schema allows nested spans only: one that crosses the own span is left out.
    crossing = Span(1, start + 4, start + len("Kim Jong Un") + 4, "CLAIM", text[start + 4 : start + 15])
    free = Span(2, 0, len("North Korea"), "ACTOR", "North Korea")
    outcome = alice.copy_spans(LayerView(doc, "model", "todo", (crossing, free), ()))
    assert [s.text for s in outcome.value.spans] == ["North Korea"]
    assert outcome.value.skipped == {"refused by the schema's overlap rule": 1}


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(own=st.sets(st.integers(0, 76), max_size=30), relabel=st.sets(st.integers(0, 76), max_size=10))
def test_copy_all_then_undo_leaves_the_own_layer_and_twice_adds_nothing(
    tmp_path_factory: pytest.TempPathFactory, own: set[int], relabel: set[int]
) -> None:
    root = make_example(tmp_path_factory.mktemp("copy"))
    with AnnotationService.open(root, "alice") as alice:
        doc = alice.documents()[0].id
        reference = alice.other_layer(doc, "reference")
        picked = []  # some of the reference's spans, some under another label (which nests or not)
        for i in sorted(own):
            span = reference.spans[i]
            label = ("DATE" if span.label != "DATE" else "ACTOR") if i in relabel else span.label
            picked.append((span.start, span.end, label))
        if picked:
            alice.add_spans(doc, picked, "own spans")
        before = own_layer(alice, doc)
        copied = alice.copy_spans(reference).value
        after = own_layer(alice, doc)
        assert len(after[0]) == len(before[0]) + len(copied.spans)
        with pytest.raises(ValidationError, match="nothing copied from reference"):
            alice.copy_spans(reference)  # everything is there now (or refused as before)
        assert own_layer(alice, doc) == after
        alice.undo()
        assert own_layer(alice, doc) == before
