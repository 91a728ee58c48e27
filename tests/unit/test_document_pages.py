"""The document list a page at a time (annotator/document_pages.py) over the service's queries."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from annotator.document_pages import DocumentPages
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord, SpanRecord
from annotator.models import STATUSES, DocumentSummary, Status
from annotator.project import Project
from annotator.service import AnnotationService
from tests.conftest import ProjectMaker

DOCUMENTS = 250
PAGE = 10
HELD = 3


def records(count: int, prefix: str = "doc") -> list[DocumentRecord]:
    """Documents with 0-2 spans in alice's layer (every third has none)."""
    made = []
    for number in range(count):
        text = f"Document {number}: Seoul said on Monday that talks resume."
        spans = [SpanRecord(None, 0, 8, "CLAIM"), SpanRecord(None, 14, 19, "ACTOR")][: number % 3]
        made.append(
            DocumentRecord(
                "test", number + 1, text, external_id=f"{prefix}-{number:04d}", spans=spans, annotator="alice"
            )
        )
    return made


@pytest.fixture
def service(make_project: ProjectMaker) -> Iterator[AnnotationService]:
    root = make_project()
    with Project.open(root) as project:
        import_records(project, records(DOCUMENTS))
    with AnnotationService.open(root, "alice") as opened:
        listed = opened.documents()
        for index, status in ((3, "done"), (4, "skipped"), (17, "in_progress"), (120, "done"), (249, "done")):
            opened.set_status(listed[index].id, status)
        yield opened


class CountingSource:
    """The service, counting what the pages ask of it."""

    def __init__(self, service: AnnotationService) -> None:
        self.service = service
        self.calls: Counter[str] = Counter()
        self.keyset_reads = 0

    def document_counts(self) -> Mapping[Status, int]:
        self.calls["counts"] += 1
        return self.service.document_counts()

    def document_page(self, position: int, limit: int, after_id: int | None = None) -> Sequence[DocumentSummary]:
        self.calls["page"] += 1
        self.keyset_reads += after_id is not None
        return self.service.document_page(position, limit, after_id)

    def document_position(self, document_id: int) -> int | None:
        self.calls["position"] += 1
        return self.service.document_position(document_id)

    def next_document_named(self, text: str, from_id: int | None) -> int | None:
        self.calls["named"] += 1
        return self.service.next_document_named(text, from_id)


def recount(docs: Sequence[DocumentSummary]) -> dict[Status, int]:
    counted = Counter(doc.status for doc in docs)
    return {status: counted[status] for status in STATUSES}


def test_counts_come_from_the_database_and_match_every_row(service: AnnotationService) -> None:
    pages = DocumentPages(CountingSource(service), PAGE, HELD)
    assert pages.statuses == recount(service.documents())
    assert pages.statuses == {"todo": 245, "in_progress": 1, "done": 3, "skipped": 1}
    assert pages.count == DOCUMENTS
    assert pages.held_pages == []  # counting reads no row


def test_rows_read_forwards_and_backwards_are_the_listed_rows_holding_a_few_pages(service: AnnotationService) -> None:
    listed = service.documents()
    source = CountingSource(service)
    pages = DocumentPages(source, PAGE, HELD)
    assert [pages.at(row) for row in range(DOCUMENTS)] == listed
    assert pages.held_pages == [22, 23, 24]
    assert source.keyset_reads == DOCUMENTS // PAGE - 1  # reading on from a held page is a seek
    assert [pages.at(row) for row in reversed(range(DOCUMENTS))] == listed[::-1]
    assert pages.held_pages == [0, 1, 2]
    assert pages.at(DOCUMENTS) is None and pages.at(-1) is None


def test_a_jump_reads_only_the_page_it_lands_on(service: AnnotationService) -> None:
    listed = service.documents()
    source = CountingSource(service)
    pages = DocumentPages(source, PAGE, HELD)
    assert pages.at(137) == listed[137]
    assert pages.held_pages == [13]
    assert source.calls["page"] == 1


def test_rows_of_documents_by_id(service: AnnotationService) -> None:
    listed = service.documents()
    pages = DocumentPages(CountingSource(service), PAGE, HELD)
    assert [pages.row_of(doc.id) for doc in listed] == list(range(DOCUMENTS))
    assert pages.row_of(max(doc.id for doc in listed) + 1) is None
    assert pages.known(listed[201].id) is None  # no page of it read: not at hand
    pages.pin(listed[201].id)
    assert pages.known(listed[201].id) == listed[201]


def test_an_edit_of_a_held_row_is_counted_without_counting_again(service: AnnotationService) -> None:
    source = CountingSource(service)
    pages = DocumentPages(source, PAGE, HELD)
    doc = pages.at(5)
    assert doc is not None and doc.status == "todo"
    service.set_status(doc.id, "done")
    assert pages.update(dataclasses.replace(doc, status="done", span_count=7))
    assert source.calls["counts"] == 1
    assert pages.statuses == recount(service.documents()) == service.document_counts()
    assert pages.at(5) == dataclasses.replace(doc, status="done", span_count=7)


def test_the_pinned_document_is_counted_right_after_its_page_is_dropped(service: AnnotationService) -> None:
    source = CountingSource(service)
    pages = DocumentPages(source, PAGE, HELD)
    listed = service.documents()
    pages.pin(listed[17].id)  # in progress
    for row in range(100, 100 + PAGE * HELD):  # scrolled far away: page 1 is dropped
        pages.at(row)
    assert 1 not in pages.held_pages
    service.set_status(listed[17].id, "skipped")
    assert pages.update(dataclasses.replace(listed[17], status="skipped"))
    assert pages.statuses == service.document_counts()
    assert source.calls["counts"] == 1
    assert pages.known(listed[17].id) == dataclasses.replace(listed[17], status="skipped")


def test_an_edit_the_pages_cannot_place_is_refused_and_reload_counts_it(service: AnnotationService) -> None:
    pages = DocumentPages(CountingSource(service), PAGE, HELD)
    listed = service.documents()
    service.set_status(listed[60].id, "done")  # neither held nor pinned: its status before is unknown
    assert not pages.update(dataclasses.replace(listed[60], status="done"))
    assert pages.statuses == recount(listed)  # unchanged until reloaded
    pages.reload()
    assert pages.statuses == service.document_counts() == recount(service.documents())


def test_next_unfinished_wraps_round_and_skips_the_current_one(service: AnnotationService) -> None:
    listed = service.documents()
    assert service.next_unfinished(None) == listed[0].id
    assert service.next_unfinished(listed[2].id) == listed[5].id  # 3 done, 4 skipped
    assert service.next_unfinished(listed[248].id) == listed[0].id  # 249 done: round to the start
    for doc in listed[1:]:
        if doc.status not in ("done", "skipped"):
            service.set_status(doc.id, "done")
    assert service.next_unfinished(listed[0].id) is None  # the only unfinished one is the current one
    assert service.next_unfinished(listed[7].id) == listed[0].id


def test_counts_and_rows_of_one_project_when_the_database_holds_two(make_project: ProjectMaker, tmp_path: Path) -> None:
    shared = tmp_path / "shared.db"
    first, second = make_project(name="first"), make_project(name="second")
    for root in (first, second):
        config = root / "project.yaml"
        config.write_text(config.read_text().replace("annotator.db", str(shared)), encoding="utf-8")
    with Project.open(first) as project:
        import_records(project, records(12, "first"))
    with Project.open(second) as project:
        import_records(project, records(30, "second"))
    with AnnotationService.open(second, "alice") as service:
        for doc in service.documents()[:20]:
            service.set_status(doc.id, "done")
    with AnnotationService.open(first, "alice") as service:
        service.set_status(service.documents()[11].id, "skipped")
        listed = service.documents()
        assert service.document_counts() == recount(listed) == {"todo": 11, "in_progress": 0, "done": 0, "skipped": 1}
        pages = DocumentPages(service, 5, 2)
        assert [pages.at(row) for row in range(12)] == listed
        assert [pages.row_of(doc.id) for doc in listed] == list(range(12))
        assert service.next_unfinished(listed[10].id) == listed[0].id
