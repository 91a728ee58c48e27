"""Bring a database to the newest schema with Alembic: creates new ones, upgrades old ones.

Importing Alembic takes ~250 ms, paid by every CLI command and every start of the window,
while nearly every open finds its database up to date already. So the revision stored in
the database is read with one query and compared with HEAD_REVISION, and Alembic is
imported only when there is something to do (a new or older database).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, String, column, inspect, select, table

from annotator.db.engine import writer

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = "annotator.db:migrations"
# The newest migration in annotator/db/migrations/versions; a test checks it against Alembic's head.
HEAD_REVISION = "0007"
VERSION_TABLE = "alembic_version"  # where Alembic records a database's revision (its default)
# The key of the PostgreSQL advisory lock that migrations hold (any fixed number; ours: "anno").
MIGRATION_LOCK_KEY = 0x616E6E6F


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
        return _revision_in(connection)  # several heads give None: let Alembic sort it out


def upgrade(engine: Engine) -> bool:
    """Run pending migrations; return True if any ran (a new database counts)."""
    if current_revision(engine) == HEAD_REVISION:
        return False
    from alembic import command

    config = alembic_config()
    # Many clients opening a new or older database at once: one migrates, the others wait for
    # its commit and then find nothing to do. SQLite: BEGIN IMMEDIATE (writer) is that lock;
    # PostgreSQL: an advisory lock held until the transaction ends.
    with writer(engine).begin() as connection:
        team_prefix = None
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
        revision = _revision_in(connection)
        if revision == HEAD_REVISION:
            return False
        if connection.dialect.name == "postgresql":
            team_prefix = _act_as_team_owner(connection, revision)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
        if team_prefix is not None:  # the new version's tables under the team's policies, in the same commit
            from annotator.team.policies import apply_policies

            apply_policies(connection, team_prefix)
    return True


def _act_as_team_owner(connection: Connection, revision: str | None) -> str | None:
    """On a team database (annotator/team/), run the migrations as the role that owns the tables, so
    that what they make is the team's too; only an admin or a superuser may. None elsewhere."""
    from sqlalchemy import text

    from annotator.errors import ProjectError

    if connection.execute(text("SELECT to_regclass('team')")).scalar() is None:
        return None
    prefix = connection.execute(text("SELECT group_prefix FROM team")).scalar()
    if prefix is None:
        return None
    owner = f"{prefix}_owner"
    may = connection.execute(
        text(
            "SELECT rolsuper OR pg_has_role(current_user, :owner, 'MEMBER') FROM pg_roles WHERE rolname = current_user"
        ),
        {"owner": owner},
    ).scalar()
    if not may:
        raise ProjectError(
            f"the team's database is at version {revision} and this Annotator needs {HEAD_REVISION}: "
            "one of the team's admins upgrades it by running 'annotator team init PROJECT' with this version"
        )
    connection.exec_driver_sql(f'SET LOCAL ROLE "{owner}"')
    return str(prefix)


def _revision_in(connection: Connection) -> str | None:
    if not inspect(connection).has_table(VERSION_TABLE):
        return None
    revisions = list(connection.scalars(select(column("version_num", String)).select_from(table(VERSION_TABLE))))
    return revisions[0] if len(revisions) == 1 else None
