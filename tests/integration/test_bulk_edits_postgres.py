"""On PostgreSQL, 'label all occurrences' (and its undo and redo) and adding reading time are
each at most 3 round trips on the wire whatever the number of occurrences (libpq's trace,
bench/roundtrips.py), and no statement they send needs a scan of a table that grows."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from annotator.service import AnnotationService
from bench.roundtrips import postgres_scans, postgres_traffic
from tests.unit.test_bulk_edits import (
    check_add_time_is_one_round_trip,
    check_label_all_is_one_edit_whatever_the_occurrences,
    import_article,
    label_all_traffic,
)

pytestmark = pytest.mark.postgres


@pytest.fixture
def service(pg_project: Path, tmp_path: Path) -> Iterator[AnnotationService]:
    for lines in (3, 60):
        import_article(pg_project, tmp_path, lines)
    with AnnotationService.open(pg_project, "alice") as opened:
        yield opened


def test_label_all_is_one_edit_whatever_the_occurrences(service: AnnotationService) -> None:
    check_label_all_is_one_edit_whatever_the_occurrences(service, postgres_traffic)


def test_label_all_needs_no_scan_of_a_growing_table(service: AnnotationService) -> None:
    seen = label_all_traffic(service, 60, postgres_traffic)
    for name, traffic in seen.items():
        assert traffic.statements[0][0] == "BEGIN" and traffic.statements[-1][0] == "COMMIT", name
    statements = [s for traffic in seen.values() for s in traffic.statements]
    with service.project.engine.connect() as pooled:
        connection = pooled.connection.driver_connection
        assert connection is not None
        connection.execute("SET enable_seqscan = off")
        assert postgres_scans(connection, statements) == []
        connection.rollback()


def test_add_time_is_one_round_trip(service: AnnotationService) -> None:
    check_add_time_is_one_round_trip(service, postgres_traffic)
