"""The database itself refuses what a member may not write: plain SQL as each role, no service.

An annotator writes only their own layer; a reviewer their own and gold; the schema, the
documents and the team are the admins'. Refusals are PostgreSQL's (InsufficientPrivilege:
no grant, or a policy's WITH CHECK); an UPDATE or DELETE of rows a policy hides changes 0 rows
(PostgreSQL says nothing then), so those are checked by reading the rows back as the admin.
"""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg import errors

from annotator.service import AnnotationService
from annotator.team.policies import check_every_table_has_policies
from tests.integration.team_fixtures import Team

TEXT = "Alice met Bob in Paris."


@pytest.fixture
def layers(team: Team) -> dict[str, Any]:
    """ann1, ann2 and rev1, a span in each of ann2's and gold's layers, and the ids involved."""
    for short, role in (("ann1", "annotator"), ("ann2", "annotator"), ("rev1", "reviewer")):
        team.add(short, role)
    with AnnotationService.open(team.root) as admin_service:  # the superuser: an admin
        from annotator.importers import import_paths  # noqa: F401  (documents come in as an admin's)

        with admin_service.project.engine.begin() as connection:
            connection.exec_driver_sql(
                "INSERT INTO documents (project_id, external_id, text, text_length, sha256, meta) "
                f"VALUES ({admin_service.project.id}, 'd1', '{TEXT}', {len(TEXT)}, 'x', '{{}}')"
            )
    ids: dict[str, Any] = {}
    with team.connect("ann2") as connection:
        ids["document"] = connection.execute("SELECT id FROM documents").fetchone()[0]
    for short in ("ann2",):
        with AnnotationService(_project_as(team, short)) as service:
            ids["ann2_span"] = service.add_span(ids["document"], 0, 5, "ACTOR").value.id
            ids["ann2_layer"] = service.annotator_id
    with AnnotationService(_project_as(team, "rev1")) as service:
        service.edit_layer("gold")
        ids["gold_span"] = service.add_span(ids["document"], 10, 13, "ACTOR").value.id
        ids["gold_layer"] = service.annotator_id
    return ids


def _project_as(team: Team, short: str) -> Any:
    import os

    from annotator.config import DATABASE_URL_VARIABLE
    from annotator.project import Project

    os.environ[DATABASE_URL_VARIABLE] = team.url(short)
    try:
        return Project.open(team.root)
    finally:
        del os.environ[DATABASE_URL_VARIABLE]


def _span(document: int, layer: int | str) -> str:
    columns = 'document_id, annotator_id, start, "end", label'
    return f"INSERT INTO spans ({columns}) VALUES ({document}, {layer}, 1, 2, 'ACTOR')"


def _refused(connection: psycopg.Connection[Any], statement: str) -> None:
    with pytest.raises(errors.InsufficientPrivilege):
        connection.execute(statement)


def _count(team: Team, statement: str) -> int:
    with psycopg.connect(team.admin_url.replace("+psycopg", ""), autocommit=True) as connection:
        row = connection.execute(statement).fetchone()
        assert row is not None
        return int(row[0])


def test_every_table_is_under_a_policy() -> None:
    assert check_every_table_has_policies() == []


def test_an_annotator_cannot_write_another_layer_gold_the_schema_or_the_documents(
    team: Team, layers: dict[str, Any]
) -> None:
    document, ann2, gold = layers["document"], layers["ann2_layer"], layers["gold_layer"]
    with team.connect("ann1") as connection:
        for layer in (ann2, gold):
            _refused(connection, _span(document, layer))
            _refused(
                connection,
                f"INSERT INTO document_status (document_id, annotator_id, status) VALUES ({document}, {layer}, 'done')",
            )
            _refused(
                connection,
                f"INSERT INTO events (annotator_id, action, detail) VALUES ({layer}, 'x', '{{}}')",
            )
        # Hidden rows: UPDATE and DELETE change nothing (blind annotation: ann1 does not even see them).
        assert connection.execute(f"UPDATE spans SET label = 'PLACE' WHERE id = {layers['ann2_span']}").rowcount == 0
        assert connection.execute(f"DELETE FROM spans WHERE id = {layers['gold_span']}").rowcount == 0
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (0,)
        # Moving one's own span into another's layer is refused too (WITH CHECK of the UPDATE).
        connection.execute(_span(document, "(SELECT id FROM annotators WHERE name = current_user)"))
        _refused(connection, f"UPDATE spans SET annotator_id = {ann2}")
        # The schema, the documents, the team: no grant at all.
        _refused(
            connection,
            "INSERT INTO schema_versions (project_id, name, version, sha256, text) VALUES (1, 'x', 9, 'y', 'z')",
        )
        _refused(connection, "UPDATE schema_versions SET text = ''")
        _refused(connection, "DELETE FROM schema_versions")
        _refused(connection, f"UPDATE documents SET text = 'changed' WHERE id = {document}")
        _refused(connection, "DELETE FROM documents")
        _refused(connection, "INSERT INTO documents (project_id, external_id, text, sha256) VALUES (1, 'd2', 't', 's')")
        _refused(connection, "INSERT INTO annotators (name) VALUES ('intruder')")
        _refused(connection, "UPDATE team SET annotators_see_others = true")
        _refused(connection, "DELETE FROM events")
        _refused(connection, "ALTER TABLE spans DISABLE ROW LEVEL SECURITY")
    assert _count(team, f"SELECT count(*) FROM spans WHERE annotator_id IN ({ann2}, {gold})") == 2
    assert _count(team, "SELECT count(*) FROM schema_versions WHERE text = ''") == 0
    assert _count(team, "SELECT count(*) FROM documents") == 1


def test_a_reviewer_writes_gold_but_not_an_annotators_layer(team: Team, layers: dict[str, Any]) -> None:
    document, ann2 = layers["document"], layers["ann2_layer"]
    with team.connect("rev1") as connection:
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (2,)  # reviewers read every layer
        _refused(connection, _span(document, ann2))
        assert connection.execute(f"UPDATE spans SET label = 'PLACE' WHERE id = {layers['ann2_span']}").rowcount == 0
        assert connection.execute(f"DELETE FROM spans WHERE annotator_id = {ann2}").rowcount == 0
        _refused(
            connection,
            f"INSERT INTO document_labels (document_id, annotator_id, label) VALUES ({document}, {ann2}, 'x')",
        )
        _refused(connection, "UPDATE documents SET text = 'changed'")
        assert connection.execute(f"UPDATE spans SET label = 'PLACE' WHERE id = {layers['gold_span']}").rowcount == 1
    assert _count(team, f"SELECT count(*) FROM spans WHERE annotator_id = {ann2} AND label = 'ACTOR'") == 1


def test_annotators_see_each_other_only_where_the_project_allows(team: Team, layers: dict[str, Any]) -> None:
    with team.connect("ann1") as connection:
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (0,)
    with psycopg.connect(team.admin_url.replace("+psycopg", ""), autocommit=True) as connection:
        connection.execute("UPDATE team SET annotators_see_others = true")
    with team.connect("ann1") as connection:
        assert connection.execute("SELECT count(*) FROM spans").fetchone() == (1,)  # ann2's, not gold
