"""The document list's page queries on PostgreSQL: the rows, positions and counts SQLite gives."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from annotator.document_pages import DocumentPages
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.models import STATUSES
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.conftest import FolderMaker


def import_texts(root: Path, count: int, prefix: str) -> None:
    with Project.open(root) as project:
        texts = [f"{prefix} {n}: Seoul said on Monday that talks resume." for n in range(count)]
        import_records(
            project, [DocumentRecord("t", n + 1, t, external_id=f"{prefix}-{n:03d}") for n, t in enumerate(texts)]
        )


def test_pages_positions_counts_and_next_unfinished_on_postgres(fresh_schema: str, project_folder: FolderMaker) -> None:
    first, second = project_folder("first", fresh_schema), project_folder("second", fresh_schema)
    config = second / "project.yaml"
    config.write_text(config.read_text().replace("name: integration", "name: second"), encoding="utf-8")
    import_texts(first, 47, "first")
    import_texts(second, 20, "second")  # one database, two projects: counts must not mix them
    with AnnotationService.open(second, "alice") as other:
        for doc in other.documents()[:15]:
            other.set_status(doc.id, "done")
    with AnnotationService.open(first, "alice") as service:
        listed = service.documents()
        for index, status in ((0, "done"), (1, "skipped"), (30, "in_progress"), (46, "done")):
            service.set_status(listed[index].id, status)
        listed = service.documents()
        counted = Counter(doc.status for doc in listed)
        assert service.document_counts() == {status: counted[status] for status in STATUSES}
        pages = DocumentPages(service, 5, 2)
        assert [pages.at(row) for row in range(47)] == listed  # on from held pages: seeks
        assert [pages.at(row) for row in reversed(range(47))] == listed[::-1]  # jumps: counted starts
        assert [service.document_position(doc.id) for doc in listed] == list(range(47))
        assert service.next_unfinished(None) == listed[2].id
        assert service.next_unfinished(listed[45].id) == listed[2].id  # 46 done: round to the start
        assert service.next_unfinished(listed[29].id) == listed[30].id
