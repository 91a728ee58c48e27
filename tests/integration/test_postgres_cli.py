"""The command line on PostgreSQL: a storage error is one line and imports nothing; the largest
schema version `schema check` accepts fits PostgreSQL's 32-bit INTEGER column."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from annotator.cli import main
from annotator.exporters import count_documents
from annotator.project import Project
from annotator.schema import MAX_VERSION
from tests.integration.conftest import NEWS_SCHEMA, FolderMaker

pytestmark = pytest.mark.postgres


def test_a_read_only_postgres_transaction_during_import_is_one_line_and_imports_nothing(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    writable = project_folder("writable", fresh_schema)
    with Project.open(writable):  # tables made while the database may still be written
        pass
    url = make_url(fresh_schema)
    read_only = url.update_query_dict({"options": url.query["options"] + " -c default_transaction_read_only=on"})
    folder = project_folder("read-only", read_only.render_as_string(hide_password=False))
    (tmp_path / "a.txt").write_text("Kim Jong Un met Putin.", encoding="utf-8")
    assert main(["import", str(folder), str(tmp_path / "a.txt")]) == 1
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"error: {folder}: ") and "read-only" in err and err.endswith("; nothing was imported\n")
    with Project.open(writable) as project:
        assert count_documents(project) == 0


def test_the_largest_schema_version_is_stored_by_postgres(fresh_schema: str, project_folder: FolderMaker) -> None:
    text = NEWS_SCHEMA.read_text(encoding="utf-8").replace("version: 1\n", f"version: {MAX_VERSION}\n")
    with Project.open(project_folder("p", fresh_schema, schema_text=text)) as project:
        assert project.schema.version == MAX_VERSION
