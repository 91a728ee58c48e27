"""`annotator assign` (annotator/team/assign.py, cli_assign.py) on SQLite: the plan, its writing, its errors."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import event, select

from annotator.cli import main
from annotator.db import core_tables
from annotator.errors import AnnotatorError, NotFoundError, ValidationError
from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.team.assign import assign_documents, parse_document_query, plan_assignments
from tests.conftest import ProjectMaker

NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


def documents(first: int, count: int) -> list[tuple[int, str]]:
    return [(number, f"doc-{number:05d}") for number in range(first, first + count)]


def by_document(pairs: Iterable[tuple[int, str]]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for document_id, name in pairs:
        found[document_id].append(name)
    return found


@settings(max_examples=150, deadline=None)
@given(
    count=st.integers(0, 120),
    more=st.integers(0, 60),
    annotators=st.integers(1, len(NAMES)),
    data=st.data(),
    seed=st.integers(0, 2**31),
)
def test_each_document_gets_k_distinct_annotators_balanced_stable_and_growing(
    count: int, more: int, annotators: int, data: st.DataObject, seed: int
) -> None:
    names = NAMES[:annotators]
    k = data.draw(st.integers(1, annotators), label="k")
    first = plan_assignments(documents(1, count), names, k, seed)
    held = by_document(first)
    assert sorted(held) == list(range(1, count + 1))
    assert all(len(who) == k and len(set(who)) == k for who in held.values())
    loads = Counter(name for _doc, name in first)
    if count:
        assert max(loads[name] for name in names) - min(loads[name] for name in names) <= 1
    # Again, with what it made: nothing to add.
    assert plan_assignments(documents(1, count), names, k, seed, first) == []
    # Documents imported later: only they are assigned, the earlier ones keep theirs.
    grown = documents(1, count + more)
    added = plan_assignments(grown, names, k, seed, first)
    assert {doc for doc, _name in added} == set(range(count + 1, count + more + 1))
    after = by_document([*first, *added])
    assert all(len(set(who)) == k for who in after.values())
    loads = Counter(name for _doc, name in [*first, *added])
    if count + more:
        assert max(loads[name] for name in names) - min(loads[name] for name in names) <= 1


def test_pairs_of_annotators_share_documents_evenly() -> None:
    pairs = Counter(
        frozenset(pair)
        for who in by_document(plan_assignments(documents(1, 600), NAMES[:4], 2)).values()
        for pair in combinations(who, 2)
    )
    assert len(pairs) == 6 and max(pairs.values()) - min(pairs.values()) <= 1


def test_the_seed_breaks_ties_deterministically() -> None:
    docs = documents(1, 30)
    assert plan_assignments(docs, NAMES[:5], 2, seed=7) == plan_assignments(docs, NAMES[:5], 2, seed=7)
    assert plan_assignments(docs, NAMES[:5], 2, seed=7) != plan_assignments(docs, NAMES[:5], 2, seed=8)
    # Not always the first names of the list: the first document's pair depends on the hash.
    firsts = {tuple(sorted(plan_assignments(docs[:1], NAMES[:5], 2, seed=s)[i][1] for i in (0, 1))) for s in range(20)}
    assert len(firsts) > 1


def test_a_document_short_of_k_gets_only_what_it_lacks() -> None:
    existing = [(1, "alice"), (2, "bob"), (2, "carol")]
    added = plan_assignments(documents(1, 2), ["alice", "bob", "carol"], 2, existing=existing)
    assert [doc for doc, _ in added] == [1]
    assert added[0][1] != "alice"


@pytest.mark.parametrize(
    ("names", "k", "wanted"),
    [
        (["alice", "bob"], 3, "more than the 2 annotator(s)"),
        (["alice", "alice"], 1, "'alice' twice"),
        ([], 1, "names nobody"),
        (["alice"], 0, "at least 1"),
    ],
)
def test_impossible_plans_are_refused(names: list[str], k: int, wanted: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(wanted)):
        plan_assignments(documents(1, 3), names, k)


# --- in a project's database ---


def project_with(make_project: ProjectMaker, count: int, first: int = 0) -> Path:
    root = make_project()
    add_documents(root, count, first)
    return root


def add_documents(root: Path, count: int, first: int = 0) -> None:
    records = [
        DocumentRecord("test", n + 1, f"Document {n}.", external_id=f"doc-{n:04d}", meta={"batch": n % 3, "k": "x"})
        for n in range(first, first + count)
    ]
    with Project.open(root) as project:
        import_records(project, records)


def stored(root: Path) -> list[tuple[str, str]]:
    a, d, n = core_tables.assignments.c, core_tables.documents.c, core_tables.annotators.c
    with Project.open(root) as project, project.engine.connect() as connection:
        return sorted(
            connection.execute(
                select(d.external_id, n.name)
                .select_from(core_tables.assignments)
                .join(core_tables.documents, d.id == a.document_id)
                .join(core_tables.annotators, n.id == a.annotator_id)
            ).all()
        )


def test_assigning_writes_one_batch_and_a_second_run_changes_nothing(make_project: ProjectMaker) -> None:
    root = project_with(make_project, 40)
    with Project.open(root) as project:
        inserts: list[tuple[str, bool]] = []
        event.listen(
            project.engine,
            "before_cursor_execute",
            lambda _c, _cur, sql, _p, _ctx, many: inserts.append((sql, many)) if sql.startswith("INSERT") else None,
        )
        report = assign_documents(project, ["alice", "bob", "carol"], 2)
    assert report.documents == 40 and report.already_full == 0 and report.added_total == 80
    assert sorted(report.shared) == [("alice", "bob"), ("alice", "carol"), ("bob", "carol")]
    assert sum(report.shared.values()) == 40 and max(report.shared.values()) - min(report.shared.values()) <= 1
    # the new layers, then every assignment in one executemany
    assert [many for sql, many in inserts if "INTO assignments" in sql] == [True]
    first = stored(root)
    assert len(first) == 80
    loads = Counter(name for _doc, name in first)
    assert sorted(loads) == ["alice", "bob", "carol"] and max(loads.values()) - min(loads.values()) <= 1
    with Project.open(root) as project:
        again = assign_documents(project, ["alice", "bob", "carol"], 2)
    assert again.added_total == 0 and again.already_full == 40
    assert stored(root) == first
    add_documents(root, 10, first=40)
    with Project.open(root) as project:
        grown = assign_documents(project, ["alice", "bob", "carol"], 2)
    assert grown.added_total == 20 and grown.documents == 50
    after = stored(root)
    assert set(first) <= set(after) and len(after) == 100
    assert {doc for doc, _ in set(after) - set(first)} == {f"doc-{n:04d}" for n in range(40, 50)}


def test_a_dry_run_reports_the_same_and_writes_nothing(make_project: ProjectMaker) -> None:
    root = project_with(make_project, 12)
    with Project.open(root) as project:
        dry = assign_documents(project, ["alice", "bob"], 1, seed=3, dry_run=True)
    assert stored(root) == []
    with Project.open(root) as project:
        assert project.annotator_id(project.read(), "alice", create=False) is None  # no layer made either
        real = assign_documents(project, ["alice", "bob"], 1, seed=3)
    assert (dry.added, dry.totals, dry.documents) == (real.added, real.totals, real.documents)


def test_queries_select_documents(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = project_with(make_project, 30)
    listed = tmp_path / "ids.txt"
    listed.write_text("doc-0001\ndoc-0002\n\ndoc-0013\n", encoding="utf-8")
    with Project.open(root) as project:
        assign_documents(project, ["alice"], 1, parse_document_query(["id:doc-000*"]))
        assign_documents(project, ["bob"], 1, parse_document_query(["meta.batch=1", "id:doc-001?"]))
        assign_documents(project, ["carol"], 1, parse_document_query([f"file:{listed}"]))
    names = defaultdict(set)
    for doc, name in stored(root):
        names[name].add(doc)
    assert names["alice"] == {f"doc-{n:04d}" for n in range(10)}
    assert names["bob"] == {"doc-0010", "doc-0013", "doc-0016", "doc-0019"}
    assert names["carol"] == {"doc-0001", "doc-0002", "doc-0013"}


@pytest.mark.parametrize(
    ("terms", "error", "wanted"),
    [
        (["status:done"], ValidationError, "is not a query: write id:GLOB"),
        (["meta.=1"], ValidationError, "meta key is empty"),
        (["file:/nonexistent/ids.txt"], ValidationError, "cannot read it"),
        (["id:nothing-*"], NotFoundError, "selects no document"),
    ],
)
def test_bad_queries_are_refused(make_project: ProjectMaker, terms: list[str], error: type, wanted: str) -> None:
    root = project_with(make_project, 5)
    with pytest.raises(error, match=re.escape(wanted)), Project.open(root) as project:
        assign_documents(project, ["alice"], 1, parse_document_query(terms))
    assert stored(root) == []


def test_a_file_naming_unknown_ids_is_refused(make_project: ProjectMaker, tmp_path: Path) -> None:
    root = project_with(make_project, 5)
    listed = tmp_path / "ids.txt"
    listed.write_text("doc-0001\nnope-1\nnope-2\n", encoding="utf-8")
    wanted = "2 id(s) the project does not have: 'nope-1', 'nope-2'"
    with pytest.raises(NotFoundError, match=re.escape(wanted)), Project.open(root) as project:
        assign_documents(project, ["alice"], 1, parse_document_query([f"file:{listed}"]))


def test_the_command_prints_a_summary_per_annotator(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_with(make_project, 9)
    assert main(["assign", str(root), "--annotators", "alice,bob,carol", "--per-document", "2", "--dry-run"]) == 0
    dry = capsys.readouterr().out
    assert "dry run (nothing written): 9 document(s), 2 annotator(s) each: would assign 18 new" in dry
    assert stored(root) == []
    assert main(["assign", str(root), "--annotators", "alice,bob,carol", "--per-document", "2"]) == 0
    printed = capsys.readouterr().out
    assert "9 document(s), 2 annotator(s) each: assigned 18 new; 0 document(s) had 2 already" in printed
    rows = {line.split()[1]: line.split()[3:6:2] for line in printed.splitlines() if line.startswith("│ ")}
    assert rows == {"alice": ["6", "6"], "bob": ["6", "6"], "carol": ["6", "6"]}
    assert (
        "documents each pair shares (agreement is measured on these): alice+bob 3, alice+carol 3, bob+carol 3"
        in printed
    )
    assert main(["assign", str(root), "--annotators", "alice,bob,carol", "--per-document", "2"]) == 0
    assert "assigned 0 new; 9 document(s) had 2 already" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("arguments", "wanted"),
    [
        (["--annotators", "alice,bob", "--per-document", "3"], "error: --per-document 3 is more than the 2"),
        (["--annotators", "alice", "--per-document", "1", "--documents", "nonsense"], "error: --documents 'nonsense'"),
        (["--annotators", "a/b", "--per-document", "1"], "error: annotator name 'a/b' is not usable"),
        (["--annotators", "alice", "--per-document", "x"], "error:"),
    ],
)
def test_bad_input_is_one_error_line(
    make_project: ProjectMaker, capsys: pytest.CaptureFixture[str], arguments: list[str], wanted: str
) -> None:
    root = project_with(make_project, 3)
    assert main(["assign", str(root), *arguments]) == 1
    captured = capsys.readouterr()
    lines = [line for line in captured.err.splitlines() if line.strip()]
    assert lines[-1].startswith("error:") and wanted in captured.err, captured.err
    assert "Traceback" not in captured.err
    assert stored(root) == []


def test_assign_refuses_on_a_plain_error_class(make_project: ProjectMaker) -> None:
    root = project_with(make_project, 3)
    with pytest.raises(AnnotatorError), Project.open(root) as project:
        assign_documents(project, ["alice", "bob"], 5)
    assert json.dumps(stored(root)) == "[]"
