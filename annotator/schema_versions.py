"""The project's row and its schema versions: a schema is recorded once it is checked against the stored rows.

Renames (`schema migrate --rename`) run here too, in the same transaction, before the same checks.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Connection, Table, delete, select, update
from sqlalchemy.exc import IntegrityError

from annotator.db import core_tables
from annotator.errors import ProjectError
from annotator.schema import Schema

if TYPE_CHECKING:  # Project.open registers: annotator.project imports this module
    from sqlalchemy.orm import Session

    from annotator.project import Project


class Registration(NamedTuple):
    project_id: int
    created: bool  # this open made the project's row


def register_schema(project: Project, renames: Mapping[str, str]) -> Registration:
    """Find or create the project row, record the schema version, refuse an incompatible schema.

    The usual open changes nothing, so it only reads: export, stats and the window open while
    an import holds the write lock (SQLite in WAL mode lets readers in). The write lock is
    taken only to create the project, record a new schema (after checking it) or rename.
    `renames` (old label -> new) move spans and relations in the transaction that checks the schema.
    """
    if not renames:  # through Core: a read-only command never loads the ORM (db/core_tables.py)
        projects = core_tables.projects.c
        with project.engine.connect() as connection:
            found = connection.execute(
                select(projects.id, projects.schema_sha256).where(projects.name == project.config.name)
            ).first()
        if found is not None and found.schema_sha256 == project.schema.sha256:  # checked when it was recorded
            return Registration(found.id, created=False)
    try:
        with project.write.begin() as session:
            return _register_in(session, project, renames)
    except IntegrityError as error:
        if renames:
            raise ProjectError(
                f"renaming would make two spans or relations identical; nothing was changed ({error.orig})"
            ) from error
        # Another program created the same project row at the same moment: use that one.
        with project.write.begin() as session:
            return _register_in(session, project, renames)


def _register_in(session: Session, project: Project, renames: Mapping[str, str]) -> Registration:
    from annotator.db.tables import ProjectRow, SchemaVersionRow  # writing: the session loaded the ORM
    from annotator.schema_compat import check_schema_fits

    schema = project.schema
    row = session.scalar(select(ProjectRow).where(ProjectRow.name == project.config.name))
    created = row is None
    if row is None:
        row = ProjectRow(name=project.config.name)
        session.add(row)
        session.flush()
    if renames:
        rename_labels(session.connection(), row.id, schema, renames)
    if renames or row.schema_sha256 != schema.sha256:  # an unchanged schema was checked before
        check_schema_fits(session.connection(), row.id, schema)
    known = session.scalar(
        select(SchemaVersionRow.id).where(
            SchemaVersionRow.project_id == row.id, SchemaVersionRow.sha256 == schema.sha256
        )
    )
    if known is None:
        session.add(
            SchemaVersionRow(
                project_id=row.id, name=schema.name, version=schema.version, sha256=schema.sha256, text=schema.text
            )
        )
    row.schema_sha256 = schema.sha256
    return Registration(row.id, created)


def rename_labels(connection: Connection, project_id: int, schema: Schema, renames: Mapping[str, str]) -> None:
    """Move spans (or relations) from old labels to labels of `schema`; refuse a rename that moves nothing."""
    for old in set(renames) & set(renames.values()):
        raise ProjectError(
            f"cannot rename {old!r}: it is also the target of another rename; rename in two steps (nothing was changed)"
        )
    documents = core_tables.documents.c
    in_project = select(documents.id).where(documents.project_id == project_id)
    moved: dict[str, int] = {}
    for old, new in renames.items():
        table: Table
        if schema.label(new) is not None:
            table, kind = core_tables.spans, "span"
        elif schema.relation(new) is not None:
            table, kind = core_tables.relations, "relation"
        else:
            raise ProjectError(f"cannot rename {old!r} to {new!r}: the schema has no label or relation {new!r}")
        result = connection.execute(
            update(table).where(table.c.label == old, table.c.document_id.in_(in_project)).values(label=new)
        )
        if result.rowcount == 0:
            in_use = connection.scalars(
                select(table.c.label)
                .where(table.c.document_id.in_(in_project))
                .group_by(table.c.label)
                .order_by(table.c.label)
            ).all()
            raise ProjectError(
                f"cannot rename {old!r} to {new!r}: no {kind} of this project has the label {old!r} "
                f"({kind} labels in use: {', '.join(in_use) or 'none'}); nothing was changed"
            )
        if table is core_tables.spans:  # a rejected candidate stays rejected under its new name (annotator/review.py)
            rejections = core_tables.review_rejections.c
            connection.execute(
                update(core_tables.review_rejections)
                .where(rejections.label == old, rejections.document_id.in_(in_project))
                .values(label=new)
            )
        _rename_in_suggestions(connection, table is core_tables.spans, old, new, in_project)
        moved[f"{old}->{new}"] = result.rowcount
    connection.execute(
        core_tables.events.insert().values(
            action="migrate:rename", detail={"renamed": moved, "schema": schema.sha256, "project": project_id}
        )
    )


def _rename_in_suggestions(connection: Connection, of_spans: bool, old: str, new: str, in_project: Any) -> None:
    """Suggestions follow a rename too, so that accepting one after it gives the new label."""
    if of_spans:
        table = core_tables.suggestions
        twin = table.alias("twin")
        already_there = (
            select(twin.c.id)
            .where(twin.c.document_id == table.c.document_id, twin.c.source == table.c.source)
            .where(twin.c.start == table.c.start, twin.c.end == table.c.end, twin.c.label == new)
            .exists()
        )
        # the same proposal under both names would break the unique key: the one of the new name stays
        connection.execute(
            delete(table).where(table.c.label == old, table.c.document_id.in_(in_project), already_there)
        )
        connection.execute(
            update(table).where(table.c.label == old, table.c.document_id.in_(in_project)).values(label=new)
        )
        for relations in (core_tables.suggested_relations, core_tables.relation_rejections):
            for end in (relations.c.head_label, relations.c.tail_label):
                connection.execute(
                    update(relations).where(end == old, relations.c.document_id.in_(in_project)).values({end: new})
                )
        return
    for relations in (core_tables.suggested_relations, core_tables.relation_rejections):
        connection.execute(
            update(relations).where(relations.c.label == old, relations.c.document_id.in_(in_project)).values(label=new)
        )
