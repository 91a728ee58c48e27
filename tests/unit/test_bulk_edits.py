"""'Label all occurrences' and reading time are each one edit of at most 3 round trips, whatever
the number of occurrences (SQLite here, counted as bench/roundtrips.py says;
tests/integration/test_bulk_edits_postgres.py counts PostgreSQL's wire). Label all keeps the
rules of a single added span: the overlap rule and duplicates, one event row per step, one
undo entry whose undo and redo are one edit each and are checked against the layer as it is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from annotator.errors import NotFoundError, ValidationError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import Traffic, sqlite_scans, sqlite_traffic
from tests.conftest import ProjectMaker
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS

WORD = "Seoul"
LINE = "Officials in Seoul met envoys on Monday; Seoulites watched.\n"
Watch = Callable[[Engine], AbstractContextManager[Traffic]]


def import_article(root: Path, folder: Path, lines: int) -> None:
    source = folder / f"article-{lines}.txt"
    source.write_bytes((LINE * lines).encode("utf-8"))
    with Project.open(root) as project:
        import_paths(project, [source])


@pytest.fixture
def service(make_project: ProjectMaker, tmp_path: Path) -> Iterator[AnnotationService]:
    root = make_project()
    for lines in (3, 60):
        import_article(root, tmp_path, lines)
    with AnnotationService.open(root, "alice") as opened:
        yield opened


def label_all_traffic(service: AnnotationService, lines: int, watch: Watch) -> dict[str, Traffic]:
    """Label every Seoul of the article of ``lines`` lines, undo, redo: each step's traffic."""
    doc = service.find_document(f"article-{lines}")
    start = service.document(doc).text.index(WORD)  # the window reads the document before it edits it
    seen: dict[str, Traffic] = {}
    steps: dict[str, Callable[[], Any]] = {
        "label all": lambda: service.label_all_occurrences(doc, start, start + len(WORD), "ACTOR"),
        "undo": service.undo,
        "redo": service.redo,
    }
    for name, step in steps.items():
        with watch(service.project.engine) as traffic:
            step()
        seen[name] = traffic
    assert [s.text for s in service.document(doc).spans] == [WORD] * lines  # whole words: not Seoulites
    return seen


def check_label_all_is_one_edit_whatever_the_occurrences(service: AnnotationService, watch: Watch) -> None:
    few, many = label_all_traffic(service, 3, watch), label_all_traffic(service, 60, watch)
    for name, traffic in many.items():
        assert 1 <= traffic.round_trips <= MAX_ROUND_TRIPS, (name, traffic.round_trips, traffic.statements)
        assert traffic.round_trips == few[name].round_trips, name
        # 60 spans go out as one batch, as 3 do: the edit sends as many statements either way.
        assert len(traffic.statements) == len(few[name].statements), (name, traffic.statements)


def test_label_all_is_one_edit_whatever_the_occurrences(service: AnnotationService) -> None:
    check_label_all_is_one_edit_whatever_the_occurrences(service, sqlite_traffic)


def test_label_all_statements_are_tagged_and_need_no_scan(service: AnnotationService) -> None:
    seen = label_all_traffic(service, 60, sqlite_traffic)
    statements = [s for traffic in seen.values() for s in traffic.statements]
    for name, traffic in seen.items():
        assert traffic.untagged == [], f"{name}: statements outside the edit's exchanges"
        assert traffic.statements[0][0] == "BEGIN IMMEDIATE" and traffic.statements[-1][0] == "COMMIT", name
    database = service.project.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        assert sqlite_scans(connection, statements) == []


def events(service: AnnotationService, doc: int) -> list[str]:
    database = service.project.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT action FROM events WHERE document_id = ? ORDER BY id", (doc,))
        return [action for (action,) in rows]


def test_label_all_keeps_the_rules_of_one_added_span(service: AnnotationService) -> None:
    doc = service.find_document("article-3")
    text = service.document(doc).text
    starts = [i for i in range(len(text)) if text.startswith(WORD + " ", i)]
    taken = service.add_span(doc, starts[1], starts[1] + len(WORD), "ACTOR").value  # a duplicate to leave out
    crossing = service.add_span(doc, starts[2] - 3, starts[2] + 2, "CLAIM").value  # 'in Se': nested only
    before = events(service, doc)
    outcome = service.label_all_occurrences(doc, starts[0], starts[0] + len(WORD), "ACTOR")
    assert [(s.start, s.label) for s in outcome.value] == [(starts[0], "ACTOR")]
    assert service.undo_description == "label 1 × 'Seoul' as ACTOR"
    spans = {(s.start, s.end, s.label) for s in service.document(doc).spans}
    assert spans == {
        (starts[0], starts[0] + 5, "ACTOR"),
        (taken.start, taken.end, "ACTOR"),
        (crossing.start, crossing.end, "CLAIM"),
    }
    service.undo()  # one step takes back every span it added, and only those
    assert {s.id for s in service.document(doc).spans} == {taken.id, crossing.id}
    assert service.undo_description == "add CLAIM 'in Se'"
    service.redo()  # the same spans under the same ids
    assert {s.id for s in service.document(doc).spans} == {taken.id, crossing.id, outcome.value[0].id}
    assert events(service, doc)[len(before) :] == ["do:AddSpans", "undo:AddSpans", "redo:AddSpans"]
    with pytest.raises(ValidationError, match="every occurrence of 'Seoul' is labelled ACTOR already"):
        service.label_all_occurrences(doc, starts[0], starts[0] + len(WORD), "ACTOR")


def test_undo_and_redo_of_label_all_are_checked_against_the_layer_as_it_is(service: AnnotationService) -> None:
    doc = service.find_document("article-3")
    text = service.document(doc).text
    start = text.index(WORD)
    added = service.label_all_occurrences(doc, start, start + len(WORD), "ACTOR").value
    with AnnotationService.open(service.project.config.root, "alice") as other_window:
        claim = other_window.add_span(doc, 0, len(LINE) - 1, "CLAIM").value
        other_window.add_relation("SAID_BY", claim.id, added[1].id)
        with pytest.raises(ValidationError, match=r"cannot undo .* is used by 1 relation"):
            service.undo()
        assert len(service.document(doc).spans) == 4 and service.can_undo  # nothing undone
        other_window.undo()  # the relation
        service.undo()
        other_window.add_span(doc, added[2].start, added[2].end, "ACTOR")
    with pytest.raises(ValidationError, match=r"cannot redo .*duplicate span ACTOR"):
        service.redo()
    assert [s.label for s in service.document(doc).spans] == ["CLAIM", "ACTOR"] and service.can_redo


def test_add_spans_is_one_batch(service: AnnotationService) -> None:
    doc = service.find_document("article-60")
    text = service.document(doc).text
    spans = [(i, i + len(WORD), "ACTOR") for i in range(len(text)) if text.startswith(WORD + " ", i)]
    with sqlite_traffic(service.project.engine) as traffic:
        assert len(service.add_spans(doc, spans, "label 60").value) == 60
    assert traffic.round_trips == 2 and len(traffic.statements) <= 6, traffic.statements
    with pytest.raises(ValidationError, match="duplicate span"):  # all or nothing, as one span is
        service.add_spans(doc, [(0, 9, "ACTOR"), spans[0]], "again")
    assert len(service.document(doc).spans) == 60


def check_add_time_is_one_round_trip(service: AnnotationService, watch: Watch) -> None:
    doc = service.find_document("article-3")
    for seconds in (12.5, 2.0):
        with watch(service.project.engine) as traffic:
            service.add_time(doc, seconds)
        assert traffic.round_trips == 1, traffic.statements
    (summary,) = [d for d in service.documents() if d.id == doc]
    assert (summary.status, summary.seconds_spent) == ("todo", 14.5)
    service.set_status(doc, "done")
    service.add_time(doc, 1.0)
    (summary,) = [d for d in service.documents() if d.id == doc]
    assert (summary.status, summary.seconds_spent) == ("done", 15.5)
    with pytest.raises(NotFoundError, match="no document with id 999999"):
        service.add_time(999_999, 3.0)
    with pytest.raises(ValidationError, match="non-negative"):
        service.add_time(doc, -1.0)


def test_add_time_is_one_round_trip(service: AnnotationService) -> None:
    check_add_time_is_one_round_trip(service, sqlite_traffic)
    doc = service.find_document("article-60")
    with sqlite_traffic(service.project.engine) as traffic:
        service.add_time(doc, 5.0)
    assert [sql.split()[0] for sql, _parameters in traffic.statements] == ["BEGIN", "INSERT", "COMMIT"]
    assert traffic.untagged == []
