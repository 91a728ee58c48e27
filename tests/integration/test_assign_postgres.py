"""`annotator assign` and the annotator's queue on a team database (PostgreSQL, row-level security).

Only admins write assignments (the policies refuse the others: one error line); the names must be
members; every annotator member sees only their own documents, even with none assigned (an empty
list), and reviewers and admins see every document.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.config import DATABASE_URL_VARIABLE
from annotator.dashboard import dashboard
from annotator.errors import NotFoundError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.team_fixtures import Team

COUNT = 30


def add_documents(root: Path, first: int, count: int) -> None:
    records = [
        DocumentRecord("test", n + 1, f"Document {n}: Seoul said talks resume.", external_id=f"doc-{n:03d}")
        for n in range(first, first + count)
    ]
    with Project.open(root) as project:  # as the superuser of project.yaml: an admin
        import_records(project, records)


@pytest.fixture
def members(team: Team) -> dict[str, str]:
    """Three annotators, one annotator with nothing assigned, a reviewer, an admin; the documents."""
    for short, role in (
        ("ann1", "annotator"),
        ("ann2", "annotator"),
        ("ann3", "annotator"),
        ("idle", "annotator"),
        ("rev1", "reviewer"),
        ("adm1", "admin"),
    ):
        team.add(short, role)
    add_documents(team.root, 0, COUNT)
    return team.members


def assign(team: Team, who: str | None, *arguments: str) -> int:
    """Run `annotator assign` on the team's project, as member ``who`` (None: the superuser)."""
    import os

    saved = os.environ.pop(DATABASE_URL_VARIABLE, None)
    if who is not None:
        os.environ[DATABASE_URL_VARIABLE] = team.url(who)
    try:
        return main(["assign", str(team.root), *arguments])
    finally:
        os.environ.pop(DATABASE_URL_VARIABLE, None)
        if saved is not None:
            os.environ[DATABASE_URL_VARIABLE] = saved


def names(members: dict[str, str], *shorts: str) -> str:
    return ",".join(members[short] for short in shorts)


def service_as(team: Team, who: str, monkeypatch: pytest.MonkeyPatch) -> AnnotationService:
    monkeypatch.setenv(DATABASE_URL_VARIABLE, team.url(who))
    return AnnotationService.open(team.root)


def test_an_admin_assigns_and_each_annotator_sees_only_theirs(
    team: Team, members: dict[str, str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    trio = names(members, "ann1", "ann2", "ann3")
    assert assign(team, "adm1", "--annotators", trio, "--per-document", "2", "--seed", "4") == 0
    assert f"{COUNT} document(s), 2 annotator(s) each: assigned {2 * COUNT} new" in capsys.readouterr().out
    assert assign(team, "adm1", "--annotators", trio, "--per-document", "2", "--seed", "4") == 0
    assert f"assigned 0 new; {COUNT} document(s) had 2 already" in capsys.readouterr().out

    with service_as(team, "rev1", monkeypatch) as reviewer:  # reviewers see every document
        assert not reviewer.lists_assigned_only() and len(reviewer.documents()) == COUNT
        everyone = {doc.external_id: doc.id for doc in reviewer.documents()}
    queues: dict[str, list[str]] = {}
    for short in ("ann1", "ann2", "ann3"):
        with service_as(team, short, monkeypatch) as annotator:
            assert annotator.lists_assigned_only()
            queues[short] = [doc.external_id for doc in annotator.documents()]
            assert sum(annotator.document_counts().values()) == len(queues[short])
            assert annotator.document_page(1, 3) == annotator.documents()[1:4]
            assert annotator.document_position(everyone[queues[short][-1]]) == len(queues[short]) - 1
    assert sorted(len(queue) for queue in queues.values()) == [20, 20, 20]
    assert Counter(name for queue in queues.values() for name in queue) == dict.fromkeys(everyone, 2)

    with service_as(team, "ann1", monkeypatch) as ann1:
        theirs = next(name for name in everyone if name not in queues["ann1"])
        with pytest.raises(NotFoundError, match="is not assigned to you"):
            ann1.find_document(theirs)
        assert ann1.next_document_named(theirs, None) is None
        seen, current = set(), None
        for _step in range(len(queues["ann1"]) + 1):
            current = ann1.next_unfinished(current)
            seen.add(current)
        assert seen == {everyone[name] for name in queues["ann1"]}
        ann1.set_status(everyone[queues["ann1"][0]], "done")
    monkeypatch.delenv(DATABASE_URL_VARIABLE)
    with Project.open(team.root) as project:
        progress = dashboard(project).report["assignments"]
    assert progress[members["ann1"]] == {"assigned": 20, "todo": 19, "in_progress": 0, "done": 1, "skipped": 0}


def test_an_annotator_member_with_nothing_assigned_has_an_empty_list(
    team: Team, members: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with service_as(team, "idle", monkeypatch) as idle:  # before any assignment, too
        assert idle.lists_assigned_only() and idle.documents() == []
        assert idle.document_counts() == {"todo": 0, "in_progress": 0, "done": 0, "skipped": 0}
        assert idle.next_unfinished(None) is None
    assert assign(team, None, "--annotators", names(members, "ann1", "ann2"), "--per-document", "1") == 0
    with service_as(team, "idle", monkeypatch) as idle:
        assert idle.documents() == [] and idle.next_document_named("doc", None) is None


def test_documents_imported_later_are_assigned_and_old_ones_stay(
    team: Team, members: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    trio = names(members, "ann1", "ann2", "ann3")
    assert assign(team, "adm1", "--annotators", trio, "--per-document", "1") == 0
    with service_as(team, "ann1", monkeypatch) as ann1:
        before = [doc.external_id for doc in ann1.documents()]
    monkeypatch.delenv(DATABASE_URL_VARIABLE)
    add_documents(team.root, COUNT, 6)
    assert assign(team, "adm1", "--annotators", trio, "--per-document", "1") == 0
    with service_as(team, "ann1", monkeypatch) as ann1:
        after = [doc.external_id for doc in ann1.documents()]
    assert after[: len(before)] == before and len(after) == len(before) + 2


@pytest.mark.parametrize("who", ["rev1", "ann1"])
def test_only_admins_may_assign(
    team: Team, members: dict[str, str], who: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert assign(team, who, "--annotators", names(members, "ann1", "ann2"), "--per-document", "1") == 1
    error = capsys.readouterr().err
    lines = [line for line in error.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "only the team's admins write assignments" in error and "Traceback" not in error
    with Project.open(team.root) as project, project.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM assignments").scalar() == 0


def test_names_must_be_members(team: Team, members: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert assign(team, "adm1", "--annotators", f"{members['ann1']},stranger", "--per-document", "1") == 1
    error = capsys.readouterr().err
    assert error.startswith("error: 'stranger' not a member of this team: annotator team add NAME")
    with Project.open(team.root) as project, project.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT count(*) FROM assignments").scalar() == 0
        assert connection.exec_driver_sql("SELECT count(*) FROM annotators WHERE name = 'stranger'").scalar() == 0
