"""On PostgreSQL: another layer listed and read, and copied whole into the own layer as one edit of
at most 3 round trips on the wire (libpq's trace), undone and redone exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.importers import import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import postgres_traffic
from tests.conftest import EXAMPLE
from tests.unit.test_edit_round_trips import MAX_ROUND_TRIPS
from tests.unit.test_layer_copy import DROPPED_FROM_MODEL, model_record, own_layer

pytestmark = pytest.mark.postgres


def test_copy_a_layer_on_postgres(pg_project: Path, tmp_path: Path) -> None:
    reference = json.loads((EXAMPLE / "reference.jsonl").read_text(encoding="utf-8").splitlines()[0])
    files = [tmp_path / "reference.jsonl", tmp_path / "model.jsonl"]
    files[0].write_text(json.dumps(reference) + "\n", encoding="utf-8")
    files[1].write_text(json.dumps(model_record(reference)) + "\n", encoding="utf-8")
    with Project.open(pg_project) as project:
        import_paths(project, files)
    with AnnotationService.open(pg_project, "alice") as alice:
        doc = alice.documents()[0].id
        assert [(layer.annotator, layer.span_count) for layer in alice.layers(doc)] == [
            ("model", len(reference["spans"]) - DROPPED_FROM_MODEL),
            ("reference", len(reference["spans"])),
        ]
        shown = alice.other_layer(doc, "reference")
        before = own_layer(alice, doc)
        with postgres_traffic(alice.project.engine) as traffic:
            copied = alice.copy_spans(shown).value
        assert 1 <= traffic.round_trips <= MAX_ROUND_TRIPS
        assert len(copied.spans) == len(reference["spans"]) and len(copied.relations) == len(reference["relations"])
        after = own_layer(alice, doc)
        alice.undo()
        assert own_layer(alice, doc) == before
        alice.redo()
        assert own_layer(alice, doc) == after
