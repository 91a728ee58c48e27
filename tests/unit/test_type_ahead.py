"""The document list's type-ahead as a query (annotator/type_ahead.py): the same answers as
Qt's rule applied to every row (the typed text starts the external id, ignoring case; from
the start row on, wrapping round), in at most three statements that read no table whole;
and the row numbers of the "#" column worked out without reading a row."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Engine, event

from annotator.document_pages import DocumentPages, row_numbered
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.type_ahead import CASED_LETTERS, WALK, same_up_to_case
from bench.roundtrips import sqlite_scans
from tests.conftest import ProjectMaker

# Names at places the short walk from a start row does not reach, so that the index ranges find them.
SPECIAL = {
    10: "ALPS",
    90: "Alpha",
    95: "alphabet soup",
    150: "Émile",
    151: "émilie",
    160: "beta",
    230: "Beta-2",
    231: "x_y%z",
    232: "日本",
}
DOCUMENTS = 240
TEXTS = [
    "a", "AL", "alp", "ALPHAB", "ALPHABET SOUP", "alphabet soupe", "émi", "ÉMILIE", "b", "BETA-",
    "doc-01", "DOC-0150", "doc-0239", "doc-00001", "x_y%", "x_", "x%", "日", "zz", "d",
]  # fmt: skip
STARTS = [0, 5, 11, 89, 96, 100, 152, 200, 239]


def names() -> list[str]:
    return [SPECIAL.get(number, f"doc-{number:04d}") for number in range(DOCUMENTS)]


@pytest.fixture
def service(make_project: ProjectMaker) -> Iterator[AnnotationService]:
    root = make_project()
    records = [
        DocumentRecord("test", n + 1, f"Document {n}: Seoul said so.", external_id=name)
        for n, name in enumerate(names())
    ]
    with Project.open(root) as project:
        import_records(project, records)
    with AnnotationService.open(root, "alice") as opened:
        yield opened


def every_row_rule(listed: list[str], text: str, start: int) -> int | None:
    """Qt's match over every row: from ``start`` on, then from the top."""
    for row in [*range(start, len(listed)), *range(start)]:
        if same_up_to_case(listed[row][: len(text)], text):
            return row
    return None


@contextmanager
def statements_of(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


def check_the_query_answers_as_every_row_would(
    service: AnnotationService, scans: Callable[[list[tuple[str, Any]]], list[str]]
) -> None:
    listed = service.documents()
    assert [d.external_id for d in listed] == names()
    sent: list[tuple[str, Any]] = []
    for text in TEXTS:
        for start in STARTS:
            with statements_of(service.project.engine) as seen:
                found = service.next_document_named(text, listed[start].id)
            queries = [(sql, parameters) for sql, parameters in seen if not sql.startswith("BEGIN")]
            assert len(queries) <= 3, (text, start, queries)
            sent.extend(queries)
            row = every_row_rule([d.external_id for d in listed], text, start)
            assert found == (listed[row].id if row is not None else None), (text, start)
    assert scans(sent) == []


def test_the_query_answers_as_every_row_would(service: AnnotationService) -> None:
    database = service.project.engine.url.database
    assert database is not None
    with sqlite3.connect(database) as connection:
        check_the_query_answers_as_every_row_would(service, lambda sent: sqlite_scans(connection, sent))


def test_what_the_cases_and_the_walk_cover() -> None:
    assert len("alphabet") > CASED_LETTERS  # the rest of a long text is compared on the entries found
    assert max(STARTS) + WALK > DOCUMENTS > min(SPECIAL) + 2 * WALK  # every way of finding is used
    assert same_up_to_case("ÉmIlE", "émile") and not same_up_to_case("emile", "émile")


def test_the_document_list_pages_find_rows(service: AnnotationService) -> None:
    pages = DocumentPages(service, 20, 2)
    assert pages.find("beta-", 0) == 230
    assert pages.find("alp", 96) == 10  # round to the top
    assert pages.find("nothing", 3) is None


@pytest.mark.parametrize(
    ("prefix", "start", "count", "row"),
    [
        ("1", 0, 250, 0),
        ("1", 1, 250, 9),  # 10
        ("1", 19, 250, 99),  # 100
        ("1", 200, 250, 0),  # round to 1
        ("25", 30, 250, 249),
        ("25", 250, 250, 24),
        ("3", 0, 2, None),
        ("0", 0, 250, None),
        ("a", 0, 250, None),
        ("12", 12, 100_000, 119),
        ("99999", 0, 100_000, 99_998),
    ],
)
def test_row_numbers_are_worked_out(prefix: str, start: int, count: int, row: int | None) -> None:
    expected = every_row_rule([str(n + 1) for n in range(count)], prefix, start) if count < 1000 else row
    assert row_numbered(prefix, start, count) == row == expected
