"""Fixtures for the PostgreSQL tests: a fresh schema (or database) per test on the server
that tests/with-postgres starts, and project folders pointing at it.

Without ANNOTATOR_TEST_POSTGRES_URL every test that asks for a database is skipped.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.config import DATABASE_URL_VARIABLE

URL_VARIABLE = "ANNOTATOR_TEST_POSTGRES_URL"
REPO = Path(__file__).resolve().parents[2]
NEWS_SCHEMA = REPO / "annotator" / "example" / "news.yaml"
PROJECT_NAME = "integration"

DatabaseMaker = Callable[..., str]
FolderMaker = Callable[..., Path]


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """The URL of the test server's own database, or a skip saying how to get one."""
    url = os.environ.get(URL_VARIABLE)
    if not url:
        pytest.skip(f"{URL_VARIABLE} is not set: run through tests/with-postgres (make test) for the PostgreSQL tests")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        message = "psycopg is not installed: pip install -e '.[postgres]'"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def pg_admin(pg_server_url: str) -> Iterator[Engine]:
    """Autocommit connections to the server, for CREATE and DROP DATABASE."""
    engine = create_engine(pg_server_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    yield engine
    engine.dispose()


@pytest.fixture
def fresh_database(pg_admin: Engine) -> Iterator[DatabaseMaker]:
    """Make an empty database on the test server (dropped afterwards); gives its URL.

    `options` is appended to CREATE DATABASE (for instance "LOCALE_PROVIDER icu ICU_LOCALE 'en-US'").
    Creating a database takes a few tenths of a second; most tests use fresh_schema instead.
    """
    made: list[str] = []

    def make(options: str = "") -> str:
        name = f"annotator_t_{uuid.uuid4().hex[:16]}"
        with pg_admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0 {options}'))
        made.append(name)
        return make_url(pg_admin.url).set(database=name).render_as_string(hide_password=False)

    yield make
    with pg_admin.connect() as connection:
        force = " WITH (FORCE)" if connection.dialect.server_version_info >= (13,) else ""
        for name in made:  # FORCE: a project a failed test left open must not keep its database alive
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"{force}'))


@pytest.fixture
def fresh_schema(pg_admin: Engine) -> Iterator[str]:
    """The URL of an empty schema of its own in the test database, dropped afterwards.

    Everything a connection through this URL makes (the project's tables, alembic_version)
    lands in that schema, which is the connection's whole search_path: no test sees another's
    data, and a schema costs a millisecond where a database costs a few tenths of a second.
    """
    name = f"annotator_t_{uuid.uuid4().hex[:16]}"
    with pg_admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    # application_name marks the test's connections, so teardown can end those a failed test left open.
    options = f"-c search_path={name} -c application_name={name}"
    yield make_url(pg_admin.url).update_query_dict({"options": options}).render_as_string(hide_password=False)
    with pg_admin.connect() as connection:
        connection.execute(
            text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"),
            {"name": name},
        )
        connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


@pytest.fixture
def project_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FolderMaker:
    """project_folder(folder_name, database) -> a project folder on that database, with news.yaml
    (or, given schema_text, that schema) as news.yaml."""
    # The variable would override project.yaml and send every project to one database.
    monkeypatch.delenv(DATABASE_URL_VARIABLE, raising=False)

    def make(folder_name: str, database: str, schema_text: str | None = None) -> Path:
        root = tmp_path / folder_name
        root.mkdir()
        if schema_text is None:
            shutil.copyfile(NEWS_SCHEMA, root / "news.yaml")
        else:
            (root / "news.yaml").write_text(schema_text, encoding="utf-8")
        config = {"name": PROJECT_NAME, "schema": "news.yaml", "database": database, "language": "en"}
        (root / "project.yaml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
        return root

    return make


@pytest.fixture
def pg_project(fresh_schema: str, project_folder: FolderMaker) -> Path:
    """A project folder whose project.yaml points at a fresh, empty PostgreSQL schema."""
    return project_folder("pg-project", fresh_schema)


@pytest.fixture
def sqlite_project(project_folder: FolderMaker) -> Path:
    """The same project on a SQLite file in its folder, for comparisons."""
    return project_folder("sqlite-project", "annotator.db")


from tests.integration.team_fixtures import team  # noqa: E402,F401  (the team database fixture)
