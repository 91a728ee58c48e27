"""On PostgreSQL every edit the window makes is at most 3 round trips on the wire (counted
from libpq's trace: every time the client sends after the server answered, psycopg's BEGIN
and COMMIT included; bench/roundtrips.py), and every statement it sends, and the lookups
its cascades make, can use an index: with sequential scans priced out (enable_seqscan off),
no plan still scans a table that grows with the project."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

import annotator.db.engine as engine_module
from annotator.errors import ProjectError
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import Traffic, postgres_scans, postgres_traffic
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS, TEXT, at, check_a_refused_write_leaves_nothing, every_edit

pytestmark = pytest.mark.postgres


@pytest.fixture
def service(pg_project: Path, tmp_path: Path) -> Iterator[AnnotationService]:
    source = tmp_path / "article.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    with Project.open(pg_project) as project:
        import_paths(project, [source])
    with AnnotationService.open(pg_project, "alice") as opened:
        yield opened


def test_every_edit_is_at_most_three_round_trips_on_the_wire(service: AnnotationService) -> None:
    seen: dict[str, Traffic] = {}

    def record(name: str, edit: Callable[[], Any]) -> Any:
        with postgres_traffic(service.project.engine) as traffic:
            result = edit()
        seen[name] = traffic
        return result

    every_edit(service, record)
    assert len(seen) == 12
    for name, traffic in seen.items():
        assert 1 <= traffic.round_trips <= MAX_ROUND_TRIPS, (name, traffic.round_trips, traffic.statements)
        assert traffic.statements[0][0] == "BEGIN" and traffic.statements[-1][0] == "COMMIT", name
    view = service.document(service.find_document("article"))
    assert [(s.text, s.label) for s in view.spans] == [("that the talks will resume", "CLAIM")]
    service.undo()
    view = service.document(view.id)
    assert [(s.text, s.label, dict(s.attributes)) for s in view.spans] == [
        ("Kim Jong", "ACTOR", {"kind": "person"}),
        ("that the talks will resume", "CLAIM", {}),
    ]
    assert [r.label for r in view.relations] == ["SAID_BY"] and view.status == "done"


def test_no_statement_of_an_edit_needs_a_scan_of_a_growing_table(service: AnnotationService) -> None:
    statements: list[tuple[str, Any]] = []

    def record(name: str, edit: Callable[[], Any]) -> Any:
        with postgres_traffic(service.project.engine) as traffic:
            result = edit()
        statements.extend(traffic.statements)
        return result

    every_edit(service, record)
    with service.project.engine.connect() as pooled:
        connection = pooled.connection.driver_connection
        assert connection is not None
        connection.execute("SET enable_seqscan = off")
        assert postgres_scans(connection, statements) == []
        plan = [row[0] for row in connection.execute("EXPLAIN SELECT 1 FROM relations WHERE tail_span_id = 1")]
        assert any("ix_relations_tail" in line for line in plan), plan
        connection.rollback()


def test_a_refused_write_leaves_nothing(service: AnnotationService, tmp_path: Path) -> None:
    check_a_refused_write_leaves_nothing(service, tmp_path)


def test_a_connection_the_server_dropped_while_idle_is_replaced(
    service: AnnotationService, pg_admin: Engine, fresh_schema: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No pre-ping per checkout (it was a round trip per edit): a pooled connection is pinged
    only after IDLE_PING_SECONDS unused, and one found dead is replaced, unseen by the edit.
    One that died sooner fails one edit with the core's error; the next edit reconnects."""
    doc = service.find_document("article")
    service.document(doc)
    application = make_url(fresh_schema).query["options"].split("application_name=")[1]

    def drop_connections() -> None:
        with pg_admin.connect() as connection:
            killed = connection.execute(
                text("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = :name"),
                {"name": application},
            ).scalar()
        assert killed and killed >= 1

    service.add_span(doc, *at("Kim Jong Un"), "ACTOR")  # leaves a connection in the pool
    drop_connections()
    with pytest.raises(ProjectError, match="the connection to the database server was lost"):
        service.add_span(doc, *at("Monday"), "DATE")
    service.add_span(doc, *at("Monday"), "DATE")
    drop_connections()
    monkeypatch.setattr(engine_module, "IDLE_PING_SECONDS", 0.0)
    service.add_span(doc, *at("the ministry"), "ACTOR")
    assert [s.text for s in service.document(doc).spans] == ["Kim Jong Un", "Monday", "the ministry"]
