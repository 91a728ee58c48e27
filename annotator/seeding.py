"""A project's seed files (project.yaml 'seed'): imported once, retried on every open until that succeeds."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import event, select

from annotator.db.core_tables import documents, events
from annotator.errors import AnnotatorError, ProjectError

if TYPE_CHECKING:  # Project.open seeds: annotator.project imports this module
    from sqlalchemy.orm import Session

    from annotator.project import Project

SEED_EVENT = "seed:imported"  # an event row per project: its seed files are in


def seed_project(project: Project) -> None:
    """Import project.yaml's seed files, until one import of them has succeeded.

    Success is an event row written in the import's own transaction (a killed or failed
    import leaves neither), so every open retries a seed that has not yet gone in, and a
    failure fails the open with the import's error instead of leaving an empty project.
    """
    config = project.config
    if not config.seed or is_seeded(project):
        return
    from annotator.importers import import_paths  # the importers import annotator.project, which imports this module

    files = [str(path) for path in config.seed]

    def record_success(session: Session) -> None:
        session.execute(events.insert().values(action=SEED_EVENT, detail={"project": project.id, "files": files}))

    # before_commit of the import's write session: the same transaction as its rows.
    event.listen(project.write, "before_commit", record_success)
    try:
        import_paths(project, list(config.seed))
    except AnnotatorError as error:
        raise ProjectError(
            f"{config.root / 'project.yaml'}: the seed import failed and nothing of it was kept; "
            f"it is tried again on the next open (fix the file, or remove it from 'seed'): {error}"
        ) from error
    finally:
        event.remove(project.write, "before_commit", record_success)


def is_seeded(project: Project) -> bool:
    with project.engine.connect() as connection:
        recorded = connection.scalars(select(events.c.detail).where(events.c.action == SEED_EVENT)).all()
        if any(isinstance(detail, dict) and detail.get("project") == project.id for detail in recorded):
            return True
        # Projects seeded before seeds were recorded: their seed is what they hold.
        in_project = select(documents.c.id).where(documents.c.project_id == project.id).limit(1)
        return connection.scalar(in_project) is not None
