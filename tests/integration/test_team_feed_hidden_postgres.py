"""The change feed of a blind annotator on a team database: events it may not read (others' layers)
are passed over once they are GAP_SECONDS old, not walked again on every wake-up; an event of its
own that commits late, below them, still arrives."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.pool import NullPool

from annotator import live
from annotator.config import DATABASE_URL_VARIABLE
from annotator.live import ChangeFeed
from annotator.service import AnnotationService
from tests.integration.team_fixtures import Team
from tests.integration.test_team_window_attacks_postgres import add_documents

pytestmark = pytest.mark.postgres


@pytest.fixture
def docs(team: Team) -> list[int]:
    return add_documents(team)


@pytest.fixture
def ann1(team: Team, docs: list[int], monkeypatch: pytest.MonkeyPatch) -> Iterator[AnnotationService]:
    team.add("ann1", "annotator")
    team.add("ann2", "annotator")
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann1"))
    with AnnotationService.open(team.root) as service:
        yield service


def hidden_events(team: Team, document_id: int, count: int) -> int:
    """``count`` events of ann2's layer (hidden from ann1), committed; the newest id."""
    admin = create_engine(team.admin_url, poolclass=NullPool)
    with admin.begin() as connection:
        layer = connection.execute(
            text(
                "INSERT INTO annotators (name) VALUES (:name) "
                "ON CONFLICT (name) DO UPDATE SET name = :name RETURNING id"
            ),
            {"name": team.members["ann2"]},
        ).scalar_one()
        newest = connection.execute(
            text(
                "INSERT INTO events (annotator_id, document_id, action, detail) "
                "SELECT :layer, :doc, 'do:AddSpan', '{}' FROM generate_series(1, :count) RETURNING id"
            ),
            {"layer": layer, "doc": document_id, "count": count},
        ).all()
    admin.dispose()
    return max(row[0] for row in newest)


def test_hidden_events_are_passed_over_once(
    team: Team, docs: list[int], ann1: AnnotationService, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "GAP_SECONDS", 0.2)  # how long an id may take to commit: 30 s, shortened here
    with ChangeFeed(ann1.project) as feed:
        last = feed.latest_event_id()
        newest_hidden = hidden_events(team, docs[1], 300)
        starts: list[Any] = []

        def note(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            if "FROM events" in statement and "ORDER BY events.id" in statement:
                starts.append(parameters)

        event.listen(ann1.project.engine, "before_cursor_execute", note)
        assert feed.changes_since(last) == []  # every one hidden
        time.sleep(0.3)
        assert feed.changes_since(last) == []
        event.remove(ann1.project.engine, "before_cursor_execute", note)
        assert len(starts) == 2
        assert last in starts[0].values() and newest_hidden in starts[1].values(), starts  # above them, later
        ann1.add_span(docs[0], 0, 5, "ACTOR")
        [own] = feed.changes_since(last)
        assert own.layer == team.members["ann1"] and own.event_id > newest_hidden


def test_an_own_event_committing_late_below_hidden_ones_still_arrives(
    team: Team, docs: list[int], ann1: AnnotationService
) -> None:
    with ChangeFeed(ann1.project) as feed, team.connect("ann1") as late:
        last = feed.latest_event_id()
        late.autocommit = False
        (late_id,) = late.execute(
            "INSERT INTO events (annotator_id, document_id, action, detail) "
            "VALUES (%s, %s, 'do:SetStatus', '{}') RETURNING id",
            (ann1.annotator_id, docs[0]),
        ).fetchone()
        newest_hidden = hidden_events(team, docs[1], 50)
        assert late_id < newest_hidden
        assert feed.changes_since(last) == []  # its own is not committed yet; the others' are hidden
        late.commit()
        assert [c.event_id for c in feed.changes_since(last)] == [late_id]
