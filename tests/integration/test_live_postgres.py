"""Live updates on PostgreSQL: two member processes on one team document see each other's edits
within 2 s and lose nothing; the feed sends no query while it waits, comes back after its
connection is killed, and row-level security keeps a blind annotator from reading others' events."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import annotator.live as live_module
from annotator.config import DATABASE_URL_VARIABLE
from annotator.importers import import_paths
from annotator.live import CHANNEL, ChangeFeed
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import Traffic, postgres_scans, postgres_traffic
from tests.integration.team_fixtures import Team
from tests.live_sessions import TEXT, run_two_sessions
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS, every_edit
from tests.unit.test_live_processes import check_two_sessions

pytestmark = pytest.mark.postgres


def seed(root: Path, tmp_path: Path) -> None:
    source = tmp_path / "article.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    with Project.open(root) as project:
        import_paths(project, [source])


def assign_to(team: Team, *shorts: str) -> None:
    """On a team an annotator's list is their queue: give them the article (as the admin)."""
    from annotator.team.assign import assign_documents

    with Project.open(team.root) as project:
        assign_documents(project, [team.members[short] for short in shorts], len(shorts))


def test_two_member_processes_see_each_others_edits_within_two_seconds(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(team.root, tmp_path)  # as the admin (project.yaml holds the superuser's URL)
    team.add("ann1", "annotator")
    assign_to(team, "ann1")
    url = team.url("ann1")
    reports = run_two_sessions(str(team.root), (url, url))  # one annotator, two windows
    monkeypatch.setenv(DATABASE_URL_VARIABLE, url)
    found = check_two_sessions(team.root, reports)
    print(f"PostgreSQL: read back after {', '.join(f'{d * 1000:.0f} ms' for d in found)}")


def listener_query(project: Project) -> list[tuple[str, str]]:
    """(state, last query) of the feed's listening connection, as the server sees it."""
    with project.engine.connect() as connection:
        name = connection.execute(text("SHOW application_name")).scalar()
        rows = connection.execute(
            text(
                "SELECT state, query FROM pg_stat_activity WHERE application_name = :name "
                "AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'"
            ),
            {"name": name},
        )
        return [(row[0], row[1]) for row in rows]


def test_the_feed_waits_without_queries_and_comes_back_after_its_connection_dies(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live_module, "RECONNECT_MIN_S", 0.2)
    seed(pg_project, tmp_path)
    with AnnotationService.open(pg_project, "alice") as writer, ChangeFeed(writer.project) as feed:
        doc = writer.find_document("article")
        last = feed.latest_event_id()
        assert feed.wait(5.0) is True  # listening from now on
        for _ in range(3):
            assert feed.wait(0.2) is False
        # Idle, and the last statement it sent is still its LISTEN: waiting sent nothing.
        assert listener_query(writer.project) == [("idle", f"LISTEN {CHANNEL}")]
        writer.add_span(doc, 0, 3, "ACTOR")
        started = time.monotonic()
        assert feed.wait(5.0) is True
        assert time.monotonic() - started < 2.0
        (change,) = feed.changes_since(last)
        last = change.event_id
        assert (change.document_id, change.layer) == (doc, "alice")

        with writer.project.engine.connect() as connection:  # the server drops the feed's connection
            name = connection.execute(text("SHOW application_name")).scalar()
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = :name AND query ILIKE 'LISTEN%' AND pid <> pg_backend_pid()"
                ),
                {"name": name},
            )
        assert feed.wait(5.0) is True  # lost: read again
        started = time.monotonic()
        # Back after its pause (it never spins: each failed retry waits twice as long), listening again.
        assert feed.wait(5.0) is True and time.monotonic() - started < 3.0
        assert listener_query(writer.project) == [("idle", f"LISTEN {CHANNEL}")]
        writer.add_span(doc, 4, 8, "ACTOR")
        assert any(feed.wait(5.0) for _ in range(2))
        assert [c.event_id > last for c in feed.changes_since(last)] == [True]


def test_a_blind_annotator_reads_only_the_events_of_layers_it_may_read(
    team: Team, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(team.root, tmp_path)
    team.add("ann1", "annotator")
    team.add("ann2", "annotator")
    team.add("rev1", "reviewer")
    assign_to(team, "ann1", "ann2")
    feeds = {}
    opened = []
    try:
        for short in ("ann1", "ann2", "rev1"):
            monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url(short))
            project = Project.open(team.root)
            opened.append(project)
            feed = ChangeFeed(project)
            feeds[short] = (feed, feed.latest_event_id())
        monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann1"))
        with AnnotationService.open(team.root) as ann1:
            ann1.add_span(ann1.find_document("article"), 0, 3, "ACTOR")
        seen = {short: feed.changes_since(last) for short, (feed, last) in feeds.items()}
        assert [c.layer for c in seen["ann1"]] == [team.members["ann1"]]
        assert [c.layer for c in seen["rev1"]] == [team.members["ann1"]]
        assert seen["ann2"] == []  # the notice reaches everyone; the event only those who may read it
    finally:
        for feed, _last in feeds.values():
            feed.close()
        for project in opened:
            project.close()


def test_the_stale_copy_check_costs_no_round_trip_and_no_scan(pg_project: Path, tmp_path: Path) -> None:
    seed(pg_project, tmp_path)

    def traffic_of(name: str, checked: bool) -> dict[str, Traffic]:
        seen: dict[str, Traffic] = {}
        with AnnotationService.open(pg_project, name) as service:
            service.shown_layer.checked = checked

            def record(step: str, edit: Callable[[], Any]) -> Any:
                with postgres_traffic(service.project.engine) as traffic:
                    result = edit()
                seen[step] = traffic
                return result

            every_edit(service, record)
        return seen

    plain, checked = traffic_of("plain", False), traffic_of("checked", True)
    for step in plain:
        assert checked[step].round_trips == plain[step].round_trips <= MAX_ROUND_TRIPS, step
        assert len(checked[step].statements) == len(plain[step].statements) + 1, step
    with Project.open(pg_project) as project, project.engine.connect() as pooled:
        connection = pooled.connection.driver_connection
        assert connection is not None
        connection.execute("SET enable_seqscan = off")
        statements = [s for traffic in checked.values() for s in traffic.statements]
        assert postgres_scans(connection, statements) == []
        connection.rollback()
