"""Who may read and write what in a team database, enforced by PostgreSQL itself.

Every table is owned by `<prefix>_owner`, a role nobody logs in as, and has row-level security
enabled and forced (forced: the owner's members are held to the policies too). The policies
call four functions made here (PL/pgSQL where they read tables: it keeps their plans for the
session, where a SQL function that cannot be inlined is planned again at every statement):

- `annotator_team_kind()`: 'admin', 'reviewer', 'annotator' or 'none', from the current role's
  membership of the team's group roles (superusers and the owner's members count as admin);
- `annotator_my_layer()`: the annotators row named like the current role;
- `annotator_may_write(layer)`: an admin any layer; a reviewer their own and gold; an annotator
  their own;
- `annotator_may_read(layer)`: admins and reviewers every layer; an annotator their own, the
  layers that are nobody's (imported pre-annotations, a model's), and others' only where the
  project lets annotators see each other's work (blind by default: agreement studies need it);
  never gold (the answers).

Grants come first (an annotator has no INSERT on documents at all: "permission denied"), the
policies decide which rows (a span of another's layer: "new row violates row-level security
policy"; an UPDATE or DELETE of rows a policy hides changes nothing). Every table of
core_tables must be in one of the groups below; a test checks it.
"""

from __future__ import annotations

from sqlalchemy import Connection

from annotator.db import core_tables
from annotator.team.roles import GROUP_KINDS, group_role

# Tables of one layer each, by annotator_id: only their layer's writers may change them.
LAYER_TABLES = (
    "document_status",
    "spans",
    "relations",
    "document_labels",
    "review_rejections",
    "relation_rejections",
)
# Everyone reads, only admins write (schema, documents, who is who, the team's settings).
ADMIN_TABLES = ("projects", "schema_versions", "documents", "annotators", "team", "team_members", "alembic_version")
# Computed by any member's sources (suggestions run when a window opens); no layer's work.
SHARED_TABLES = ("suggestions", "suggested_relations")
# Special cases below: span_attributes (the layer of its span), events (append-only),
# assignments (an annotator reads their own; admins write).
OTHER_TABLES = ("span_attributes", "events", "assignments")
ALL_TABLES = LAYER_TABLES + ADMIN_TABLES + SHARED_TABLES + OTHER_TABLES

FUNCTIONS = """
CREATE OR REPLACE FUNCTION annotator_team_kind() RETURNS text LANGUAGE sql STABLE AS $$
    SELECT CASE
        WHEN pg_has_role(current_user, '{admin}', 'MEMBER') OR pg_has_role(current_user, '{owner}', 'MEMBER')
            THEN 'admin'
        WHEN pg_has_role(current_user, '{reviewer}', 'MEMBER') THEN 'reviewer'
        WHEN pg_has_role(current_user, '{annotator}', 'MEMBER') THEN 'annotator'
        ELSE 'none'
    END
$$;
CREATE OR REPLACE FUNCTION annotator_my_layer() RETURNS integer LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT id FROM annotators WHERE name = current_user);
END
$$;
CREATE OR REPLACE FUNCTION annotator_may_write(layer integer) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE annotator_team_kind()
        WHEN 'admin' THEN true
        WHEN 'reviewer' THEN layer = annotator_my_layer()
            OR layer = (SELECT id FROM annotators WHERE name = 'gold')
        WHEN 'annotator' THEN layer = annotator_my_layer()
        ELSE false
    END;
END
$$;
CREATE OR REPLACE FUNCTION annotator_may_read(layer integer) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN CASE annotator_team_kind()
        WHEN 'admin' THEN true
        WHEN 'reviewer' THEN true
        WHEN 'annotator' THEN layer = annotator_my_layer()
            OR layer IS DISTINCT FROM (SELECT id FROM annotators WHERE name = 'gold') AND (
                coalesce((SELECT annotators_see_others FROM team WHERE id = 1), false)
                OR NOT EXISTS (SELECT 1 FROM team_members m WHERE m.annotator_id = layer)
            )
        ELSE false
    END;
END
$$;
"""
# In a policy, a function of no row is evaluated once per statement when written as a sub-select
# (an InitPlan), not once per row; the functions that take a layer cost a call per row. So each
# policy decides the common cases (an admin's or reviewer's statement, a row of one's own layer)
# with those once-per-statement values and calls the layer function only for the rest; the
# answers are the functions' own. A member's count of 30,000 spans of their layer took 9 s with
# one call per row (20 ms as the superuser, no policies).
KIND = "(SELECT annotator_team_kind())"
MY_LAYER = "(SELECT annotator_my_layer())"
MEMBER = f"{KIND} <> 'none'"
ADMIN = f"{KIND} = 'admin'"


def _may_read(layer: str) -> str:
    """annotator_may_read(layer): admins and reviewers read every layer, annotators their own."""
    own = f"{layer} = {MY_LAYER} AND {KIND} = 'annotator'"
    return f"{KIND} IN ('admin', 'reviewer') OR {own} OR annotator_may_read({layer})"


def _may_write(layer: str) -> str:
    """annotator_may_write(layer): admins write every layer, reviewers and annotators their own."""
    return f"{ADMIN} OR {layer} = {MY_LAYER} AND {KIND} IN ('reviewer', 'annotator') OR annotator_may_write({layer})"


def _policies(table: str) -> list[tuple[str, str, str | None, str | None]]:
    """(name, command, USING, WITH CHECK) of each policy of a table."""
    if table in LAYER_TABLES:
        read, write = _may_read("annotator_id"), _may_write("annotator_id")
        return [
            ("team_read", "SELECT", read, None),
            ("team_insert", "INSERT", None, write),
            ("team_update", "UPDATE", write, write),
            ("team_delete", "DELETE", write, None),
        ]
    if table == "span_attributes":
        # The spans' own read policy applies in this sub-select: a span the reader may not see gives
        # NULL, and annotator_may_read(NULL) is true for an annotator (no member owns NULL).
        layer = "(SELECT s.annotator_id FROM spans s WHERE s.id = span_id)"
        read, write = f"{layer} IS NOT NULL AND ({_may_read(layer)})", _may_write(layer)
        return [
            ("team_read", "SELECT", read, None),
            ("team_insert", "INSERT", None, write),
            ("team_update", "UPDATE", write, write),
            ("team_delete", "DELETE", write, None),
        ]
    if table == "events":  # append-only: a member adds events of a layer they write; admins alone change them
        return [
            ("team_read", "SELECT", f"annotator_id IS NULL OR {_may_read('annotator_id')}", None),
            ("team_insert", "INSERT", None, _may_write("annotator_id")),
            ("team_change", "ALL", ADMIN, ADMIN),
        ]
    if table == "assignments":
        own = f"{ADMIN} OR {KIND} = 'reviewer' OR annotator_id = {MY_LAYER}"
        return [("team_read", "SELECT", own, None), ("team_change", "ALL", ADMIN, ADMIN)]
    if table == "annotators":  # UPDATE of one's own row: the layer lock is SELECT ... FOR UPDATE (db/locks.py)
        return [
            ("team_read", "SELECT", MEMBER, None),
            ("team_lock", "UPDATE", _may_write("id"), _may_write("id")),
            ("team_change", "ALL", ADMIN, ADMIN),
        ]
    if table in SHARED_TABLES:
        return [("team_all", "ALL", MEMBER, MEMBER)]
    assert table in ADMIN_TABLES, f"table {table!r} has no policy: add it to annotator/team/policies.py"
    return [("team_read", "SELECT", MEMBER, None), ("team_change", "ALL", ADMIN, ADMIN)]


def apply_policies(connection: Connection, prefix: str) -> None:
    """Ownership, grants, row-level security and policies of every table; run again at will.

    Needs the role that owns the tables now (or a superuser), and the group roles to exist.
    """
    owner, admin, reviewer, annotator = (group_role(prefix, kind) for kind in GROUP_KINDS)
    run = connection.exec_driver_sql
    members = f'"{admin}", "{reviewer}", "{annotator}"'
    writers = f'"{reviewer}", "{annotator}"'
    run(FUNCTIONS.format(owner=owner, admin=admin, reviewer=reviewer, annotator=annotator))
    for function in (
        "annotator_team_kind()",
        "annotator_my_layer()",
        "annotator_may_write(integer)",
        "annotator_may_read(integer)",
        "annotator_notify_event()",
    ):
        run(f'ALTER FUNCTION {function} OWNER TO "{owner}"')
    run(f"GRANT USAGE ON SCHEMA public TO {members}")
    for table in ALL_TABLES:
        run(f'ALTER TABLE "{table}" OWNER TO "{owner}"')  # its id sequence follows
        run(f'REVOKE ALL ON "{table}" FROM PUBLIC, {members}')
        run(f'GRANT SELECT ON "{table}" TO {members}')
        run(f'GRANT ALL ON "{table}" TO "{admin}"')
        run(f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY')
        run(f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY')
        existing = connection.exec_driver_sql(
            "SELECT policyname FROM pg_policies WHERE schemaname = 'public' AND tablename = %(table)s",
            {"table": table},
        ).scalars()
        for name in list(existing):
            run(f'DROP POLICY "{name}" ON "{table}"')
        for name, command, using, check in _policies(table):
            clauses = (f" USING ({using})" if using else "") + (f" WITH CHECK ({check})" if check else "")
            run(f'CREATE POLICY "{name}" ON "{table}" FOR {command} TO PUBLIC{clauses}')
    for table in (*LAYER_TABLES, "span_attributes", *SHARED_TABLES):
        run(f'GRANT INSERT, UPDATE, DELETE ON "{table}" TO {writers}')
    run(f'GRANT INSERT ON "events" TO {writers}')
    run(f'GRANT UPDATE ("created_at") ON "annotators" TO {writers}')
    run(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {members}")
    run(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{admin}"')


def check_every_table_has_policies() -> list[str]:
    """core_tables' tables that this module does not place in a group (a test wants none)."""
    return sorted(set(core_tables.metadata.tables) - set(ALL_TABLES))
