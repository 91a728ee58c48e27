"""An open project: its configuration, schema, database engine and session factories."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy import Engine, func, select, update
from sqlalchemy.exc import IntegrityError, OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from annotator.config import ProjectConfig, load_project_config
from annotator.db import migrate
from annotator.db.engine import make_engine, writer
from annotator.db.tables import (
    AnnotatorRow,
    DocumentRow,
    EventRow,
    ProjectRow,
    RelationRow,
    SchemaVersionRow,
    SpanAttributeRow,
    SpanRow,
)
from annotator.errors import ProjectError, ValidationError
from annotator.schema import Schema, load_schema
from annotator.storable import text_is_storable

# 1-100 characters; no slashes (names become file names in some exports), no control characters,
# no lone surrogates (text_is_storable).
ANNOTATOR_NAME = re.compile(r"^[^\s/\\\x00-\x1f\x7f][^/\\\x00-\x1f\x7f]{0,99}$")


class Project:
    """Everything the service, importers and exporters share. Open with Project.open()."""

    def __init__(self, config: ProjectConfig, schema: Schema, engine: Engine) -> None:
        self.config = config
        self.schema = schema
        self.engine = engine
        self.read = sessionmaker(engine, expire_on_commit=False)
        self.write = sessionmaker(writer(engine), expire_on_commit=False)
        self.id = 0
        self.created = False

    @classmethod
    def open(cls, project_dir: str | os.PathLike[str], renames: Mapping[str, str] | None = None) -> Project:
        """Open a project folder, creating or upgrading its database as needed.

        `renames` (old label -> new) moves spans and relations to labels of a changed schema,
        in the same transaction that checks the schema: all of it happens, or none.
        """
        config = load_project_config(project_dir)
        schema = load_schema(config.schema_path)
        try:
            engine = make_engine(config.database_url)
            migrate.upgrade(engine)
        except OperationalError as error:
            raise ProjectError(_database_problem(config, error)) from error
        except SQLAlchemyError as error:
            raise ProjectError(f"{config.database_url}: cannot open database: {error}") from error
        project = cls(config, schema, engine)
        try:
            project._register(dict(renames or {}))
        except OperationalError as error:
            engine.dispose()
            raise ProjectError(_database_problem(config, error)) from error
        except ProjectError:
            engine.dispose()
            raise
        if project.created and config.seed:
            from annotator.importers import import_paths  # the importer needs an open project

            import_paths(project, list(config.seed))
        return project

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def annotator_id(self, session: Session, name: str, *, create: bool = True) -> int | None:
        """The id of an annotator by name, registering a new name if create is set."""
        found = session.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
        if found is not None or not create:
            return found
        check_annotator_name(name)
        row = AnnotatorRow(name=name)
        session.add(row)
        session.flush()
        return row.id

    def _register(self, renames: dict[str, str]) -> None:
        """Find or create the project row, record the schema version, refuse an incompatible schema."""
        try:
            with self.write.begin() as session:
                self._register_in(session, renames)
        except IntegrityError as error:
            raise ProjectError(
                f"renaming would make two spans or relations identical; nothing was changed ({error.orig})"
            ) from error

    def _register_in(self, session: Session, renames: dict[str, str]) -> None:
        row = session.scalar(select(ProjectRow).where(ProjectRow.name == self.config.name))
        if row is None:
            row = ProjectRow(name=self.config.name)
            session.add(row)
            session.flush()
            self.created = True
        self.id = row.id
        if renames:
            _rename_labels(session, row.id, self.schema, renames)
        if renames or row.schema_sha256 != self.schema.sha256:  # an unchanged schema was checked before
            _refuse_orphaned_labels(session, row.id, self.schema)
        known = session.scalar(
            select(SchemaVersionRow.id).where(
                SchemaVersionRow.project_id == row.id,
                SchemaVersionRow.sha256 == self.schema.sha256,
            )
        )
        if known is None:
            session.add(
                SchemaVersionRow(
                    project_id=row.id,
                    name=self.schema.name,
                    version=self.schema.version,
                    sha256=self.schema.sha256,
                    text=self.schema.text,
                )
            )
        row.schema_sha256 = self.schema.sha256


def check_annotator_name(name: str) -> None:
    if not ANNOTATOR_NAME.match(name) or name != name.strip() or not text_is_storable(name):
        raise ValidationError(
            f"annotator name {name!r} is not usable: 1-100 characters, no slashes or control characters, "
            "no leading or trailing spaces"
        )


def _rename_labels(session: Session, project_id: int, schema: Schema, renames: dict[str, str]) -> None:
    """Move spans and relations from old labels to labels of the current schema (rule 6)."""
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
    moved: dict[str, int] = {}
    for old, new in renames.items():
        if schema.label(new) is not None:
            table, column = SpanRow, SpanRow.label
        elif schema.relation(new) is not None:
            table, column = RelationRow, RelationRow.label
        else:
            raise ProjectError(f"cannot rename {old!r} to {new!r}: the schema has no label or relation {new!r}")
        result = session.execute(
            update(table).where(column == old, table.document_id.in_(in_project)).values(label=new)
        )
        moved[f"{old}->{new}"] = result.rowcount
    session.add(EventRow(action="migrate:rename", detail={"renamed": moved, "schema": schema.sha256}))


def _refuse_orphaned_labels(session: Session, project_id: int, schema: Schema) -> None:
    """Rule 6: a schema that drops a label, relation or attribute still in use is refused."""
    in_project = select(DocumentRow.id).where(DocumentRow.project_id == project_id)
    problems: list[str] = []
    span_labels = session.execute(
        select(SpanRow.label, func.count()).where(SpanRow.document_id.in_(in_project)).group_by(SpanRow.label)
    )
    for label, count in span_labels:
        if schema.label(label) is None:
            problems.append(f"label {label!r} is used by {count} span(s)")
    relation_labels = session.execute(
        select(RelationRow.label, func.count())
        .where(RelationRow.document_id.in_(in_project))
        .group_by(RelationRow.label)
    )
    for label, count in relation_labels:
        if schema.relation(label) is None:
            problems.append(f"relation {label!r} is used by {count} relation(s)")
    attributes = session.execute(
        select(SpanRow.label, SpanAttributeRow.name)
        .join(SpanAttributeRow, SpanAttributeRow.span_id == SpanRow.id)
        .where(SpanRow.document_id.in_(in_project))
        .distinct()
    )
    for label, name in attributes:
        spec = schema.label(label)
        if spec is not None and spec.attribute(name) is None:
            problems.append(f"attribute {name!r} of label {label!r} is in use")
    if problems:
        raise ProjectError(
            f"{schema.source}: this schema would orphan existing annotations: "
            + "; ".join(problems)
            + ". Put them back in the schema, or move them to its labels with "
            "'annotator schema migrate PROJECT --rename OLD=NEW' (nothing was changed)."
        )


def _database_problem(config: ProjectConfig, error: OperationalError) -> str:
    message = str(error.orig) if error.orig is not None else str(error)
    if "locked" in message:
        return f"{config.database_url}: the database is locked by another program; close it and retry"
    return f"{config.database_url}: cannot open database: {message}"


def default_schema_path() -> Path:
    """The schema a new project gets when none is named: schemas/news.yaml of this checkout."""
    return Path(__file__).resolve().parents[1] / "schemas" / "news.yaml"
