"""--replace and undo-import on PostgreSQL: the reference layer replaced by a doccano user's
file and put back byte for byte (old rows under their old ids, timestamps included)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.exporters import export_format, export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.importers.import_log import undo_import
from annotator.project import Project

REFERENCE = Path(__file__).resolve().parents[2] / "annotator" / "example" / "reference.jsonl"

pytestmark = pytest.mark.postgres


def test_replace_from_a_doccano_users_file_and_undo_it(pg_project: Path, tmp_path: Path) -> None:
    with Project.open(pg_project) as project:
        assert project.engine.dialect.name == "postgresql"
        import_paths(project, [REFERENCE])
        export_jsonl(project, tmp_path / "before.jsonl")
        export_format(project, "doccano", tmp_path / "ours.jsonl")
        lines = (tmp_path / "ours.jsonl").read_bytes().removeprefix(b"\xef\xbb\xbf").splitlines()
        (record,) = [json.loads(line) for line in lines]
        record["entities"] = record["entities"][:10]  # admin removed spans in doccano
        record["relations"] = [r for r in record["relations"] if r["from_id"] < 10 and r["to_id"] < 10]
        record["Comments"] = []
        admin = tmp_path / "admin.jsonl"
        admin.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
        with pytest.raises(ImportFailed, match="already has a different layer by 'reference'"):
            import_paths(project, [admin], annotator="reference")
        report = import_paths(project, [admin], annotator="reference", replace=True)
        assert (report.layers_replaced, report.spans_added) == (1, 10)
        undo_import(project, report.event_id or 0)
        export_jsonl(project, tmp_path / "after.jsonl")
    assert (tmp_path / "after.jsonl").read_bytes() == (tmp_path / "before.jsonl").read_bytes()
