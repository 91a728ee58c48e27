"""Migration 0004 (review_rejections) upgrades a 0003 database that holds data; the PostgreSQL
twin of this test (tests/integration/test_review_migration_postgres.py) runs the same steps."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import func, inspect, select

from annotator.db import migrate
from annotator.db.engine import make_engine
from annotator.db.tables import DocumentRow, ReviewRejectionRow
from annotator.importers import import_paths
from annotator.project import Project
from annotator.review import GOLD
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker

TEXT = "Kim Jong Un met Putin in Moscow."


def upgrade_from_0003_keeps_data_and_rejections_work(root: Path, tmp_path: Path) -> None:
    """A project with a layer, taken back to 0003, opened again: at 0004 with its data, and reviewable."""
    record = {
        "id": "doc",
        "text": TEXT,
        "annotator": "alice",
        "status": "done",
        "spans": [{"id": "s1", "start": 0, "end": 11, "label": "ACTOR", "text": "Kim Jong Un"}],
    }
    source = tmp_path / "alice.jsonl"
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [source])
        url = project.engine.url
    engine = make_engine(url.render_as_string(hide_password=False))
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0003")
    assert migrate.current_revision(engine) == "0003"
    assert "review_rejections" not in inspect(engine).get_table_names()
    engine.dispose()
    with AnnotationService.open(root, "rita") as service:
        assert migrate.current_revision(service.project.engine) == migrate.HEAD_REVISION
        doc = service.find_document("doc")
        assert [(s.text, s.label) for s in service.document(doc, "alice").spans] == [("Kim Jong Un", "ACTOR")]
        service.edit_layer(GOLD)
        [kim] = service.review_board(doc).candidates
        service.reject(doc, kim)
    with AnnotationService.open(root, "someone") as service:
        assert service.review_board(doc).candidates[0].state == "rejected"
    with AnnotationService.open(root, "rita") as service:  # accepting after all, undone, redone
        service.edit_layer(GOLD)
        service.accept(doc, [kim])
        service.undo()
        assert service.review_board(doc).candidates[0].state == "rejected"
        service.redo()
        assert [s.text for s in service.document(doc).spans] == ["Kim Jong Un"]


def test_a_0003_sqlite_database_is_upgraded_to_0004(make_project: ProjectMaker, tmp_path: Path) -> None:
    upgrade_from_0003_keeps_data_and_rejections_work(make_project(), tmp_path)


def test_rejections_go_with_their_document(make_project: ProjectMaker, tmp_path: Path) -> None:
    """Undoing the import that brought a document takes its rejections along (ON DELETE CASCADE)."""
    root = make_project()
    upgrade_from_0003_keeps_data_and_rejections_work(root, tmp_path)
    with AnnotationService.open(root, "rita") as service:
        service.edit_layer(GOLD)
        doc = service.find_document("doc")
        service.reject(doc, service.review_board(doc).candidates[0])  # out of gold, and rejected
    with Project.open(root) as project, project.read() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRejectionRow)) == 1
    with Project.open(root) as project, project.write() as session, session.begin():
        session.execute(DocumentRow.__table__.delete())
    with Project.open(root) as project, project.read() as session:
        assert session.scalar(select(func.count()).select_from(ReviewRejectionRow)) == 0


def test_a_label_rename_keeps_rejections(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = make_project()
    upgrade_from_0003_keeps_data_and_rejections_work(root, tmp_path)
    with AnnotationService.open(root, "rita") as service:
        service.edit_layer(GOLD)
        doc = service.find_document("doc")
        service.reject(doc, service.review_board(doc).candidates[0])
    schema = root / "schema.yaml"
    schema.write_text(schema.read_text(encoding="utf-8").replace("ACTOR", "PERSON"), encoding="utf-8")
    Project.open(root, renames={"ACTOR": "PERSON"}).close()
    with AnnotationService.open(root, "rita") as service:
        [kim] = service.review_board(doc).candidates
    assert (kim.text, kim.label, kim.state) == ("Kim Jong Un", "PERSON", "rejected")
