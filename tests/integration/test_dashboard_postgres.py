"""The dashboard (`annotator stats --json`) on PostgreSQL: the same layers give the same report as on SQLite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.dashboard import dashboard
from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.unit.test_agreement_example import perturbed, reference

pytestmark = pytest.mark.postgres


def test_the_dashboard_is_the_same_on_postgres_and_sqlite(
    pg_project: Path, sqlite_project: Path, tmp_path: Path
) -> None:
    record = reference()
    files = []
    for name, layer in (("gold", {**record, "annotator": "gold"}), ("bob", perturbed(record))):
        files.append(tmp_path / f"{name}.jsonl")
        files[-1].write_text(json.dumps(layer) + "\n", encoding="utf-8")
    reports = []
    for folder in (pg_project, sqlite_project):
        with Project.open(folder) as project:
            import_paths(project, files)
        with AnnotationService.open(folder, "bob") as service:
            service.add_time(service.documents()[0].id, 42.0)
        with Project.open(folder) as project:
            reports.append(dashboard(project).report)
    first, second = ({**report, "project": None} for report in reports)
    assert first == second
    bob = next(annotator for annotator in first["annotators"] if annotator["name"] == "bob")
    assert bob["time"] == {"median_seconds": 42.0, "documents_timed": 1, "total_seconds": 42.0}
    assert bob["against_gold"]["documents"] == 1 and bob["against_gold"]["exact"]["matched"] > 0
