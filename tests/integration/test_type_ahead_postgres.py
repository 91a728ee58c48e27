"""On PostgreSQL the document list's type-ahead query gives the answers of Qt's rule applied
to every row, in at most three statements, none needing a scan of a growing table."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from bench.roundtrips import postgres_scans
from tests.unit.test_type_ahead import check_the_query_answers_as_every_row_would, names

pytestmark = pytest.mark.postgres


@pytest.fixture
def service(pg_project: Path) -> Iterator[AnnotationService]:
    records = [
        DocumentRecord("test", n + 1, f"Document {n}: Seoul said so.", external_id=name)
        for n, name in enumerate(names())
    ]
    with Project.open(pg_project) as project:
        import_records(project, records)
    with AnnotationService.open(pg_project, "alice") as opened:
        yield opened


def test_the_query_answers_as_every_row_would(service: AnnotationService) -> None:
    with service.project.engine.connect() as pooled:
        connection = pooled.connection.driver_connection
        assert connection is not None
        connection.execute("SET enable_seqscan = off")
        check_the_query_answers_as_every_row_would(service, lambda sent: postgres_scans(connection, sent))
        connection.rollback()
