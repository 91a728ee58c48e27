"""Opening projects: migrations, schema versions, refusals that change nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from annotator.db import engine as engine_module
from annotator.db import migrate
from annotator.db.engine import make_engine
from annotator.errors import ProjectError
from annotator.example_project import copy_example
from annotator.project import Project
from annotator.schema import SchemaError
from annotator.service import AnnotationService
from tests.conftest import EXAMPLE, REPO, ProjectMaker


def test_a_new_database_is_created_by_the_migrations(make_project: ProjectMaker) -> None:
    root = make_project()
    with Project.open(root) as project:
        assert migrate.current_revision(project.engine) == migrate.head_revision() == "0007"
        tables = set(inspect(project.engine).get_table_names())
        with project.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 10_000
    assert {
        "projects",
        "schema_versions",
        "documents",
        "annotators",
        "document_status",
        "spans",
        "span_attributes",
        "relations",
        "document_labels",
        "events",
    } <= tables
    assert migrate.upgrade(make_engine(f"sqlite:///{root / 'annotator.db'}")) is False  # nothing left to run


def test_an_older_database_is_upgraded_on_open_and_keeps_its_data(make_project: ProjectMaker) -> None:
    root = make_project()
    engine = make_engine(f"sqlite:///{root / 'annotator.db'}")
    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        connection.execute(text("INSERT INTO projects (name) VALUES ('project1')"))
        connection.execute(
            text(
                "INSERT INTO documents (project_id, external_id, text, sha256, meta) "
                "VALUES (1, 'old', 'Old text \U0001f600.', 'x', '{}')"
            )
        )
    engine.dispose()
    with Project.open(root) as project:
        assert migrate.current_revision(project.engine) == "0007"
        indexes = {i["name"] for i in inspect(project.engine).get_indexes("events")}
        relation_indexes = {i["name"] for i in inspect(project.engine).get_indexes("relations")}
        with project.engine.connect() as connection:
            rows = connection.execute(text("SELECT external_id, text_length FROM documents")).all()
    assert "ix_events_document" in indexes
    assert "ix_relations_tail" in relation_indexes
    # 0003 fills the stored length in code points, as len() counts them (the emoji is one).
    assert [tuple(row) for row in rows] == [("old", len("Old text \U0001f600."))]


def test_the_head_the_package_names_is_alembics_head() -> None:
    assert migrate.head_revision() == migrate.HEAD_REVISION


def test_opening_an_up_to_date_project_imports_no_alembic(make_project: ProjectMaker) -> None:
    """Alembic costs ~250 ms to import: a CLI command on a current database does without it."""
    root = make_project()
    Project.open(root).close()  # created and migrated: current now
    probe = (
        "import sys\n"
        "from annotator.cli import main\n"
        f"code = main(['stats', {str(root)!r}])\n"
        "assert code == 0, code\n"
        "print(sorted(m for m in sys.modules if m.partition('.')[0] == 'alembic'))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_schema_versions_are_recorded(make_project: ProjectMaker) -> None:
    root = make_project()
    Project.open(root).close()
    schema_file = root / "schema.yaml"
    schema_file.write_text(
        schema_file.read_text(encoding="utf-8").replace("version: 1", "version: 2"), encoding="utf-8"
    )
    with Project.open(root) as project, project.engine.connect() as connection:
        rows = connection.execute(text("SELECT version, sha256, text FROM schema_versions ORDER BY id")).all()
        current = connection.execute(text("SELECT schema_sha256 FROM projects")).scalar()
    assert [r.version for r in rows] == [1, 2]
    assert rows[1].text == schema_file.read_text(encoding="utf-8")
    assert current == rows[1].sha256 == project.schema.sha256


def test_a_schema_that_drops_a_used_label_is_refused(make_project: ProjectMaker) -> None:
    root = make_project()
    with Project.open(root) as project:
        from annotator.importers import import_paths

        import_paths(project, [EXAMPLE / "reference.jsonl"])
    schema_file = root / "schema.yaml"
    original = schema_file.read_text(encoding="utf-8")
    schema_file.write_text(original.replace("DATE", "TIME"), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"label 'DATE' is used by 9 span\(s\)"):
        Project.open(root)
    schema_file.write_text(original, encoding="utf-8")
    with Project.open(root) as project, project.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM spans WHERE label = 'DATE'")).scalar() == 9
        assert connection.execute(text("SELECT count(*) FROM schema_versions")).scalar() == 1


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda root: None, "no such project folder"),
        (lambda root: root.mkdir(), "project.yaml: missing"),
        (lambda root: (root.mkdir(), (root / "project.yaml").write_text("- a list\n")), "must be a mapping"),
        (
            lambda root: (root.mkdir(), (root / "project.yaml").write_text("name: x\nschema: s.yaml\ncolour: red\n")),
            "unknown key 'colour'",
        ),
        (lambda root: (root.mkdir(), (root / "project.yaml").write_text("name: [x\n")), "not valid YAML"),
    ],
)
def test_bad_project_folders_give_clear_errors(tmp_path: Path, setup, message: str) -> None:
    root = tmp_path / "proj"
    setup(root)
    with pytest.raises(ProjectError, match=message):
        Project.open(root)


def test_a_broken_schema_is_reported_before_any_database_is_made(make_project: ProjectMaker) -> None:
    root = make_project("name: x\nversion: 1\nlabels: []\n")
    with pytest.raises(SchemaError, match=r"schema\.yaml:3"):
        Project.open(root)
    assert not (root / "annotator.db").exists()


def test_a_locked_database_gives_a_clear_error(make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project()
    Project.open(root).close()
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)
    blocker = sqlite3.connect(root / "annotator.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(ProjectError, match="locked by another program"):
            AnnotationService.open(root, "alice")
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()


def test_the_example_project_seeds_its_reference_layer(tmp_path: Path) -> None:
    root = copy_example(tmp_path / "example")
    with AnnotationService.open(root, "alice") as service:
        (summary,) = service.documents(layer="reference")
        view = service.document(summary.id, layer="reference")
    assert view.text == (EXAMPLE / "north-korea-russia-ties.txt").read_bytes().decode("utf-8")
    assert view.meta["date"] == "2014-11-14"
    assert (summary.status, len(view.spans), len(view.relations)) == ("done", 77, 14)
    with AnnotationService.open(root, "alice") as service:  # seeding happens once
        assert len(service.documents()) == 1


def test_schema_migrate_moves_spans_to_a_renamed_label_in_one_step(make_project: ProjectMaker, capsys) -> None:
    from annotator.cli import main
    from annotator.importers import import_paths

    root = make_project()
    with Project.open(root) as project:
        import_paths(project, [EXAMPLE / "reference.jsonl"])
    schema_file = root / "schema.yaml"
    schema_file.write_text(schema_file.read_text(encoding="utf-8").replace("DATE", "TIME"), encoding="utf-8")
    assert main(["stats", str(root)]) == 1
    assert "annotator schema migrate PROJECT --rename OLD=NEW" in capsys.readouterr().err
    assert main(["schema", "migrate", str(root), "--rename", "DATE=NOPE"]) == 1
    assert "no label or relation 'NOPE'" in capsys.readouterr().err
    assert main(["schema", "migrate", str(root), "--rename", "DATE=TIME"]) == 0
    assert "TIME 9" in capsys.readouterr().out
    with Project.open(root) as project, project.engine.connect() as connection:
        labels = dict(connection.execute(text("SELECT label, count(*) FROM spans GROUP BY label")).all())
        events = connection.execute(text("SELECT action FROM events WHERE action = 'migrate:rename'")).all()
    assert labels == {"ACTOR": 57, "CLAIM": 11, "TIME": 9} and len(events) == 1


def test_a_rename_that_would_duplicate_spans_changes_nothing(make_project: ProjectMaker, tmp_path: Path) -> None:
    from annotator.importers import import_paths

    root = make_project()
    record = (
        '{"text": "Kim Jong Un", "annotator": "a", "spans": ['
        '{"start": 0, "end": 11, "label": "ACTOR"}, {"start": 0, "end": 11, "label": "DATE"}]}\n'
    )
    (tmp_path / "both.jsonl").write_text(record, encoding="utf-8")
    with Project.open(root) as project:
        import_paths(project, [tmp_path / "both.jsonl"])
    with pytest.raises(ProjectError, match="would make two spans or relations identical"):
        Project.open(root, renames={"DATE": "ACTOR"})
    with Project.open(root) as project, project.engine.connect() as connection:
        labels = sorted(connection.execute(text("SELECT label FROM spans")).scalars())
        events = connection.execute(text("SELECT count(*) FROM events WHERE action LIKE 'migrate%'")).scalar()
    assert (labels, events) == (["ACTOR", "DATE"], 0)


def test_reading_work_opens_while_another_program_holds_the_write_lock(
    make_project: ProjectMaker, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """An import holding the write lock for minutes must not stop export, stats or the window."""
    from annotator.exporters import export_jsonl
    from annotator.importers import import_paths
    from annotator.stats import project_stats

    root = make_project()
    with AnnotationService.open(root, "alice") as service:
        import_paths(service.project, [EXAMPLE / "reference.jsonl"])
        export_jsonl(service.project, tmp_path / "before.jsonl")
    monkeypatch.setattr(engine_module, "SQLITE_BUSY_TIMEOUT_MS", 100)  # a wait for the lock fails fast
    blocker = sqlite3.connect(root / "annotator.db", isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # what an import does, for as long as it runs
    blocker.execute("INSERT INTO annotators (name) VALUES ('importer')")
    try:
        with Project.open(root) as project:
            export_jsonl(project, tmp_path / "during.jsonl")
            stats = project_stats(project)
        with AnnotationService.open(root, "alice") as service:
            (document,) = service.documents(layer="reference")
        with pytest.raises(ProjectError, match="locked by another program"):  # changing the schema must write
            Project.open(root, renames={"DATE": "ACTOR"})
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert (tmp_path / "during.jsonl").read_bytes() == (tmp_path / "before.jsonl").read_bytes()
    assert stats.spans_by_label == {"ACTOR": 57, "CLAIM": 11, "DATE": 9}
    assert document.status == "done"
