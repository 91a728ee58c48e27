"""The same core on a real PostgreSQL server: migrations, edits with undo/redo, validation,
import/export and annotator layers. Each test gets its own empty database (conftest.py).

Every test here would fail on a SQLite-only core: projects are checked to really sit on
PostgreSQL, and exports are compared byte for byte with the same work done on SQLite.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, inspect, select, text

import annotator.commands.span_batch
from annotator.db import migrate
from annotator.db.tables import Base
from annotator.errors import AnnotatorError, ValidationError
from annotator.exporters import export_jsonl
from annotator.importers import ImportFailed, import_paths
from annotator.project import Project
from annotator.service import AnnotationService
from tests.integration.conftest import REPO, DatabaseMaker, FolderMaker

pytestmark = pytest.mark.postgres

REFERENCE = REPO / "annotator" / "example" / "reference.jsonl"

# Offsets are code points: the emoji, the flag and the ZWJ family each count differently in
# UTF-16 and UTF-8, and "\r\n" must stay two characters (Qt and text-mode files fold it).
TEXT = (
    "Héllo 😀 wörld 🇰🇵\r\n"
    "Kim Jong Un said on Monday that the talks 👩\u200d👩\u200d👧 will resume.\r\n"
    "The ministry agreed.\r\n"
)
CLAIM_TEXT = "the talks 👩\u200d👩\u200d👧 will resume"


def at(needle: str) -> tuple[int, int]:
    start = TEXT.index(needle)
    assert TEXT.count(needle) == 1
    return start, start + len(needle)


def on_postgres(project: Project) -> Project:
    assert project.engine.dialect.name == "postgresql", project.config.database_url
    return project


def open_service(root: Path, annotator: str = "alice") -> AnnotationService:
    service = AnnotationService.open(root, annotator)
    on_postgres(service.project)
    return service


def import_text(project: Project, tmp_path: Path, body: str = TEXT, name: str = "article") -> None:
    path = tmp_path / f"{name}.txt"
    path.write_bytes(body.encode("utf-8"))  # bytes: no newline translation on the way in
    import_paths(project, [path])


def export_bytes(project: Project, path: Path) -> bytes:
    export_jsonl(project, path)
    return path.read_bytes()


def rows_of_every_table(project: Project) -> dict[str, list[tuple[Any, ...]]]:
    """The whole database, table by table, in primary key order."""
    with project.engine.connect() as connection:
        return {
            table.name: [tuple(row) for row in connection.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def snapshot(service: AnnotationService, document_id: int) -> tuple[Any, ...]:
    """One layer of a document as the service reads it back from the database."""
    view = service.document(document_id)
    return (
        view.text,
        view.status,
        tuple((s.id, s.start, s.end, s.label, s.text, tuple(sorted(s.attributes.items()))) for s in view.spans),
        tuple((r.id, r.label, r.head, r.tail) for r in view.relations),
    )


@pytest.fixture
def alice(pg_project: Path, tmp_path: Path) -> Iterator[tuple[AnnotationService, int]]:
    service = open_service(pg_project, "alice")
    import_text(service.project, tmp_path)
    [summary] = service.documents()
    yield service, summary.id
    service.close()


# --- migrations --------------------------------------------------------------------------


def test_opening_a_project_migrates_postgres_to_head_and_reopening_changes_nothing(pg_project: Path) -> None:
    with on_postgres(Project.open(pg_project)) as project:
        assert project.created
        tables = set(inspect(project.engine).get_table_names())
        assert tables == {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
        with project.engine.connect() as connection:
            versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        assert versions == [migrate.head_revision()]
        assert (pg_project / "annotator.db").exists() is False  # nothing went to a SQLite file
        before = rows_of_every_table(project)
        first_id = project.id

    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        with Project.open(pg_project) as again:
            assert not again.created
            assert again.id == first_id
            assert migrate.upgrade(again.engine) is False
            assert rows_of_every_table(again) == before  # same project, schema version and revision
    finally:
        event.remove(Engine, "before_cursor_execute", record)
    changes = [s for s in statements if s.lstrip().split(None, 1)[0].upper() in {"CREATE", "ALTER", "DROP", "INSERT"}]
    assert changes == []


# --- editing, undo and redo --------------------------------------------------------------


def test_edits_undo_and_redo_step_by_step_read_back_from_postgres(
    alice: tuple[AnnotationService, int], tmp_path: Path
) -> None:
    svc, doc = alice
    ids: dict[str, int] = {}
    export = tmp_path / "export.jsonl"

    def add(name: str, needle: str, label: str, attributes: dict[str, Any] | None = None) -> None:
        outcome = svc.add_span(doc, *at(needle), label, attributes)
        assert (outcome.value.start, outcome.value.end, outcome.value.text) == (*at(needle), needle)
        assert outcome.changes.spans_added == (outcome.value,)
        ids[name] = outcome.value.id

    steps: list[tuple[str, Callable[[], object]]] = [
        ("add ACTOR", lambda: add("actor", "Kim Jong Un", "ACTOR")),
        ("add CLAIM", lambda: add("claim", CLAIM_TEXT, "CLAIM")),
        ("add DATE", lambda: add("date", "Monday", "DATE", {"value": "2014-11-17"})),
        ("add ACTOR", lambda: add("ministry", "ministry", "ACTOR", {"kind": "organisation"})),
        ("relabel", lambda: svc.relabel_span(ids["ministry"], "CLAIM")),
        ("set attribute", lambda: svc.set_attribute(ids["actor"], "kind", "person")),
        ("SAID_BY", lambda: svc.add_relation("SAID_BY", ids["claim"], ids["actor"])),
        ("WHEN", lambda: svc.add_relation("WHEN", ids["claim"], ids["date"])),
        ("remove span", lambda: svc.remove_span(ids["claim"])),
        ("status", lambda: svc.set_status(doc, "done")),
    ]

    # The text is stored exactly and the test text really separates code points from UTF-16 units.
    first = snapshot(svc, doc)
    assert first[0] == TEXT
    kim = at("Kim Jong Un")[0]
    assert kim != len(TEXT[:kim].encode("utf-16-le")) // 2
    assert svc.documents()[0].length == len(TEXT)

    states = [(first, export_bytes(svc.project, export))]
    for _name, step in steps:
        step()
        states.append((snapshot(svc, doc), export_bytes(svc.project, export)))

    # What each step left in the database, read back through the service.
    spans_after = [{s[0]: s[1:] for s in state[2]} for state, _ in states]
    assert spans_after[1][ids["actor"]] == (*at("Kim Jong Un"), "ACTOR", "Kim Jong Un", ())
    assert spans_after[2][ids["claim"]] == (*at(CLAIM_TEXT), "CLAIM", CLAIM_TEXT, ())
    assert spans_after[3][ids["date"]][2:] == ("DATE", "Monday", (("value", "2014-11-17"),))
    assert spans_after[4][ids["ministry"]][2:] == ("ACTOR", "ministry", (("kind", "organisation"),))
    assert spans_after[5][ids["ministry"]][2:] == ("CLAIM", "ministry", ())  # CLAIM has no 'kind'
    assert spans_after[6][ids["actor"]][2:] == ("ACTOR", "Kim Jong Un", (("kind", "person"),))
    assert [r[1:] for r in states[8][0][3]] == [
        ("SAID_BY", ids["claim"], ids["actor"]),
        ("WHEN", ids["claim"], ids["date"]),
    ]
    assert ids["claim"] not in spans_after[9] and states[9][0][3] == ()  # its relations went with it
    assert states[10][0][1] == "done" and svc.documents()[0].status == "done"
    assert len({data for _, data in states}) == len(states)  # every step changed the export

    # Undo, one step at a time: each brings back exactly the state before that step.
    for index in range(len(steps), 0, -1):
        svc.undo()
        assert (snapshot(svc, doc), export_bytes(svc.project, export)) == states[index - 1], steps[index - 1][0]
    assert not svc.can_undo

    # Redo, one step at a time, under the same ids.
    for index in range(1, len(steps) + 1):
        svc.redo()
        assert (snapshot(svc, doc), export_bytes(svc.project, export)) == states[index], steps[index - 1][0]
    assert not svc.can_redo

    # Another connection sees the same thing: every edit was committed when the call returned.
    with open_service(svc.project.config.root, "alice") as other:
        assert snapshot(other, doc) == states[-1][0]

    # Apply everything, then undo everything: the export is byte-identical to the start.
    while svc.can_undo:
        svc.undo()
    assert export_bytes(svc.project, export) == states[0][1]


# --- validation --------------------------------------------------------------------------

BadEdit = Callable[[AnnotationService, int, dict[str, int]], object]
LENGTH = len(TEXT)
BAD_EDITS: dict[str, BadEdit] = {
    "unknown label": lambda s, d, ids: s.add_span(d, *at("Monday"), "PERSON"),
    "negative start": lambda s, d, ids: s.add_span(d, -1, 4, "ACTOR"),
    "end past the text": lambda s, d, ids: s.add_span(d, LENGTH - 3, LENGTH + 1, "ACTOR"),
    "empty span": lambda s, d, ids: s.add_span(d, 5, 5, "ACTOR"),
    "reversed span": lambda s, d, ids: s.add_span(d, 9, 3, "ACTOR"),
    "crossing span": lambda s, d, ids: s.add_span(d, at("will resume")[0], at("resume.\r\nThe")[1], "CLAIM"),
    "duplicate span": lambda s, d, ids: s.add_span(d, *at("Kim Jong Un"), "ACTOR"),
    "unknown attribute": lambda s, d, ids: s.add_span(d, *at("ministry"), "ACTOR", {"colour": "red"}),
    "bad choice": lambda s, d, ids: s.set_attribute(ids["actor"], "kind", "alien"),
    "relation backwards": lambda s, d, ids: s.add_relation("SAID_BY", ids["actor"], ids["claim"]),
    "unknown relation": lambda s, d, ids: s.add_relation("CAUSES", ids["claim"], ids["actor"]),
    "relabel to unknown": lambda s, d, ids: s.relabel_span(ids["actor"], "PERSON"),
}


@pytest.mark.parametrize("edit", BAD_EDITS.values(), ids=BAD_EDITS.keys())
def test_an_invalid_edit_raises_and_leaves_the_database_unchanged(
    alice: tuple[AnnotationService, int], edit: BadEdit
) -> None:
    svc, doc = alice
    assert svc.schema.overlap == "nested"  # news.yaml: spans may nest but never cross
    ids = {
        "claim": svc.add_span(doc, *at(CLAIM_TEXT), "CLAIM").value.id,
        "actor": svc.add_span(doc, *at("Kim Jong Un"), "ACTOR", {"kind": "person"}).value.id,
    }
    before = rows_of_every_table(svc.project)
    history = (svc.undo_description, svc.redo_description)
    with pytest.raises(ValidationError):
        edit(svc, doc, ids)
    assert rows_of_every_table(svc.project) == before  # not even an event row
    assert (svc.undo_description, svc.redo_description) == history


# --- import and export -------------------------------------------------------------------


def test_reference_import_exports_the_same_annotations_and_the_same_bytes_as_sqlite(
    pg_project: Path, sqlite_project: Path, tmp_path: Path
) -> None:
    exports: dict[str, bytes] = {}
    for name, root in (("postgresql", pg_project), ("sqlite", sqlite_project)):
        with Project.open(root) as project:
            assert project.engine.dialect.name == name
            report = import_paths(project, [REFERENCE])
            assert (report.documents_added, report.layers_added) == (1, 1)
            exports[name] = export_bytes(project, tmp_path / f"{name}.jsonl")
            schema = project.schema

    [source] = [json.loads(line) for line in REFERENCE.read_text(encoding="utf-8").splitlines()]
    [exported] = [json.loads(line) for line in exports["postgresql"].decode("utf-8").splitlines()]
    assert len(source["spans"]) > 50 and source["relations"]
    for key in ("id", "text", "meta", "spans", "relations", "annotator", "status"):
        assert exported[key] == source[key], key
    assert exported["schema"] == {"name": schema.name, "version": schema.version, "sha256": schema.sha256}
    assert exports["postgresql"] == exports["sqlite"]


def test_a_jsonl_with_a_bad_second_line_imports_nothing(pg_project: Path, tmp_path: Path) -> None:
    good = REFERENCE.read_text(encoding="utf-8").splitlines()[0]
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good + "\n" + '{"id": "two", "text": "unfinished\n', encoding="utf-8")
    with on_postgres(Project.open(pg_project)) as project:
        before = rows_of_every_table(project)
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [bad])
        assert [(p.source, p.line) for p in failure.value.problems] == [(str(bad), 2)]
        assert rows_of_every_table(project) == before
    with open_service(pg_project) as service:
        assert service.documents() == []


UNSTORABLE = {
    # SQLite stores both; PostgreSQL refuses them (text cannot hold NUL; external_id is VARCHAR(255)).
    "NUL in the text": {"id": "nul", "text": "before\u0000after"},
    "id over 255 characters": {"id": "x" * 300, "text": "A long id."},
}


@pytest.mark.parametrize("record", UNSTORABLE.values(), ids=UNSTORABLE.keys())
def test_a_record_postgres_cannot_store_is_reported_with_its_line(
    pg_project: Path, tmp_path: Path, record: dict[str, str]
) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"id": "fine", "text": "A fine text."}) + "\n" + json.dumps(record) + "\n")
    with on_postgres(Project.open(pg_project)) as project:
        before = rows_of_every_table(project)
        with pytest.raises(ImportFailed) as failure:
            import_paths(project, [path])
        assert [p.line for p in failure.value.problems] == [2]
        assert rows_of_every_table(project) == before


COLLATION_SCHEMA = """\
name: collation
version: 1
overlap: allow
labels:
  - name: Zeta
    color: "#112233"
    hotkey: z
  - name: alpha
    color: "#445566"
    hotkey: x
"""


def test_export_order_does_not_depend_on_the_postgres_collation(
    fresh_database: DatabaseMaker, project_folder: FolderMaker, tmp_path: Path
) -> None:
    try:  # a database with the collation most PostgreSQL installations default to
        database = fresh_database("LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'")
    except Exception as error:  # PostgreSQL < 15 or built without ICU
        pytest.skip(f"cannot make an ICU en-US database: {error}")
    exports = []
    for root in (
        project_folder("sqlite-project", "annotator.db", COLLATION_SCHEMA),
        project_folder("pg-project", database, COLLATION_SCHEMA),
    ):
        with AnnotationService.open(root, "alice") as svc:
            import_text(svc.project, tmp_path, "Kim met Putin.", name="doc")
            [summary] = svc.documents()
            svc.add_span(summary.id, 0, 3, "alpha")
            svc.add_span(summary.id, 0, 3, "Zeta")
            exports.append(export_bytes(svc.project, tmp_path / f"{root.name}.jsonl"))
    assert exports[1] == exports[0]


# --- annotators and layers ---------------------------------------------------------------


def test_two_annotators_edit_only_their_own_layers(pg_project: Path, tmp_path: Path) -> None:
    with open_service(pg_project, "alice") as alice, open_service(pg_project, "bob") as bob:
        import_text(alice.project, tmp_path)
        [summary] = alice.documents()
        doc = summary.id
        alice_actor = alice.add_span(doc, *at("Kim Jong Un"), "ACTOR", {"kind": "person"}).value
        alice_claim = alice.add_span(doc, *at(CLAIM_TEXT), "CLAIM").value
        alice.add_relation("SAID_BY", alice_claim.id, alice_actor.id)
        bob_actor = bob.add_span(doc, *at("Kim Jong Un"), "ACTOR", {"kind": "state"}).value  # same offsets
        bob.set_status(doc, "in_progress")
        alice_layer = snapshot(alice, doc)

        assert [s.id for s in alice.document(doc).spans] == [alice_actor.id, alice_claim.id]
        assert [s.id for s in bob.document(doc).spans] == [bob_actor.id]
        assert snapshot(bob, doc) != alice_layer
        assert bob.document(doc, layer="alice").spans == alice.document(doc).spans  # bob may read hers
        assert (alice.documents()[0].status, bob.documents()[0].status) == ("todo", "in_progress")
        export = [json.loads(line) for line in export_bytes(alice.project, tmp_path / "both.jsonl").splitlines()]
        assert [(line["annotator"], line["status"], [s["attributes"] for s in line["spans"]]) for line in export] == [
            ("alice", "todo", [{"kind": "person"}, {}]),
            ("bob", "in_progress", [{"kind": "state"}]),
        ]

        before = rows_of_every_table(bob.project)
        for attempt in (
            lambda: bob.remove_span(alice_actor.id),
            lambda: bob.relabel_span(alice_claim.id, "DATE"),
            lambda: bob.set_attribute(alice_actor.id, "kind", "organisation"),
            lambda: bob.add_relation("SAID_BY", alice_claim.id, bob_actor.id),
            lambda: bob.remove_relation(alice.document(doc).relations[0].id),
        ):
            with pytest.raises(ValidationError):
                attempt()
        assert rows_of_every_table(bob.project) == before
        assert snapshot(alice, doc) == alice_layer

        # Undo is per service: bob's undo takes back bob's edits, never alice's.
        bob.undo()
        bob.undo()
        assert bob.document(doc).spans == () and not bob.can_undo
        assert snapshot(alice, doc) == alice_layer


def test_concurrent_edits_of_one_layer_cannot_make_crossing_spans(
    pg_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The same annotator in two windows: window A checks overlaps while window B adds a
    # span that crosses A's. Exactly one of the two may succeed.
    window_a, window_b = open_service(pg_project, "alice"), open_service(pg_project, "alice")
    import_text(window_a.project, tmp_path)
    [summary] = window_a.documents()
    doc = summary.id
    outcomes: dict[str, object] = {}
    check_overlaps = annotator.commands.span_batch.check_overlaps

    def add(name: str, window: AnnotationService, needle: str) -> None:
        try:
            outcomes[name] = window.add_span(doc, *at(needle), "CLAIM").value
        except AnnotatorError as error:
            outcomes[name] = error

    def interleaved(*args: Any) -> None:
        if not outcomes and threading.current_thread() is threading.main_thread():
            outcomes["started"] = True
            other = threading.Thread(target=add, args=("b", window_b, "that the talks"), daemon=True)
            other.start()
            other.join(timeout=3)  # a correct core makes B wait for A here
            outcomes["b-thread"] = other
        check_overlaps(*args)

    monkeypatch.setattr(annotator.commands.span_batch, "check_overlaps", interleaved)
    try:
        add("a", window_a, "on Monday that")
        outcomes["b-thread"].join(timeout=30)  # type: ignore[attr-defined]
        spans = window_a.document(doc).spans
        succeeded = [name for name in ("a", "b") if not isinstance(outcomes[name], AnnotatorError)]
        assert len(succeeded) == 1 and len(spans) == 1, spans
    finally:
        window_a.close()
        window_b.close()
