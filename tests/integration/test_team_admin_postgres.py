"""A team's admin (a login role, not a superuser) runs the team; annotators cannot; an older
database is upgraded by an admin, and an annotator opening it first is told so."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from annotator.db import migrate
from annotator.errors import ProjectError
from annotator.project import Project
from annotator.team.members import add_member, list_members, remove_member
from annotator.team.setup import init_team
from tests.integration.team_fixtures import Team


def test_an_admin_member_runs_init_again_and_adds_and_removes_members(team: Team) -> None:
    team.add("lead", "admin")
    admin = create_engine(team.url("lead"), poolclass=NullPool)
    try:
        assert init_team(admin) == team.prefix  # idempotent, and open to the team's admins
        name = f"ann9_{team.suffix}"
        team.members["ann9"] = name  # dropped with the others afterwards
        password = add_member(admin, name, "annotator")
        assert password is not None and len(password) >= 20
        assert {(m.name, m.role, m.can_log_in) for m in list_members(admin)} >= {(name, "annotator", True)}
        remove_member(admin, name)
        assert (name, "annotator", False) in {(m.name, m.role, m.can_log_in) for m in list_members(admin)}
    finally:
        admin.dispose()


def test_an_annotator_cannot_add_members_or_set_the_team_up(team: Team) -> None:
    team.add("ann1", "annotator")
    engine = create_engine(team.url("ann1"), poolclass=NullPool)
    try:
        with pytest.raises(ProjectError, match="may not set up a team"):
            init_team(engine)
        with pytest.raises(DBAPIError):
            add_member(engine, f"x_{team.suffix}", "admin")
    finally:
        engine.dispose()


def test_an_annotator_opening_an_older_team_database_is_told_an_admin_upgrades_it(
    team: Team, monkeypatch: pytest.MonkeyPatch
) -> None:
    team.add("ann1", "annotator")
    superuser = create_engine(team.admin_url, poolclass=NullPool)
    with superuser.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0006'"))
    monkeypatch.setenv("ANNOTATOR_DATABASE_URL", team.url("ann1"))
    with pytest.raises(ProjectError, match="team init"):
        Project.open(team.root)
    with superuser.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": migrate.HEAD_REVISION})
    superuser.dispose()
    with Project.open(team.root) as project:
        assert project.team is not None and project.team.kind == "annotator"


@pytest.mark.parametrize("password", ["100%sure", "%(x)s and %s", "quote ' and \\ back", "naïve pässwörd"])
def test_a_password_of_any_characters_is_set_and_logs_in(team: Team, password: str) -> None:
    name = f"odd_{team.suffix}"
    team.members["odd"] = name
    superuser = create_engine(team.admin_url, poolclass=NullPool)
    try:
        assert add_member(superuser, name, "annotator", password) is None
    finally:
        superuser.dispose()
    member = create_engine(team.url("odd", password=password), poolclass=NullPool)
    try:
        with member.connect() as connection:
            assert connection.execute(text("SELECT current_user")).scalar() == name
    finally:
        member.dispose()
