"""`annotator team init`: make a project's PostgreSQL database a team's. Run again at will.

Run with a superuser's URL (or a role with CREATEROLE that owns the tables): the migrations,
the group roles, CONNECT for the team alone, the gold layer, the `team` row, then ownership,
grants and policies (policies.py), all in one transaction under the migrations' advisory
lock, so two leads running it at once, or a client opening meanwhile, see all of it or none.
"""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from annotator.db import migrate
from annotator.errors import ProjectError
from annotator.review import GOLD
from annotator.team.policies import apply_policies
from annotator.team.roles import GROUP_KINDS, group_prefix, group_role


def init_team(engine: Engine, *, see_others: bool | None = None) -> str:
    """Set up (or bring up to date) the team of the engine's database; returns its group prefix.

    ``see_others``: whether annotators read each other's layers; None keeps the current setting
    (blind, for a new team).
    """
    if engine.dialect.name != "postgresql":
        raise ProjectError(
            "a team needs a PostgreSQL database: set 'database:' in project.yaml or ANNOTATOR_DATABASE_URL"
        )
    migrate.upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({migrate.MIGRATION_LOCK_KEY})")
        _check_may_init(connection)
        database = connection.execute(text("SELECT current_database()")).scalar_one()
        prefix = group_prefix(database)
        _create_groups(connection, prefix, database)
        connection.execute(
            text(
                "INSERT INTO team (id, group_prefix, annotators_see_others) VALUES (1, :prefix, coalesce(:see, false)) "
                "ON CONFLICT (id) DO UPDATE SET group_prefix = :prefix, "
                "annotators_see_others = coalesce(:see, team.annotators_see_others)"
            ),
            {"prefix": prefix, "see": see_others},
        )
        connection.execute(
            text("INSERT INTO annotators (name) VALUES (:gold) ON CONFLICT (name) DO NOTHING"), {"gold": GOLD}
        )
        # An admin running it again, as the owner: CREATE OR REPLACE of its functions needs CREATE on
        # the schema, which the owner has (granted the first time) and an admin's own login need not.
        # The first time the tables are still the lead's own, which they hand over below.
        owner = group_role(prefix, "owner")
        owned = connection.execute(
            text("SELECT tableowner = :owner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'spans'"),
            {"owner": owner},
        ).scalar()
        superuser = connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar()
        if owned and not superuser:
            connection.exec_driver_sql(f'SET LOCAL ROLE "{owner}"')
        apply_policies(connection, prefix)
    return prefix


def _check_may_init(connection: Connection) -> None:
    row = connection.execute(
        text("SELECT rolsuper, rolcreaterole, current_user FROM pg_roles WHERE rolname = current_user")
    ).one()
    if not (row[0] or row[1]):
        raise ProjectError(
            f"role {row[2]!r} may not set up a team: run 'annotator team init' with a superuser's URL "
            "(or a role with CREATEROLE that owns the database's tables)"
        )


def _create_groups(connection: Connection, prefix: str, database: str) -> None:
    existing = set(
        connection.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :like"), {"like": f"{prefix}_%"})
        .scalars()
        .all()
    )
    owner, admin, reviewer, annotator = (group_role(prefix, kind) for kind in GROUP_KINDS)
    for role in (owner, admin, reviewer, annotator):
        if role not in existing:
            connection.exec_driver_sql(f'CREATE ROLE "{role}" NOLOGIN')
    # Admins may act as the owner: to run a later version's migrations (`team init` again).
    connection.exec_driver_sql(f'GRANT "{owner}" TO "{admin}"')
    # A lead with CREATEROLE but not superuser is the team's admin: handing the tables to the owner
    # group (ALTER ... OWNER) needs that membership, and so do the admins' rows of the policies.
    if not connection.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar_one():
        connection.exec_driver_sql(f'GRANT "{admin}" TO CURRENT_USER')
    may_grant = connection.execute(
        text(
            "SELECT r.rolsuper OR pg_has_role(current_user, d.datdba, 'MEMBER') FROM pg_roles r, pg_database d "
            "WHERE r.rolname = current_user AND d.datname = current_database()"
        )
    ).scalar()
    if may_grant:  # a team admin running it again (to upgrade) need not own the database: done the first time
        # A new owner needs CREATE on the tables' schema (superusers skip the check), as do later migrations.
        connection.exec_driver_sql(f'GRANT USAGE, CREATE ON SCHEMA public TO "{owner}"')
        # PostgreSQL 14 and older let everybody create objects in public: a member's own functions or
        # operators there are the first step of shadowing what the policies call. 15's default.
        connection.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
        quoted = '"' + database.replace('"', '""') + '"'
        connection.exec_driver_sql(f"REVOKE CONNECT, TEMPORARY ON DATABASE {quoted} FROM PUBLIC")
        connection.exec_driver_sql(f'GRANT CONNECT ON DATABASE {quoted} TO "{admin}", "{reviewer}", "{annotator}"')
