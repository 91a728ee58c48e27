"""An open project: its configuration, schema, database engine and session factories.

The session factories (and so sqlalchemy.orm) are made on first use: a command that only
reads through Core (`annotator export`, `stats`) never imports the ORM (see db/core_tables.py).
"""

from __future__ import annotations

import getpass
import os
import re
from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING

from sqlalchemy import Engine, select
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from annotator.config import ProjectConfig, load_project_config
from annotator.db import migrate
from annotator.db.connect_problems import connect_problem
from annotator.db.engine import make_engine, writer
from annotator.errors import ProjectError, ValidationError
from annotator.schema import Schema, load_schema
from annotator.schema_versions import register_schema
from annotator.seeding import seed_project
from annotator.storable import text_is_storable
from annotator.team.identity import INSUFFICIENT_PRIVILEGE, TeamLogin, read_team, refusal, sqlstate

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

# 1-100 characters; no slashes (names become file names in some exports), no control characters,
# no lone surrogates (text_is_storable).
ANNOTATOR_NAME = re.compile(r"^[^\s/\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,99}$")


class Project:
    """Everything the service, importers and exporters share. Open with Project.open()."""

    def __init__(self, config: ProjectConfig, schema: Schema, engine: Engine) -> None:
        self.config = config
        self.schema = schema
        self.engine = engine
        self.id = 0
        self.created = False
        # On a team database (annotator/team/): who is connected, and as what; None elsewhere.
        self.team: TeamLogin | None = None

    @cached_property
    def read(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(self.engine, expire_on_commit=False)

    @cached_property
    def write(self) -> sessionmaker[Session]:
        from sqlalchemy.orm import sessionmaker

        return sessionmaker(writer(self.engine), expire_on_commit=False)

    @classmethod
    def open(
        cls,
        project_dir: str | os.PathLike[str],
        renames: Mapping[str, str] | None = None,
        *,
        user: str | None = None,
        password: str | None = None,
    ) -> Project:
        """Open a project folder, creating or upgrading its database as needed.

        `renames` (old label -> new) moves spans and relations to labels of a changed schema,
        in the same transaction that checks the schema: all of it happens, or none.
        `user` and `password` log in to a server as that role (the window's login dialog): they
        live in the engine's URL object in memory, never in project.yaml or a message.
        """
        config = load_project_config(project_dir)
        schema = load_schema(config.schema_path)
        engine = None
        try:
            engine = make_engine(login_url(config.database_url, user, password))
            migrate.upgrade(engine)
            team = read_team(engine)
        except ProjectError:
            if engine is not None:
                engine.dispose()
            raise
        except OperationalError as error:
            if engine is not None:
                engine.dispose()
            raise _database_problem(config, error, engine) from error
        except DBAPIError as error:
            if engine is not None:
                engine.dispose()
            if sqlstate(error) == INSUFFICIENT_PRIVILEGE:
                raise ProjectError(f"{shown_url(config)}: {refusal(error)}: ask the team's admin") from error
            raise ProjectError(f"{shown_url(config)}: cannot open database: {_one_line(str(error))}") from error
        except SQLAlchemyError as error:
            raise ProjectError(f"{shown_url(config)}: cannot open database: {_one_line(str(error))}") from error
        project = cls(config, schema, engine)
        project.team = team
        try:
            project.id, project.created = register_schema(project, renames or {})
            seed_project(project)
        except OperationalError as error:
            engine.dispose()
            raise _database_problem(config, error, engine) from error
        except DBAPIError as error:
            engine.dispose()
            if sqlstate(error) != INSUFFICIENT_PRIVILEGE:
                raise
            raise ProjectError(
                f"{shown_url(config)}: {refusal(error)}: only the team's admins may record a changed schema "
                "or import the seed documents (an admin opens the project first)"
            ) from error
        except BaseException:
            engine.dispose()
            raise
        return project

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def annotator_id(self, session: Session, name: str, *, create: bool = True) -> int | None:
        """The id of an annotator by name, registering a new name if create is set."""
        from annotator.db.tables import AnnotatorRow  # a session is open: the ORM is loaded already

        found = session.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
        if found is not None or not create:
            return found
        check_annotator_name(name)
        row = AnnotatorRow(name=name)
        session.add(row)
        session.flush()
        return row.id

    def ensure_annotator(self, name: str) -> int:
        """The id of an annotator, registered if new; takes the write lock only to register."""
        with self.read() as session:
            found = self.annotator_id(session, name, create=False)
        if found is not None:
            return found
        try:
            with self.write.begin() as session:
                created = self.annotator_id(session, name)
        except OperationalError as error:
            raise _database_problem(self.config, error, self.engine) from error
        assert created is not None
        return created


def default_annotator_name() -> str:
    """The login name, as the layer of whoever did not say who they are."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "annotator"


def check_annotator_name(name: str) -> None:
    if not ANNOTATOR_NAME.match(name) or name != name.strip() or not text_is_storable(name):
        raise ValidationError(
            f"annotator name {name!r} is not usable: 1-100 characters, no slashes or control characters, "
            "no leading or trailing spaces"
        )


def shown_url(config: ProjectConfig) -> str:
    """The database URL as messages show it: never with its password."""
    try:
        return make_url(config.database_url).render_as_string(hide_password=True)
    except SQLAlchemyError:  # not a URL SQLAlchemy reads: shown as given (it holds no password it knows of)
        return config.database_url


def login_url(database_url: str, user: str | None, password: str | None) -> str | URL:
    """The project's URL, as ``user`` with ``password`` where given: a URL object, never a pasted string
    (a password may hold any character; rendering it would not always quote it)."""
    if user is None and password is None:
        return database_url
    url = make_url(database_url)
    if user is not None:
        url = url.set(username=user)
    if password is not None:
        url = url.set(password=password)
    return url


def _database_problem(config: ProjectConfig, error: OperationalError, engine: Engine | None) -> ProjectError:
    """A connection or lock failure in one line; a server's refusal says what to do (db/connect_problems.py)."""
    message = str(error.orig) if error.orig is not None else str(error)
    url = engine.url if engine is not None else make_url(config.database_url)
    return connect_problem(shown_url(config), url, message)


def _one_line(message: str) -> str:
    """A driver's message as one line: psycopg adds "Is the server running ...?" on a second
    line, SQLAlchemy a "(Background on this error at: ...)" link; an error is one line."""
    lines = (line.strip() for line in message.splitlines())
    return " ".join(line for line in lines if line and not line.startswith("(Background on this error"))
