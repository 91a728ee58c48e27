"""`annotator init`: a project folder made whole, or not at all.

Nothing that is already there is overwritten: a schema.yaml that differs from the schema
asked for is refused (the same bytes are taken as they are, so a retry after a kill
completes), and if anything fails — the database, Ctrl+C, SIGTERM — what this call
created is removed again, so the retry starts from where the folder was.
"""

from __future__ import annotations

import os
from pathlib import Path

from annotator.atomic import Creation
from annotator.config import DATABASE_URL_VARIABLE, DEFAULT_DATABASE, PROJECT_FILE, write_project_config
from annotator.errors import ProjectError
from annotator.project import Project
from annotator.schema import Schema, load_schema_file

SCHEMA_FILE = "schema.yaml"
DATABASE_FILES = ("", "-wal", "-shm", "-journal")  # SQLite's file and its companions


def create_project(root: Path, schema_source: Path, name: str | None = None) -> tuple[str, Schema]:
    """Create the project folder `root` with a copy of `schema_source`; its name and schema."""
    if (root / PROJECT_FILE).exists():
        raise ProjectError(f"{root / PROJECT_FILE} exists already; this folder is a project")
    if root.exists() and not root.is_dir():
        raise ProjectError(f"{root} is a file; name a folder for the project")
    # Refuse a broken schema before creating anything; the copy is the very bytes checked.
    schema, data = load_schema_file(schema_source)
    copy = root / SCHEMA_FILE
    if os.path.lexists(copy) and (not copy.is_file() or copy.read_bytes() != data):
        raise ProjectError(
            f"{copy} exists and is not {schema_source}; move it away, or make it the project's schema "
            f"with --schema {copy} (nothing was changed)"
        )
    with Creation() as made:
        made.folder(root)
        if not copy.exists():
            made.file(copy, data)
        made.adopt(write_project_config(root, name or root.resolve().name, SCHEMA_FILE))
        if not os.environ.get(DATABASE_URL_VARIABLE):
            made.may_create(*(root / f"{DEFAULT_DATABASE}{end}" for end in DATABASE_FILES))
        with Project.open(root) as project:
            return project.config.name, schema
