"""A team database for a test: a fresh database, `team init`, members with known passwords,
and plain psycopg connections as each member. The roles it made are dropped afterwards
(roles belong to the whole server, so each test's names carry a suffix of their own)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.project import Project
from annotator.team.members import add_member
from annotator.team.roles import GROUP_KINDS, group_role
from annotator.team.setup import init_team

PASSWORD = "correct-horse-battery-staple"


@dataclass
class Team:
    root: Path  # the project folder; its project.yaml holds the superuser's URL
    admin_url: str  # the superuser's URL of the team database
    prefix: str
    suffix: str
    members: dict[str, str] = field(default_factory=dict)  # short name (ann1) -> role name (ann1_ab12cd)

    def add(self, short: str, role: str) -> str:
        name = f"{short}_{self.suffix}"
        engine = create_engine(self.admin_url, poolclass=NullPool)
        try:
            add_member(engine, name, role, PASSWORD)
        finally:
            engine.dispose()
        self.members[short] = name
        return name

    def url(self, short: str, password: str = PASSWORD, driver: str = "postgresql+psycopg") -> str:
        """The team database's URL as member ``short``."""
        parsed = make_url(self.admin_url).set(drivername=driver, username=self.members[short], password=password)
        return parsed.render_as_string(hide_password=False)

    def connect(self, short: str) -> Any:
        """A plain psycopg connection (autocommit) as member ``short``: SQL, not the service."""
        import psycopg

        return psycopg.connect(self.url(short, driver="postgresql"), autocommit=True)


@pytest.fixture
def team(fresh_database: Any, project_folder: Any, pg_admin: Engine) -> Iterator[Team]:
    """A project on a fresh database set up by `team init`; add members with team.add(...)."""
    url = fresh_database()
    root = project_folder("team-project", url)
    with Project.open(root) as project:
        prefix = init_team(project.engine)
    made = Team(root, url, prefix, uuid.uuid4().hex[:6])
    yield made
    with pg_admin.connect() as connection:
        database = make_url(url).database
        connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        for name in [*made.members.values(), *(group_role(prefix, kind) for kind in GROUP_KINDS)]:
            connection.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
