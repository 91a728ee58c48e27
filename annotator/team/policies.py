"""Who may read and write what in a team database, enforced by PostgreSQL itself.

Every table is owned by `<prefix>_owner`, a role nobody logs in as, and has row-level security
enabled and forced (forced: the owner's members are held to the policies too). The policies
call four SQL functions made here:

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

PINNED = "SET search_path = pg_catalog, pg_temp"
FUNCTIONS = """
CREATE OR REPLACE FUNCTION annotator_team_kind() RETURNS text LANGUAGE sql STABLE {pinned} AS $$
    SELECT CASE
        WHEN pg_has_role(current_user, '{admin}', 'MEMBER') OR pg_has_role(current_user, '{owner}', 'MEMBER')
            THEN 'admin'
        WHEN pg_has_role(current_user, '{reviewer}', 'MEMBER') THEN 'reviewer'
        WHEN pg_has_role(current_user, '{annotator}', 'MEMBER') THEN 'annotator'
        ELSE 'none'
    END
$$;
CREATE OR REPLACE FUNCTION annotator_my_layer() RETURNS integer LANGUAGE sql STABLE {pinned} AS $$
    SELECT id FROM public.annotators WHERE name = current_user
$$;
CREATE OR REPLACE FUNCTION annotator_gold_layer() RETURNS integer LANGUAGE sql STABLE {pinned} AS $$
    SELECT id FROM public.annotators WHERE name = 'gold'
$$;
CREATE OR REPLACE FUNCTION annotator_readable_layers() RETURNS integer[] LANGUAGE sql STABLE {pinned} AS $$
    SELECT coalesce(array_agg(a.id), '{{}}') FROM public.annotators a
    WHERE a.name = current_user OR a.name <> 'gold' AND (
        coalesce((SELECT t.annotators_see_others FROM public.team t), false)
        OR NOT EXISTS (SELECT 1 FROM public.team_members m WHERE m.annotator_id = a.id)
    )
$$;
CREATE OR REPLACE FUNCTION annotator_may_write(layer integer) RETURNS boolean LANGUAGE sql STABLE {pinned} AS $$
    SELECT {may_write}
$$;
CREATE OR REPLACE FUNCTION annotator_may_read(layer integer) RETURNS boolean LANGUAGE sql STABLE {pinned} AS $$
    SELECT {may_read}
$$;
"""
# Each function's names resolve in pg_catalog alone (tables are named public.x): a member who may
# create objects somewhere (the public schema of PostgreSQL 14 and older lets everybody) and puts
# that schema before pg_catalog in their search_path would otherwise have their own pg_has_role()
# or `=` run inside annotator_team_kind(), and be an admin.
FUNCTION_SIGNATURES = (
    "annotator_team_kind()",
    "annotator_my_layer()",
    "annotator_gold_layer()",
    "annotator_readable_layers()",
    "annotator_may_write(integer)",
    "annotator_may_read(integer)",
    "annotator_notify_event()",
)
# Each function the policies call is wrapped in a scalar subquery: PostgreSQL then runs it once
# per statement (an InitPlan) instead of once per row, which made reading a document of 350 spans
# as a member 6x slower than as a superuser. Hence conditions, not one function call per row.
KIND = "(SELECT public.annotator_team_kind())"
MEMBER = f"{KIND} <> 'none'"
ADMIN = f"{KIND} = 'admin'"


RELATION_ENDS_IN_LAYER = (
    "EXISTS (SELECT 1 FROM public.spans h, public.spans t WHERE h.id = relations.head_span_id "
    "AND t.id = relations.tail_span_id AND h.annotator_id = relations.annotator_id "
    "AND t.annotator_id = relations.annotator_id AND h.document_id = relations.document_id "
    "AND t.document_id = relations.document_id)"
)


# What a member who is no admin logs is an edit of their layer, with its description: not one of the
# events the project itself trusts (a seed done, an import undone, a schema's renames: read by action
# whatever the layer, so one forged in one's own layer said "seeded" for everybody), nor megabytes.
PROJECT_EVENTS = ("seed:imported", "undo-import", "migrate:rename")
EVENT_DETAIL_LIMIT = 65536
EDIT_EVENT = (
    f"action NOT IN ({', '.join(repr(action) for action in PROJECT_EVENTS)}) "
    f"AND octet_length(detail::text) <= {EVENT_DETAIL_LIMIT}"
)


def may_write(layer: str) -> str:
    """An admin any layer; a reviewer their own and gold; an annotator their own."""
    return (
        f"({ADMIN} OR {layer} = (SELECT public.annotator_my_layer()) "
        f"OR {layer} = (SELECT public.annotator_gold_layer()) AND {KIND} = 'reviewer')"
    )


def may_read(layer: str) -> str:
    """Admins and reviewers every layer; an annotator their own, nobody's, others' if allowed; never gold."""
    return f"({KIND} IN ('admin', 'reviewer') OR {layer} IN (SELECT unnest(public.annotator_readable_layers())))"


def _policies(table: str) -> list[tuple[str, str, str | None, str | None]]:
    """(name, command, USING, WITH CHECK) of each policy of a table."""
    if table in LAYER_TABLES:
        read, write = may_read("annotator_id"), may_write("annotator_id")
        # A relation joins two spans of its own layer and document: one pointing at another layer's
        # spans would take the (head, tail, label) that layer's own relation needs, and lock its spans.
        written = f"{write} AND {RELATION_ENDS_IN_LAYER}" if table == "relations" else write
        return [
            ("team_read", "SELECT", read, None),
            ("team_insert", "INSERT", None, written),
            ("team_update", "UPDATE", write, written),
            ("team_delete", "DELETE", write, None),
        ]
    if table == "span_attributes":
        # Its span's layer: the span is visible (the spans policy applies inside), or writable.
        read = "EXISTS (SELECT 1 FROM public.spans s WHERE s.id = span_id)"
        write = f"EXISTS (SELECT 1 FROM public.spans s WHERE s.id = span_id AND {may_write('s.annotator_id')})"
        return [
            ("team_read", "SELECT", read, None),
            ("team_insert", "INSERT", None, write),
            ("team_update", "UPDATE", write, write),
            ("team_delete", "DELETE", write, None),
        ]
    if table == "events":  # append-only: a member adds events of a layer they write; admins alone change them
        return [
            ("team_read", "SELECT", f"annotator_id IS NULL OR {may_read('annotator_id')}", None),
            ("team_insert", "INSERT", None, f"{may_write('annotator_id')} AND ({ADMIN} OR {EDIT_EVENT})"),
            ("team_change", "ALL", ADMIN, ADMIN),
        ]
    if table == "assignments":
        own = f"{KIND} IN ('admin', 'reviewer') OR annotator_id = (SELECT public.annotator_my_layer())"
        return [("team_read", "SELECT", own, None), ("team_change", "ALL", ADMIN, ADMIN)]
    if table == "annotators":  # UPDATE of one's own row: the layer lock is SELECT ... FOR UPDATE (db/locks.py)
        return [
            ("team_read", "SELECT", MEMBER, None),
            ("team_lock", "UPDATE", may_write("id"), may_write("id")),
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
    names = {"owner": owner, "admin": admin, "reviewer": reviewer, "annotator": annotator}
    run(FUNCTIONS.format(**names, pinned=PINNED, may_write=may_write("layer"), may_read=may_read("layer")))
    for function in FUNCTION_SIGNATURES:
        run(f'ALTER FUNCTION {function} OWNER TO "{owner}"')
    run(f"ALTER FUNCTION annotator_notify_event() {PINNED}")  # made by migration 0007
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
