"""`annotator suggest` and `export --include-suggestions` on PostgreSQL: pages written, a layer's
rejection honoured, and the native export's suggestions re-imported (ON CONFLICT DO NOTHING)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from annotator.cli import main
from annotator.db import core_tables
from annotator.project import Project
from annotator.suggest import run
from tests.integration.conftest import REPO, FolderMaker

pytestmark = pytest.mark.postgres
REFERENCE = REPO / "annotator" / "example" / "reference.jsonl"


def test_suggest_export_and_reimport_on_postgres(
    fresh_schema: str, project_folder: FolderMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    folder = project_folder("p", fresh_schema)
    extra = tmp_path / "more.jsonl"
    extra.write_text("".join(json.dumps({"id": f"x{n}", "text": f"Putin spoke on day {n}."}) + "\n" for n in range(5)))
    assert main(["import", str(folder), str(REFERENCE), str(extra), "--annotator", "model"]) == 0
    monkeypatch.setattr(run, "PAGE_DOCUMENTS", 2)  # several pages, each its own transaction
    assert main(["suggest", str(folder), "--source", "layer:model"]) == 0
    assert "layer:model: 6 of 6 document(s), 77 suggestion(s) written" in capsys.readouterr().out
    with Project.open(folder) as project, project.engine.begin() as connection:
        s = core_tables.suggestions.c
        assert connection.scalar(select(func.count()).select_from(core_tables.suggestions)) == 77
        doc, start, end, label = connection.execute(select(s.document_id, s.start, s.end, s.label).limit(1)).one()
        alice = project.ensure_annotator("alice")
        connection.execute(
            insert(core_tables.review_rejections).values(
                document_id=doc, annotator_id=alice, start=start, end=end, label=label
            )
        )
    out = tmp_path / "out.jsonl"
    assert main(["export", str(folder), "-o", str(out), "--annotator", "alice", "--include-suggestions"]) == 0
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert sum(len(r["suggestions"]) for r in records) == 76
    assert all((x["start"], x["end"], x["label"]) != (start, end, label) for r in records for x in r["suggestions"])
    with Project.open(folder) as project, project.engine.begin() as connection:
        connection.execute(core_tables.suggestions.delete())
        connection.execute(core_tables.suggested_relations.delete())
    capsys.readouterr()
    assert main(["import", str(folder), str(out)]) == 0
    assert "added 76 suggestion(s)" in capsys.readouterr().out
    assert main(["import", str(folder), str(out)]) == 0  # the same suggestions again: nothing added, no error
    assert "suggestion" not in capsys.readouterr().out
    with Project.open(folder) as project, project.engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(core_tables.suggestions)) == 76
        assert connection.scalar(select(func.count()).select_from(core_tables.suggested_relations)) > 0
