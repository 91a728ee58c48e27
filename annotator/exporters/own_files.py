"""An export never replaces the files the project itself lives in.

`export P -o P/annotator.db` renamed the export over the SQLite database: every annotation
of the project was gone, and the next command said "file is not a database". The same holds
for its companions (-wal, -shm, -journal), project.yaml and the schema file. Both export entry
points (native JSONL and every other format) check the target here first; a symbolic link is
followed, as the export would follow it.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import make_url

from annotator.atomic import OutputError
from annotator.config import PROJECT_FILE
from annotator.project import Project

STDOUT = "-"
_DATABASE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def project_files(project: Project) -> dict[str, str]:
    """The real path of each file the project lives in -> what it is, for the message."""
    files = {PROJECT_FILE: project.config.root / PROJECT_FILE, "its schema": project.config.schema_path}
    url = make_url(project.config.database_url)
    if url.get_backend_name() == "sqlite" and url.database:
        for end in _DATABASE_COMPANIONS:
            files[f"its database{f' ({end[1:]} file)' if end else ''}"] = Path(f"{url.database}{end}")
    return {os.path.realpath(path): what for what, path in files.items()}


def refuse_project_files(project: Project, target: str | os.PathLike[str]) -> None:
    """Refuse an output that would replace one of the project's own files; nothing is written."""
    if os.fspath(target) == STDOUT:
        return
    what = project_files(project).get(os.path.realpath(target))
    if what is not None:
        raise OutputError(
            f"{os.fspath(target)} is the project's {what.removeprefix('its ')}: an export never replaces it; "
            "name another file (nothing was exported)"
        )
