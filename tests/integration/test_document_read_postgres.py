"""The window's read of one document on PostgreSQL: spans in code-point order whatever the collation,
in one read or two (first screen first), the same as on SQLite."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.models import DocumentView
from annotator.service import AnnotationService
from tests.integration.conftest import DatabaseMaker, FolderMaker
from tests.integration.test_postgres import COLLATION_SCHEMA, import_text


def read_both_ways(root: Path, tmp_path: Path) -> tuple[DocumentView, DocumentView, DocumentView]:
    with AnnotationService.open(root, "alice") as service:
        import_text(service.project, tmp_path, "Kim met Putin in Moscow.", name="doc")
        [summary] = service.documents()
        for start, end, label in ((8, 13, "alpha"), (0, 3, "alpha"), (0, 3, "Zeta"), (17, 23, "Zeta")):
            service.add_span(summary.id, start, end, label)
        first: list[DocumentView] = []
        whole = service.document(summary.id, first=first.append, first_spans_before=10)
        return service.document(summary.id), first[0], whole


def test_spans_come_in_code_point_order_on_an_icu_database_in_one_read_or_two(
    fresh_database: DatabaseMaker, project_folder: FolderMaker, tmp_path: Path
) -> None:
    try:  # a database with the collation most PostgreSQL installations default to ("alpha" < "Zeta")
        database = fresh_database("LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    except Exception as error:  # PostgreSQL < 15 or built without ICU
        pytest.skip(f"cannot make an ICU en-US database: {error}")
    on_sqlite = read_both_ways(project_folder("sqlite-project", "annotator.db", COLLATION_SCHEMA), tmp_path)
    on_postgres = read_both_ways(project_folder("pg-project", database, COLLATION_SCHEMA), tmp_path)
    one_read, first, two_reads = on_postgres
    assert [(s.start, s.label) for s in one_read.spans] == [(0, "Zeta"), (0, "alpha"), (8, "alpha"), (17, "Zeta")]
    assert [(s.start, s.label) for s in first.spans] == [(0, "Zeta"), (0, "alpha"), (8, "alpha")]
    assert two_reads == one_read
    assert [[(s.start, s.end, s.label, s.text) for s in view.spans] for view in on_postgres] == [
        [(s.start, s.end, s.label, s.text) for s in view.spans] for view in on_sqlite
    ]
