"""Two sessions in two real processes on one SQLite document (tests/live_sessions.py): an edit in
one is read back in the other within 2 s, and nothing is lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from annotator.db.core_tables import events
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker
from tests.live_sessions import TEXT, Report, delays, plan, run_two_sessions

SEEN_WITHIN_S = 2.0


def check_two_sessions(root: Path, reports: list[Report], name: str | None = None) -> list[float]:
    """Both processes ran clean, read each other's spans back within 2 s, end with the same spans,
    and the database holds every edit: every span and one event per span added."""
    assert [r.error for r in reports] == ["", ""]
    found = delays(reports)
    assert max(found) < SEEN_WITHIN_S, found
    expected = sorted((start, end, label) for _number, start, end, label in plan())
    assert reports[0].final == reports[1].final == expected
    with AnnotationService.open(root, name) as service:
        doc = service.find_document("article")
        assert sorted((s.start, s.end, s.label) for s in service.document(doc).spans) == expected
        with service.project.engine.connect() as connection:
            logged = connection.scalar(
                select(func.count()).where(events.c.document_id == doc, events.c.action == "do:AddSpan")
            )
    assert logged == len(expected)
    return found


def test_two_processes_see_each_others_edits_within_two_seconds(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project()
    source = tmp_path / "article.txt"
    source.write_bytes(TEXT.encode("utf-8"))
    with Project.open(root) as project:
        import_paths(project, [source])
    reports = run_two_sessions(str(root), (None, None))
    found = check_two_sessions(root, reports)  # both work as the login name: one layer
    print(f"SQLite: read back after {', '.join(f'{d * 1000:.0f} ms' for d in found)}")
