"""Bring a database to the newest schema with Alembic: creates new ones, upgrades old ones.

Importing Alembic takes ~250 ms, paid by every CLI command and every start of the window,
while nearly every open finds its database up to date already. So the revision stored in
the database is read with one query and compared with HEAD_REVISION, and Alembic is
imported only when there is something to do (a new or older database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine, String, column, inspect, select, table

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "annotator.db:migrations"
# The newest migration in annotator/db/migrations/versions; a test checks it against Alembic's head.
HEAD_REVISION = "0006"
VERSION_TABLE = "alembic_version"  # where Alembic records a database's revision (its default)


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def head_revision() -> str:
    """The newest revision as Alembic reads it from the migration scripts."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "the package ships at least one migration"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database records; None for a database Alembic has not set up."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return None
        query = select(column("version_num", String)).select_from(table(VERSION_TABLE))
        revisions = list(connection.scalars(query))
    return revisions[0] if len(revisions) == 1 else None  # several heads: let Alembic sort it out


def upgrade(engine: Engine) -> bool:
    """Run pending migrations; return True if any ran (a new database counts)."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command

    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return True
