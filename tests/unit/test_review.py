"""Adjudication into gold: candidates of a document, accept, reject, accept all agreed, undo."""

from __future__ import annotations

import contextlib
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from annotator.db.tables import EventRow
from annotator.errors import ValidationError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.review import GOLD, ReviewOptions
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow on Monday, officials said the talks went well."


def at(word: str, text: str = TEXT) -> tuple[int, int]:
    start = text.index(word)
    return start, start + len(word)


def span(word: str, label: str, sid: str, **attributes: Any) -> dict[str, Any]:
    start, end = at(word)
    record: dict[str, Any] = {"id": sid, "start": start, "end": end, "label": label, "text": word}
    if attributes:
        record["attributes"] = attributes
    return record


def layer(annotator: str, spans: list[dict[str, Any]], status: str = "done", **more: Any) -> str:
    record = {"id": "doc", "text": TEXT, "spans": spans, "annotator": annotator, "status": status, **more}
    return json.dumps(record)


def layers_file(tmp_path: Path) -> Path:
    """alice, bob (both done), carol (in progress) and reference layers of one document, as JSONL."""
    said = "officials said the talks went well"
    lines = [
        layer(
            "alice",
            [span("Kim Jong Un", "ACTOR", "a1", kind="person"), span("Putin", "ACTOR", "a2", kind="person"),
             span(said, "CLAIM", "a3"), span("officials", "ACTOR", "a4", kind="person")],
            relations=[{"id": "r1", "label": "SAID_BY", "head": "a3", "tail": "a4"}],
        ),
        layer(
            "bob",
            [span("Kim Jong Un", "ACTOR", "b1", kind="state"), span("Putin", "ACTOR", "b2", kind="person"),
             span("Moscow", "ACTOR", "b3"), span(said, "CLAIM", "b4"), span("officials", "ACTOR", "b5")],
            relations=[{"id": "r1", "label": "SAID_BY", "head": "b4", "tail": "b5"}],
        ),
        layer("carol", [span("Kim Jong", "ACTOR", "c1"), span("Monday", "DATE", "c2")], status="in_progress"),
        layer("reference", [span("Kim Jong Un", "ACTOR", "r1"), span("Monday", "DATE", "r2")]),
    ]  # fmt: skip
    source = tmp_path / "layers.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


@pytest.fixture
def reviewed(make_project: ProjectMaker, tmp_path: Path) -> Iterator[tuple[AnnotationService, int]]:
    """The layers of layers_file(); a service of reviewer rita on gold."""
    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [layers_file(tmp_path)])
    service = AnnotationService.open(root, "rita")
    service.edit_layer(GOLD)
    yield service, service.find_document("doc")
    service.close()


def test_candidates_have_marks_k_of_n_groups_and_state(reviewed: tuple[AnnotationService, int]) -> None:
    service, doc = reviewed
    board = service.review_board(doc)
    assert [(layer.name, layer.counted) for layer in board.layers] == [
        ("alice", True), ("bob", True), ("carol", True), ("reference", False)
    ]  # fmt: skip
    assert board.n == 2 and board.threshold == 2  # alice and bob finished; carol has not
    rows = {(c.text, c.label): c for c in board.candidates}
    kim = rows["Kim Jong Un", "ACTOR"]
    assert kim.marks == ("alice", "bob", "reference") and (kim.k, kim.n, kim.agreed) == (2, 2, True)
    assert kim.attributes == {"kind": "person"}  # a tie between alice and bob: the first by name
    assert rows["Kim Jong", "ACTOR"].group == kim.group  # carol's version of the same mention
    assert rows["Kim Jong", "ACTOR"].k == 0  # carol has not finished: her mark is shown, not counted
    assert (rows["Moscow", "ACTOR"].k, rows["Moscow", "ACTOR"].agreed) == (1, False)
    assert rows["Monday", "DATE"].marks == ("carol", "reference") and rows["Monday", "DATE"].k == 0
    assert {c.state for c in board.candidates} == {"undecided"}
    # Ticked, the reference counts; a threshold of 1 agrees with any single finished layer.
    ticked = service.review_board(doc, ReviewOptions(threshold=1, counted=frozenset({"reference"})))
    assert ticked.n == 3 and ticked.find(rows["Monday", "DATE"].key).agreed  # type: ignore[union-attr]
    assert ticked.find(rows["Moscow", "ACTOR"].key).agreed  # type: ignore[union-attr]


def test_accept_writes_attributes_and_relations_follow_when_both_ends_are_in_gold(
    reviewed: tuple[AnnotationService, int],
) -> None:
    service, doc = reviewed
    board = service.review_board(doc)
    claim = next(c for c in board.candidates if c.label == "CLAIM")
    officials = next(c for c in board.candidates if c.text == "officials")
    service.accept(doc, [claim])
    assert service.document(doc).relations == ()  # its tail is not in gold yet
    service.accept(doc, [officials])
    gold = service.document(doc)
    assert [(s.text, dict(s.attributes)) for s in gold.spans] == [("officials", {"kind": "person"}), (claim.text, {})]
    [relation] = gold.relations
    assert (relation.label, gold.span(relation.head).label, gold.span(relation.tail).text) == (
        "SAID_BY", "CLAIM", "officials"
    )  # fmt: skip
    assert {c.key: c.state for c in service.review_board(doc).candidates}[claim.key] == "accepted"
    with pytest.raises(ValidationError):
        service.accept(doc, [claim])  # in gold already: refused, nothing changes
    service.undo()
    assert [s.text for s in service.document(doc).spans] == [claim.text] and service.document(doc).relations == ()


def test_reject_is_kept_undoable_and_removes_gold_copy(reviewed: tuple[AnnotationService, int], tmp_path: Path) -> None:
    service, doc = reviewed
    moscow = next(c for c in service.review_board(doc).candidates if c.text == "Moscow")
    service.reject(doc, moscow)
    with AnnotationService(service.project, "someone") as other:  # read back as another window would
        assert other.review_board(doc).find(moscow.key).state == "rejected"  # type: ignore[union-attr]
    service.undo()
    assert service.review_board(doc).find(moscow.key).state == "undecided"  # type: ignore[union-attr]
    # Accepting takes back a rejection; rejecting an accepted one takes it out of gold.
    service.reject(doc, moscow)
    service.accept(doc, [moscow])
    assert service.review_board(doc).find(moscow.key).state == "accepted"  # type: ignore[union-attr]
    service.reject(doc, moscow)
    assert service.document(doc).spans == ()
    service.undo()
    assert [s.text for s in service.document(doc).spans] == ["Moscow"]
    service.undo()
    assert service.review_board(doc).find(moscow.key).state == "rejected"  # type: ignore[union-attr]
    with service.project.read() as session:
        events = session.execute(select(EventRow.action, EventRow.detail).order_by(EventRow.id)).all()
    assert events[-1] == ("undo:AcceptCandidates", {"description": "undo accept ACTOR 'Moscow'", "by": "rita"})


def test_accept_agreed_is_one_undo_step(reviewed: tuple[AnnotationService, int]) -> None:
    service, doc = reviewed
    outcome = service.accept_agreed(doc)
    assert sorted(s.text for s in outcome.value) == [
        "Kim Jong Un", "Putin", "officials", "officials said the talks went well"
    ]  # fmt: skip
    assert len(service.document(doc).relations) == 1  # SAID_BY: both ends came in together
    assert service.undo_description == "accept 4 agreed span(s)"
    with pytest.raises(ValidationError, match="no agreed candidate"):
        service.accept_agreed(doc)
    service.undo()
    assert service.document(doc).spans == ()
    service.redo()
    assert len(service.document(doc).spans) == 4


def test_only_gold_and_the_own_layer_can_be_edited(reviewed: tuple[AnnotationService, int]) -> None:
    service, doc = reviewed
    with pytest.raises(ValidationError):
        service.edit_layer("alice")
    service.edit_layer("rita")
    with pytest.raises(ValidationError, match="gold"):
        service.accept_agreed(doc)
    service.edit_layer(GOLD)


WORDS = TEXT.split(" ")
_counter = itertools.count()
Placed = tuple[int, int, str]


def _word_spans(count: int) -> st.SearchStrategy[list[Placed]]:
    """Spans of whole words (1-2 words), ACTOR or DATE, none overlapping another of the same layer."""
    starts = [0]
    for word in WORDS:
        starts.append(starts[-1] + len(word) + 1)
    spans = st.tuples(st.integers(0, len(WORDS) - 2), st.integers(1, 2), st.sampled_from(["ACTOR", "DATE"]))

    def placed(chosen: list[tuple[int, int, str]]) -> list[Placed]:
        out: list[Placed] = []
        taken: set[int] = set()
        for first, size, label in chosen:
            words = set(range(first, first + size))
            if not words & taken:
                taken |= words
                out.append((starts[first], starts[first + size] - 1, label))
        return out

    return st.lists(spans, max_size=count).map(placed)


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    layers=st.lists(_word_spans(6), min_size=2, max_size=3),
    gold_first=st.integers(0, 3),
    threshold=st.sampled_from([None, 1]),
)
def test_accept_all_agreed_then_undo_restores_gold_exactly(
    reviewed: tuple[AnnotationService, int],
    tmp_path: Path,
    layers: list[list[Placed]],
    gold_first: int,
    threshold: int | None,
) -> None:
    service, _doc = reviewed
    text = f"{next(_counter)} {TEXT}"
    shift = len(text) - len(TEXT)
    names = [f"h{i}" for i in range(len(layers))]
    source = tmp_path / f"{next(_counter)}.jsonl"
    records = [
        {
            "id": f"d{text.split()[0]}",
            "text": text,
            "annotator": name,
            "status": "done",
            "spans": [
                {"id": f"s{i}", "start": s, "end": e, "label": label, "text": text[s:e]}
                for i, (s, e, label) in enumerate((s + shift, e + shift, label) for s, e, label in spans)
            ],
        }
        for name, spans in zip(names, layers, strict=True)
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    import_paths(service.project, [source])
    doc = service.find_document(records[0]["id"])
    board = service.review_board(doc, ReviewOptions(threshold=1))
    # Some decisions already made: the first candidates accepted one by one, the next rejected.
    for candidate in board.candidates[:gold_first]:
        with contextlib.suppress(ValidationError):  # it crosses one accepted before, which the schema forbids
            service.accept(doc, [candidate])
    for candidate in board.candidates[gold_first : gold_first + 1]:
        service.reject(doc, candidate)
    before = (service.document(doc), service.review_board(doc, ReviewOptions(threshold=1)))
    options = ReviewOptions(threshold=threshold)
    agreed = service.review_board(doc, options).agreed_undecided()
    try:
        outcome = service.accept_agreed(doc, options)
    except ValidationError:
        assert not agreed or service.review_board(doc, options).agreed_undecided() == agreed  # nothing fitted
        return
    accepted = {s[1:4] for s in outcome.value}
    assert accepted and accepted <= {c.key for c in agreed}
    if threshold is None and gold_first == 0:  # every layer holds them all: they fit together
        assert accepted == {c.key for c in agreed}
    service.undo()
    assert (service.document(doc), service.review_board(doc, ReviewOptions(threshold=1))) == before
