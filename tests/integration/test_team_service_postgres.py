"""The service on a team database: the layer is the login's, blind annotation in what the
service reads, gold refused to annotators before the database would have to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from annotator.config import DATABASE_URL_VARIABLE
from annotator.errors import NotFoundError, ProjectError, ValidationError
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.team_fixtures import Team

TEXT = "Alice met Bob in Paris."


@contextmanager
def working_as(team: Team, short: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AnnotationService]:
    with monkeypatch.context() as patch:
        patch.setenv(DATABASE_URL_VARIABLE, team.url(short))
        service = AnnotationService.open(team.root)
    with service:
        yield service


@pytest.fixture
def document(team: Team) -> int:
    for short, role in (("ann1", "annotator"), ("ann2", "annotator"), ("rev1", "reviewer")):
        team.add(short, role)
    with Project.open(team.root) as project, project.engine.begin() as connection:
        return int(
            connection.exec_driver_sql(
                "INSERT INTO documents (project_id, external_id, text, text_length, sha256, meta) "
                f"VALUES ({project.id}, 'd1', '{TEXT}', {len(TEXT)}, 'x', '{{}}') RETURNING id"
            ).scalar_one()
        )


def test_an_annotator_works_as_their_login_and_sees_no_other_annotators_layer(
    team: Team, document: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with working_as(team, "ann2", monkeypatch) as ann2:
        assert ann2.annotator == team.members["ann2"]
        ann2.add_span(document, 0, 5, "ACTOR")
    with working_as(team, "ann1", monkeypatch) as ann1:
        assert ann1.annotator == team.members["ann1"]
        assert [layer.annotator for layer in ann1.layers(document)] == []
        with pytest.raises(NotFoundError):
            ann1.other_layer(document, team.members["ann2"])
        with pytest.raises(ValidationError, match="reviewers and admins"):
            ann1.edit_layer("gold")
        ann1.add_span(document, 10, 13, "ACTOR")
        assert [(s.start, s.end) for s in ann1.document(document).spans] == [(10, 13)]


def test_a_reviewer_reads_every_layer_and_writes_gold(
    team: Team, document: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with working_as(team, "ann1", monkeypatch) as ann1:
        ann1.add_span(document, 0, 5, "ACTOR")
    with working_as(team, "rev1", monkeypatch) as reviewer:
        assert team.members["ann1"] in [layer.annotator for layer in reviewer.layers(document)]
        reviewer.edit_layer("gold")
        reviewer.add_span(document, 0, 5, "ACTOR")
    with Project.open(team.root) as project, project.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT a.name FROM spans s JOIN annotators a ON a.id = s.annotator_id ORDER BY a.name"
        ).scalars()
        assert sorted(rows) == sorted([team.members["ann1"], "gold"])


def test_another_name_than_the_login_is_refused(team: Team, document: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url("ann1"))
    with Project.open(team.root) as project, pytest.raises(ProjectError, match="log in as"):
        AnnotationService(project, team.members["ann2"])
