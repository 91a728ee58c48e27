"""An open project: its configuration, schema, database engine and session factories."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping

from sqlalchemy import Engine, event, select
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
    SchemaVersionRow,
)
from annotator.errors import AnnotatorError, ProjectError, ValidationError
from annotator.schema import Schema, load_schema
from annotator.schema_compat import check_schema_fits, rename_labels
from annotator.storable import text_is_storable

SEED_EVENT = "seed:imported"  # an event row per project: its seed files are in
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
            raise ProjectError(f"{config.database_url}: cannot open database: {_one_line(str(error))}") from error
        project = cls(config, schema, engine)
        try:
            project._register(dict(renames or {}))
            project._seed()
        except OperationalError as error:
            engine.dispose()
            raise ProjectError(_database_problem(config, error)) from error
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
            raise ProjectError(_database_problem(self.config, error)) from error
        assert created is not None
        return created

    def _register(self, renames: dict[str, str]) -> None:
        """Find or create the project row, record the schema version, refuse an incompatible schema.

        The usual open changes nothing, so it only reads: export, stats and the window open while
        an import holds the write lock (SQLite in WAL mode lets readers in). The write lock is
        taken only to create the project, record a new schema (after checking it) or rename.
        """
        if not renames:
            with self.read() as session:
                found = session.execute(
                    select(ProjectRow.id, ProjectRow.schema_sha256).where(ProjectRow.name == self.config.name)
                ).first()
            if found is not None and found.schema_sha256 == self.schema.sha256:  # checked when it was recorded
                self.id = found.id
                return
        try:
            with self.write.begin() as session:
                self._register_in(session, renames)
        except IntegrityError as error:
            if renames:
                raise ProjectError(
                    f"renaming would make two spans or relations identical; nothing was changed ({error.orig})"
                ) from error
            # Another program created the same project row at the same moment: use that one.
            with self.write.begin() as session:
                self._register_in(session, renames)

    def _seed(self) -> None:
        """Import project.yaml's seed files, until one import of them has succeeded.

        Success is an event row written in the import's own transaction (a killed or failed
        import leaves neither), so every open retries a seed that has not yet gone in, and a
        failure fails the open with the import's error instead of leaving an empty project.
        """
        if not self.config.seed or self._seeded():
            return
        from annotator.importers import import_paths  # the importer needs an open project

        files = [str(path) for path in self.config.seed]

        def record_success(session: Session) -> None:
            session.add(EventRow(action=SEED_EVENT, detail={"project": self.id, "files": files}))

        # before_commit of the import's write session: the same transaction as its rows.
        event.listen(self.write, "before_commit", record_success)
        try:
            import_paths(self, list(self.config.seed))
        except AnnotatorError as error:
            raise ProjectError(
                f"{self.config.root / 'project.yaml'}: the seed import failed and nothing of it was kept; "
                f"it is tried again on the next open (fix the file, or remove it from 'seed'): {error}"
            ) from error
        finally:
            event.remove(self.write, "before_commit", record_success)

    def _seeded(self) -> bool:
        with self.read() as session:
            recorded = session.scalars(select(EventRow.detail).where(EventRow.action == SEED_EVENT)).all()
            if any(detail.get("project") == self.id for detail in recorded):
                return True
            # Projects seeded before seeds were recorded: their seed is what they hold.
            return session.scalar(select(DocumentRow.id).where(DocumentRow.project_id == self.id).limit(1)) is not None

    def _register_in(self, session: Session, renames: dict[str, str]) -> None:
        row = session.scalar(select(ProjectRow).where(ProjectRow.name == self.config.name))
        if row is None:
            row = ProjectRow(name=self.config.name)
            session.add(row)
            session.flush()
            self.created = True
        self.id = row.id
        if renames:
            rename_labels(session.connection(), row.id, self.schema, renames)
        if renames or row.schema_sha256 != self.schema.sha256:  # an unchanged schema was checked before
            check_schema_fits(session.connection(), row.id, self.schema)
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


def _database_problem(config: ProjectConfig, error: OperationalError) -> str:
    message = str(error.orig) if error.orig is not None else str(error)
    if "locked" in message:
        return f"{config.database_url}: the database is locked by another program; close it and retry"
    return f"{config.database_url}: cannot open database: {_one_line(message)}"


def _one_line(message: str) -> str:
    """A driver's message as one line: psycopg adds "Is the server running ...?" on a second
    line, SQLAlchemy a "(Background on this error at: ...)" link; an error is one line."""
    lines = (line.strip() for line in message.splitlines())
    return " ".join(line for line in lines if line and not line.startswith("(Background on this error"))
