"""A hostile member with plain SQL, and a careless lead: what PostgreSQL itself refuses.

Each test is an attack that once got through (or one close to it that holds): relations joining
another layer's spans, functions shadowing what the policies call, a removed admin's open session,
a lead adding a role that is not a person's. Refusals are PostgreSQL's own.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from annotator.errors import ValidationError
from annotator.team.members import add_member, check_password, remove_member
from annotator.team.setup import init_team
from tests.integration import test_team_policies_postgres
from tests.integration.team_fixtures import PASSWORD, Team

layers = test_team_policies_postgres.layers  # the fixture: ann1, ann2, rev1, a span of ann2's and of gold's

OWN_LAYER = "(SELECT id FROM annotators WHERE name = current_user)"


def _superuser(team: Team) -> psycopg.Connection[Any]:
    return psycopg.connect(team.admin_url.replace("+psycopg", ""), autocommit=True)


def _relation(layer: int | str, head: int | str, tail: int | str, document: int, label: str = "SAID_BY") -> str:
    return (
        "INSERT INTO relations (document_id, annotator_id, label, head_span_id, tail_span_id) "
        f"VALUES ({document}, {layer}, '{label}', {head}, {tail})"
    )


def _own_span(connection: psycopg.Connection[Any], document: int, start: int) -> int:
    row = connection.execute(
        'INSERT INTO spans (document_id, annotator_id, start, "end", label) '
        f"VALUES ({document}, {OWN_LAYER}, {start}, {start + 3}, 'ACTOR') RETURNING id"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_relation_joins_spans_of_its_own_layer_only(team: Team, layers: dict[str, Any]) -> None:
    """A relation of ann1's layer pointing at ann2's spans took the (head, tail, label) ann2's own relation
    needs (unique), and locked ann2's spans while ann1's transaction stayed open."""
    document, ann2_span, gold_span = layers["document"], layers["ann2_span"], layers["gold_span"]
    with team.connect("ann1") as connection:
        mine, other = _own_span(connection, document, 6), _own_span(connection, document, 17)
        for head, tail in ((ann2_span, ann2_span), (mine, ann2_span), (ann2_span, mine), (mine, gold_span)):
            with pytest.raises(errors.InsufficientPrivilege):
                connection.execute(_relation(OWN_LAYER, head, tail, document))
        connection.execute(_relation(OWN_LAYER, mine, other, document))  # both ends mine: fine
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(f"UPDATE relations SET tail_span_id = {ann2_span}")
        with pytest.raises(errors.InsufficientPrivilege):  # nor a relation in one document joining another's spans
            connection.execute(f"UPDATE relations SET document_id = {document} + 1000")
    with team.connect("rev1") as connection:  # a reviewer reads every layer, yet gold joins gold's spans alone
        gold = layers["gold_layer"]
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(_relation(gold, gold_span, ann2_span, document))
    with _superuser(team) as connection:
        assert connection.execute("SELECT count(*) FROM relations").fetchone() == (1,)


def test_functions_of_a_members_own_cannot_stand_in_for_what_the_policies_call(
    team: Team, layers: dict[str, Any]
) -> None:
    """PostgreSQL 14 and older let everybody create in public: ann1's own pg_has_role() and `=`, first in
    their search_path, ran inside annotator_team_kind() and made them an admin (gold deleted)."""
    with _superuser(team) as connection:
        connection.execute("GRANT CREATE ON SCHEMA public TO PUBLIC")  # an old server's default
    with team.connect("ann1") as connection:
        connection.execute(
            "CREATE FUNCTION public.pg_has_role(name, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'"
        )
        connection.execute("CREATE FUNCTION public.always(name, name) RETURNS boolean LANGUAGE sql AS 'SELECT true'")
        connection.execute("CREATE OPERATOR public.= (LEFTARG = name, RIGHTARG = name, FUNCTION = public.always)")
        connection.execute("SET search_path = public, pg_catalog")
        assert connection.execute("SELECT annotator_team_kind()").fetchone() == ("annotator",)
        assert connection.execute("SELECT annotator_my_layer() IS NOT NULL").fetchone() == (True,)
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (0,)
        assert connection.execute(f"DELETE FROM spans WHERE id = {layers['gold_span']}").rowcount == 0
    with _superuser(team) as connection:
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (2,)
    # And `team init` takes that right away from everybody (again: it runs at will).
    engine = create_engine(team.admin_url, poolclass=NullPool)
    try:
        init_team(engine)
    finally:
        engine.dispose()
    with team.connect("ann1") as connection, pytest.raises(errors.InsufficientPrivilege):
        connection.execute("CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1'")


def test_others_rows_cannot_be_locked_upserted_or_copied_into(team: Team, layers: dict[str, Any]) -> None:
    document, ann2 = layers["document"], layers["ann2_layer"]
    with team.connect("ann1") as connection:
        with connection.transaction():  # the layer lock of ann2 (db/locks.py) is not ann1's to hold
            assert connection.execute(f"SELECT id FROM annotators WHERE id = {ann2} FOR UPDATE").fetchall() == []
            assert connection.execute(f"SELECT id FROM spans WHERE annotator_id = {ann2} FOR UPDATE").fetchall() == []
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(
                "INSERT INTO document_status (document_id, annotator_id, status) "
                f"VALUES ({document}, {ann2}, 'done') "
                "ON CONFLICT (document_id, annotator_id) DO UPDATE SET status = 'done'"
            )
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(
                f"INSERT INTO span_attributes (span_id, name, value) VALUES ({layers['ann2_span']}, 'x', '1')"
            )
        with pytest.raises(errors.FeatureNotSupported), connection.cursor().copy("COPY spans FROM STDIN") as copy:
            copy.write_row((99, document, ann2, 0, 1, "ACTOR", "2026-01-01"))
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(f'SET ROLE "{team.prefix}_admin"')
        for statement in ("CREATE TEMP TABLE t (a int)", "CREATE SCHEMA s", "CREATE TABLE public.t (a int)"):
            with pytest.raises(errors.InsufficientPrivilege):
                connection.execute(statement)
    # ann2's own edit is not held up by anything ann1 did.
    with team.connect("ann2") as connection:
        connection.execute("SET lock_timeout = '2s'")
        with connection.transaction():
            assert connection.execute(f"SELECT id FROM annotators WHERE id = {ann2} FOR UPDATE").fetchone() == (ann2,)


def test_a_removed_admins_open_session_cannot_make_itself_admin_again(team: Team) -> None:
    lead = team.add("lead", "admin")
    evil = f"evil_{team.suffix}"
    team.members["evil"] = evil  # dropped afterwards if it were ever made
    with psycopg.connect(team.url("lead", driver="postgresql"), autocommit=True) as session:
        assert session.execute("SELECT annotator_team_kind()").fetchone() == ("admin",)
        engine = create_engine(team.admin_url, poolclass=NullPool)
        try:
            remove_member(engine, lead)
        finally:
            engine.dispose()
        assert session.execute("SELECT annotator_team_kind()").fetchone() == ("none",)
        for statement in (
            f'GRANT "{team.prefix}_admin" TO "{lead}"',
            f'ALTER ROLE "{lead}" LOGIN',
            f'CREATE ROLE "{evil}" LOGIN PASSWORD \'x\' IN ROLE "{team.prefix}_admin"',
        ):
            with pytest.raises(errors.InsufficientPrivilege):
                session.execute(statement)
    with _superuser(team) as connection:
        row = connection.execute(
            "SELECT rolcreaterole, rolcanlogin FROM pg_roles WHERE rolname = %s", (lead,)
        ).fetchone()
        assert row == (False, False)
        assert connection.execute("SELECT count(*) FROM pg_roles WHERE rolname = %s", (evil,)).fetchone() == (0,)


def test_a_lead_cannot_remove_themselves_nor_add_a_superuser_or_a_role_that_is_no_ones_login(team: Team) -> None:
    lead = team.add("lead", "admin")
    engine = create_engine(team.url("lead"), poolclass=NullPool)
    superuser = create_engine(team.admin_url, poolclass=NullPool)
    try:
        with pytest.raises(ValidationError, match="connected as"):
            remove_member(engine, lead)
        with pytest.raises(ValidationError, match="connected as"):
            add_member(engine, lead, "annotator")
        with superuser.connect() as connection:
            superuser_name = connection.exec_driver_sql("SELECT current_user").scalar_one()
        with pytest.raises(ValidationError, match="superuser"):
            add_member(superuser, superuser_name, "annotator", "changed-password")
        other_group = f"other_{team.suffix}_admin"
        team.members["other_group"] = other_group
        with _superuser(team) as connection:
            connection.execute(f'CREATE ROLE "{other_group}" NOLOGIN')
        with pytest.raises(ValidationError, match="cannot log in"):
            add_member(superuser, other_group, "annotator", "a-password")
    finally:
        engine.dispose()
        superuser.dispose()
    with _superuser(team) as connection:  # nothing half-done
        rows = connection.execute(
            "SELECT rolname, rolcanlogin, rolcreaterole FROM pg_roles WHERE rolname IN (%s, %s)", (lead, other_group)
        ).fetchall()
        assert sorted(rows) == sorted([(lead, True, True), (other_group, False, False)])
        members = connection.execute(
            "SELECT a.name FROM team_members m JOIN annotators a ON a.id = m.annotator_id ORDER BY 1"
        ).fetchall()
        assert members == [(lead,)]
        grants = connection.execute(
            "SELECT count(*) FROM pg_auth_members g JOIN pg_roles r ON r.oid = g.member WHERE r.rolname = %s",
            (other_group,),
        ).fetchone()
        assert grants == (0,)
    with psycopg.connect(team.url("lead", driver="postgresql")) as connection:
        assert connection.execute("SELECT 1").fetchone() == (1,)  # the lead still logs in with their password
    assert PASSWORD


def test_a_password_from_bytes_that_are_not_utf8_is_refused() -> None:
    with pytest.raises(ValidationError, match="UTF-8"):
        check_password(b"\xff\xfe".decode("utf-8", "surrogateescape"))


def test_another_members_odd_suggestions_do_not_stop_a_window_reading_its_own(
    team: Team, layers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any member writes suggestions (sources run in every window); ann1's JSON string as attributes
    stopped ann2's service reading the document's suggestions (a JSONDecodeError, not a refusal)."""
    from annotator.config import DATABASE_URL_VARIABLE
    from annotator.service import AnnotationService

    document = layers["document"]
    with team.connect("ann1") as connection:
        connection.execute(
            'INSERT INTO suggestions (document_id, source, start, "end", label, score, attributes) VALUES '
            f"({document}, 'model', 0, 5, 'ACTOR', 0.5, '\"text\"'), ({document}, 'model', 6, 9, 'ACTOR', 0.5, '[1]'),"
            f"({document}, 'model', 1000, 5000, 'NO SUCH LABEL', 1, '{{}}'),"
            f"({document}, 'model', 10, 13, 'ACTOR', 1, 'null')"
        )
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann2"))
    with AnnotationService.open(team.root) as service:
        state = service.document_suggestions(document)
    assert [(s.start, s.end, dict(s.attributes)) for s in state.spans] == [
        (0, 5, {}),
        (6, 9, {}),
        (10, 13, {}),
        (1000, 5000, {}),
    ]


def test_a_blind_feed_walks_others_hidden_events_once_and_still_gets_a_late_commit(
    team: Team, layers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """ann1 floods events of their own layer, which blind ann2 cannot see: ann2's window read them all
    again (row-level security filtering each) at every wake-up, since no visible event moved its place."""
    from sqlalchemy import event

    from annotator.config import DATABASE_URL_VARIABLE
    from annotator.live import ChangeFeed
    from annotator.project import Project

    document, ann2_layer = layers["document"], layers["ann2_layer"]
    flood = "INSERT INTO events (annotator_id, document_id, action, detail) SELECT {layer}, {document}, 'x', '{{}}' "
    with team.connect("ann1") as connection:
        connection.execute((flood + "FROM generate_series(1, 3000)").format(layer=OWN_LAYER, document=document))
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann2"))
    with Project.open(team.root) as project, ChangeFeed(project) as feed:
        lower_bounds: list[int] = []

        def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
            if "events.id >" in statement:
                lower_bounds.append(next(value for key, value in parameters.items() if key.startswith("id_")))

        event.listen(project.engine, "before_cursor_execute", record)
        last = feed.latest_event_id()
        top = _count(team, "SELECT max(id) FROM events")
        assert feed.changes_since(last) == []
        assert feed.changes_since(last) == []  # the caller stays where it was: nothing new to walk
        assert lower_bounds == [last, top]
        # An event of ann2's taking its id before ann1's but committing after still arrives.
        with team.connect("ann2") as ann2, ann2.transaction():
            ann2.execute(flood.format(layer=ann2_layer, document=document) + "FROM generate_series(1, 1)")
            with team.connect("ann1") as ann1:
                ann1.execute((flood + "FROM generate_series(1, 5)").format(layer=OWN_LAYER, document=document))
            assert feed.changes_since(last) == []
        late = feed.changes_since(last)
        assert [(c.layer_id, c.event_id) for c in late] == [(ann2_layer, top + 1)]
        assert feed.changes_since(late[-1].event_id) == []
        assert lower_bounds[-1] == top + 6


def _count(team: Team, statement: str) -> int:
    with _superuser(team) as connection:
        row = connection.execute(statement).fetchone()
        assert row is not None
        return int(row[0])


def test_a_member_logs_edits_of_their_layer_not_the_projects_own_events_nor_megabytes(
    team: Team, layers: dict[str, Any]
) -> None:
    """is_seeded() reads 'seed:imported' events whatever their layer: one in ann1's own layer said the seed
    was in (or, with a detail that is no object, stopped every open of a seeded project that could see it)."""
    document = layers["document"]
    event = (
        "INSERT INTO events (annotator_id, document_id, action, detail) "
        "VALUES ({layer}, {document}, '{action}', {detail})"
    )
    with team.connect("ann1") as connection:
        for action in ("seed:imported", "undo-import", "migrate:rename"):
            with pytest.raises(errors.InsufficientPrivilege):
                connection.execute(event.format(layer=OWN_LAYER, document="NULL", action=action, detail="'[]'"))
        huge = "json_build_object('description', repeat('x', 100000))"
        with pytest.raises(errors.InsufficientPrivilege):
            connection.execute(event.format(layer=OWN_LAYER, document=document, action="do:AddSpan", detail=huge))
        usual = "'{\"description\": \"add ACTOR ''Zed''\"}'"
        connection.execute(event.format(layer=OWN_LAYER, document=document, action="do:AddSpan", detail=usual))
    with team.connect("rev1") as connection, pytest.raises(errors.InsufficientPrivilege):  # nor a reviewer
        connection.execute(
            event.format(layer=layers["gold_layer"], document="NULL", action="seed:imported", detail="'{}'")
        )
    assert _count(team, "SELECT count(*) FROM events WHERE action = 'do:AddSpan' AND detail::text LIKE '%Zed%'") == 1


def test_team_add_killed_mid_transaction_leaves_no_role_and_no_member(team: Team) -> None:
    """kill -9 of `annotator team add` after its CREATE ROLE, before its commit: roles are transactional,
    and the server rolls the whole of it back when the client is gone."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    name = f"victim_{team.suffix}"
    team.members["victim"] = name  # dropped afterwards if it were ever made
    environment = {key: value for key, value in os.environ.items() if key != "ANNOTATOR_DATABASE_URL"}
    with _superuser(team) as holder, holder.transaction():
        holder.execute("LOCK TABLE team_members IN ACCESS EXCLUSIVE MODE")  # add_member's last step waits here
        process = subprocess.Popen(
            [sys.executable, "main.py", "team", "add", str(team.root), name, "--role", "admin"],
            cwd=REPO,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            waiting = "SELECT count(*) FROM pg_locks WHERE NOT granted AND relation = 'team_members'::regclass"
            while holder.execute(waiting).fetchone() == (0,):
                assert time.monotonic() < deadline and process.poll() is None, "team add never reached team_members"
                time.sleep(0.1)
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait()
    deadline = time.monotonic() + 30
    while (
        _count(team, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
        and time.monotonic() < deadline
    ):
        time.sleep(0.1)
    assert _count(team, f"SELECT count(*) FROM pg_roles WHERE rolname = '{name}'") == 0
    assert _count(team, f"SELECT count(*) FROM annotators WHERE name = '{name}'") == 0
    assert (
        _count(
            team,
            f"SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = '{name}'",
        )
        == 0
    )
