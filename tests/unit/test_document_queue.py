"""An annotator's queue (annotator/document_queue.py, queue_filter.py) on SQLite: with assignments, a layer
that has some lists only those; a layer without any lists every document."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from annotator.cli import main
from annotator.dashboard import dashboard
from annotator.document_pages import DocumentPages
from annotator.errors import NotFoundError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.team.assign import assign_documents, parse_document_query
from tests.conftest import ProjectMaker

COUNT = 60


def add_documents(root: Path, first: int, count: int) -> None:
    records = [
        DocumentRecord("test", n + 1, f"Document {n}.", external_id=f"doc-{n:03d}") for n in range(first, first + count)
    ]
    with Project.open(root) as project:
        import_records(project, records)


@pytest.fixture
def root(make_project: ProjectMaker) -> Path:
    made = make_project()
    add_documents(made, 0, COUNT)
    with Project.open(made) as project:
        assign_documents(project, ["alice", "bob", "carol"], 1, seed=1)
    return made


@pytest.fixture
def alice(root: Path) -> Iterator[AnnotationService]:
    with AnnotationService.open(root, "alice") as service:
        yield service


def assigned_names(root: Path, name: str) -> list[str]:
    with Project.open(root) as project, project.engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT d.external_id FROM assignments a JOIN documents d ON d.id = a.document_id "
                    "JOIN annotators n ON n.id = a.annotator_id WHERE n.name = :name ORDER BY d.id"
                ),
                {"name": name},
            )
        )


def test_an_annotator_with_assignments_lists_only_theirs(root: Path, alice: AnnotationService) -> None:
    mine = assigned_names(root, "alice")
    assert len(mine) == COUNT // 3
    assert alice.lists_assigned_only()
    assert [doc.external_id for doc in alice.documents()] == mine
    counts = alice.document_counts()
    assert sum(counts.values()) == len(mine) and counts["todo"] == len(mine)
    pages = DocumentPages(alice, 7, 2)  # pages by position and by seeking on, as the window reads them
    assert [pages.at(row).external_id for row in range(pages.count)] == mine  # type: ignore[union-attr]
    assert [pages.at(row).external_id for row in (15, 3, 19)] == [mine[15], mine[3], mine[19]]  # type: ignore[union-attr]
    for position, name in enumerate(mine):
        assert alice.document_position(alice.find_document(name)) == position


def test_a_layer_without_assignments_lists_every_document(root: Path) -> None:
    with AnnotationService.open(root, "lead") as lead:
        assert not lead.lists_assigned_only()
        assert len(lead.documents()) == COUNT
        assert sum(lead.document_counts().values()) == COUNT
        assert lead.document_position(lead.find_document("doc-059")) == COUNT - 1


def test_a_document_not_assigned_is_not_found(root: Path, alice: AnnotationService) -> None:
    others = assigned_names(root, "bob")
    with pytest.raises(NotFoundError, match=r"'doc-\d+' is not assigned to you"):
        alice.find_document(others[0])
    with pytest.raises(NotFoundError, match="no document with id 'nope'"):
        alice.find_document("nope")
    with AnnotationService.open(root, "lead") as lead:
        assert alice.document_position(lead.find_document(others[0])) is None


def test_counts_and_next_unfinished_stay_in_the_queue(root: Path, alice: AnnotationService) -> None:
    mine = [alice.find_document(name) for name in assigned_names(root, "alice")]
    alice.set_status(mine[0], "done")
    alice.set_status(mine[2], "skipped")
    alice.set_status(mine[3], "in_progress")
    counts = alice.document_counts()
    assert counts == {"todo": len(mine) - 3, "in_progress": 1, "done": 1, "skipped": 1}
    seen, current = [], None
    for _step in range(len(mine) + 2):
        current = alice.next_unfinished(current)
        assert current in mine
        seen.append(current)
    assert set(seen) == set(mine) - {mine[0], mine[2]}
    assert alice.next_unfinished(mine[-1]) == mine[1]  # wraps round within the queue


def test_type_ahead_finds_only_assigned_documents(root: Path, alice: AnnotationService) -> None:
    mine = assigned_names(root, "alice")
    bobs = assigned_names(root, "bob")
    first = alice.find_document(mine[0])
    assert alice.next_document_named(bobs[0], first) is None  # the walk and the index ranges alike
    assert alice.next_document_named(bobs[0], None) is None
    assert alice.next_document_named(mine[5], first) == alice.find_document(mine[5])
    assert alice.next_document_named(mine[5].upper(), None) == alice.find_document(mine[5])
    found = alice.next_document_named("doc-", alice.find_document(mine[-1]))  # wraps round to the first of the queue
    assert found in (alice.find_document(mine[-1]), first)


def test_documents_added_later_join_the_queue_only_once_assigned(root: Path) -> None:
    add_documents(root, COUNT, 9)
    with AnnotationService.open(root, "alice") as alice:
        before = [doc.external_id for doc in alice.documents()]
        assert before == assigned_names(root, "alice")
        with Project.open(root) as project:
            report = assign_documents(project, ["alice", "bob", "carol"], 1, seed=1)
        assert report.added_total == 9 and report.added["alice"] == 3
        assert alice.document_counts()["todo"] == len(before) + 3  # a reload (the counts) sees them
        after = [doc.external_id for doc in alice.documents()]
        assert after[: len(before)] == before and len(after) == len(before) + 3


def test_review_mode_keeps_the_user_s_queue(root: Path, alice: AnnotationService) -> None:
    alice.edit_layer("gold")
    assert [doc.external_id for doc in alice.documents()] == assigned_names(root, "alice")
    assert sum(alice.document_counts().values()) == COUNT // 3


def test_the_queue_of_one_project_leaves_out_another_s_assignments(make_project: ProjectMaker, tmp_path: Path) -> None:
    first, second = make_project(name="first"), make_project(name="second")
    shared = tmp_path / "shared.db"
    for folder in (first, second):
        config = folder / "project.yaml"
        config.write_text(config.read_text().replace("annotator.db", str(shared)), encoding="utf-8")
    add_documents(first, 0, 10)
    add_documents(second, 100, 10)
    with Project.open(second) as project:
        assign_documents(project, ["alice"], 1)
    with AnnotationService.open(first, "alice") as alice:
        assert not alice.lists_assigned_only() and len(alice.documents()) == 10
    with AnnotationService.open(second, "alice") as alice:
        assert alice.lists_assigned_only() and sum(alice.document_counts().values()) == 10
    with Project.open(first) as project:
        assign_documents(project, ["alice", "bob"], 1, parse_document_query(["id:doc-00[0-5]"]))
    with AnnotationService.open(first, "alice") as alice:  # 3 of the first project's 10, none of the second's
        listed = [doc.external_id for doc in alice.documents()]
        assert len(listed) == 3 and sum(alice.document_counts().values()) == 3
        assert [doc.external_id for doc in alice.document_page(1, 5)] == listed[1:]
        assert alice.document_position(alice.find_document(listed[-1])) == 2


def test_stats_show_each_annotator_s_progress_through_their_queue(
    root: Path, alice: AnnotationService, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = [alice.find_document(name) for name in assigned_names(root, "alice")]
    for document_id, status in zip(mine, ("done", "done", "skipped", "in_progress"), strict=False):
        alice.set_status(document_id, status)
    with Project.open(root) as project:
        figures = dashboard(project).report["assignments"]
    assert figures["alice"] == {"assigned": 20, "todo": 16, "in_progress": 1, "done": 2, "skipped": 1}
    assert figures["bob"] == {"assigned": 20, "todo": 20, "in_progress": 0, "done": 0, "skipped": 0}
    assert main(["stats", str(root)]) == 0
    printed = capsys.readouterr().out
    rows = [line.split("│")[1:-1] for line in printed.split("Assigned per annotator")[1].splitlines() if "│" in line]
    assert [[cell.strip() for cell in row] for row in rows] == [
        ["alice", "20", "2", "1", "1", "16"],
        ["bob", "20", "0", "0", "0", "20"],
        ["carol", "20", "0", "0", "0", "20"],
    ]


def test_stats_of_a_project_without_assignments_stay_as_they_were(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = make_project()
    add_documents(plain, 0, 3)
    with Project.open(plain) as project:
        assert "assignments" not in dashboard(project).report
    assert main(["stats", str(plain)]) == 0
    assert "Assigned" not in capsys.readouterr().out
