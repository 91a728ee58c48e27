"""Agreement on PostgreSQL: the same layers give the same report as on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.agreement import AgreementOptions, measure_agreement
from annotator.importers import import_paths
from annotator.project import Project
from tests.unit.test_agreement_example import perturbed, reference

pytestmark = pytest.mark.postgres


def test_the_report_is_the_same_on_postgres_and_sqlite(pg_project: Path, sqlite_project: Path, tmp_path: Path) -> None:
    record = reference()
    files = []
    for name, layer in (("alice", {**record, "annotator": "alice"}), ("bob", perturbed(record))):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text(json.dumps(layer) + "\n", encoding="utf-8")
    reports = []
    for folder in (pg_project, sqlite_project):
        with Project.open(folder) as project:
            import_paths(project, files)
            reports.append(measure_agreement(project, AgreementOptions(samples=50, seed=1)))
    assert reports[0] == reports[1]
    assert reports[0]["pairs"][0]["spans"]["exact"]["ACTOR"]["matched"] == 37
