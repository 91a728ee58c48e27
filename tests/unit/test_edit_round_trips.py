"""Every edit the window makes is at most 3 round trips to the database, and no statement of
an edit scans a table that grows with the project (SQLite; tests/integration has PostgreSQL).

Counting rule (bench/roundtrips.py): SQLite has no server, so a round trip is one exchange
the service makes, its statements sent together (one round trip on a server); every
statement but BEGIN IMMEDIATE must belong to an exchange.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from annotator.errors import ValidationError
from annotator.importers import import_paths
from annotator.importers.import_log import undo_import
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import Traffic, sqlite_scans, sqlite_traffic
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un said on Monday that the talks will resume, the ministry said.\n"
MAX_ROUND_TRIPS = 3


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    return start, start + len(needle)


@pytest.fixture
def service(make_project: ProjectMaker, tmp_path: Path) -> Iterator[AnnotationService]:
    root = make_project()
    source = tmp_path / "article.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    with Project.open(root) as project:
        import_paths(project, [source])
    with AnnotationService.open(root, "alice") as opened:
        yield opened


def check_a_refused_write_leaves_nothing(service: AnnotationService, tmp_path: Path) -> None:
    """The server's refusal of a write sent with the COMMIT is the service's error, the edit
    leaves nothing behind, and the next edit runs on a clean transaction."""
    other = tmp_path / "other.txt"
    other.write_bytes(b"Another article, imported and taken out again while the window shows it.\n")
    with Project.open(service.project.config.root) as project:
        report = import_paths(project, [other])
    doc = service.find_document("other")
    service.document(doc)  # open in the window: its text is known from now on
    with Project.open(service.project.config.root) as project:
        undo_import(project, report.event_id)
    with pytest.raises(ValidationError, match="refused by the database"):
        service.add_span(doc, 0, 7, "ACTOR")
    assert not service.can_undo
    article = service.find_document("article")
    added = service.add_span(article, *at("Kim Jong Un"), "ACTOR").value
    assert [s.id for s in service.document(article).spans] == [added.id]


def test_a_refused_write_leaves_nothing(service: AnnotationService, tmp_path: Path) -> None:
    check_a_refused_write_leaves_nothing(service, tmp_path)


def every_edit(service: AnnotationService, record: Callable[[str, Callable[[], Any]], Any]) -> None:
    """Each kind of edit the window makes, with undo and redo of the ones that restore rows."""
    doc = service.find_document("article")
    service.document(doc)  # the window reads the document before it edits it
    actor = record("add span", lambda: service.add_span(doc, *at("Kim Jong Un"), "ACTOR")).value
    claim = service.add_span(doc, *at("that the talks will resume"), "CLAIM").value
    record("set attribute", lambda: service.set_attribute(actor.id, "kind", "person"))
    record("relabel span", lambda: service.relabel_span(actor.id, "DATE"))
    record("undo relabel", service.undo)
    record("resize span", lambda: service.resize_span(actor.id, *at("Kim Jong")))
    relation = record("add relation", lambda: service.add_relation("SAID_BY", claim.id, actor.id)).value
    record("remove relation", lambda: service.remove_relation(relation.id))
    record("undo remove relation", service.undo)
    record("set status", lambda: service.set_status(doc, "done"))
    record("remove span", lambda: service.remove_span(actor.id))
    record("undo remove span", service.undo)
    record("redo remove span", service.redo)


def test_every_edit_is_at_most_three_round_trips(service: AnnotationService) -> None:
    seen: dict[str, Traffic] = {}

    def record(name: str, edit: Callable[[], Any]) -> Any:
        with sqlite_traffic(service.project.engine) as traffic:
            result = edit()
        seen[name] = traffic
        return result

    every_edit(service, record)
    assert len(seen) == 12
    for name, traffic in seen.items():
        assert traffic.untagged == [], f"{name}: statements outside the edit's exchanges"
        assert 1 <= traffic.round_trips <= MAX_ROUND_TRIPS, (name, traffic.statements)
        assert traffic.statements[0][0] == "BEGIN IMMEDIATE" and traffic.statements[-1][0] == "COMMIT", name
    # The edits did what they say (the last one removed the ACTOR again, and its relation with it).
    view = service.document(service.find_document("article"))
    assert [(s.text, s.label) for s in view.spans] == [("that the talks will resume", "CLAIM")]
    assert view.relations == () and view.status == "done"
    assert service.undo_description == "remove ACTOR 'Kim Jong'"
    service.undo()
    view = service.document(view.id)
    assert [(s.text, s.label, dict(s.attributes)) for s in view.spans] == [
        ("Kim Jong", "ACTOR", {"kind": "person"}),
        ("that the talks will resume", "CLAIM", {}),
    ]
    assert [(r.label, r.head, r.tail) for r in view.relations] == [("SAID_BY", view.spans[1].id, view.spans[0].id)]


def test_no_statement_of_an_edit_scans_a_growing_table(service: AnnotationService) -> None:
    statements: list[tuple[str, Any]] = []

    def record(name: str, edit: Callable[[], Any]) -> Any:
        with sqlite_traffic(service.project.engine) as traffic:
            result = edit()
        statements.extend(traffic.statements)
        return result

    every_edit(service, record)
    database = service.project.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        assert sqlite_scans(connection, statements) == []
        # Removing a span deletes its relations: SQLite finds them by either end with an index.
        tail = connection.execute("EXPLAIN QUERY PLAN SELECT 1 FROM relations WHERE tail_span_id = 1").fetchall()
        assert "USING COVERING INDEX ix_relations_tail" in tail[0][-1]
