"""Review on PostgreSQL: migration 0004 upgrades a 0003 database with data; accept, reject and undo."""

from __future__ import annotations

from pathlib import Path

from annotator.importers import import_paths
from annotator.project import Project
from annotator.review import GOLD
from annotator.service import AnnotationService
from tests.integration.conftest import FolderMaker
from tests.unit.test_review import layers_file
from tests.unit.test_review_migration import upgrade_from_0003_keeps_data_and_rejections_work


def test_a_0003_postgres_database_is_upgraded_to_0004(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path
) -> None:
    upgrade_from_0003_keeps_data_and_rejections_work(project_folder("pg", fresh_schema), tmp_path)


def test_accept_agreed_reject_and_undo_on_postgres(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path
) -> None:
    root = project_folder("pg", fresh_schema)
    with Project.open(root) as project:
        import_paths(project, [layers_file(tmp_path)])
    with AnnotationService.open(root, "rita") as service:
        service.edit_layer(GOLD)
        doc = service.find_document("doc")
        outcome = service.accept_agreed(doc)
        assert len(outcome.value) == 4 and len(service.document(doc).relations) == 1
        service.undo()
        assert service.document(doc).spans == ()
        service.redo()
        claim = next(c for c in service.review_board(doc).candidates if c.label == "CLAIM")
        service.reject(doc, claim)  # out of gold with its relation, and rejected
        gold = service.document(doc)
        assert claim.key not in {(s.start, s.end, s.label) for s in gold.spans} and gold.relations == ()
        service.undo()
        assert len(service.document(doc).relations) == 1
        assert service.review_board(doc).find(claim.key).state == "accepted"  # type: ignore[union-attr]
