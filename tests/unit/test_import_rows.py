"""How the import writes its rows on SQLite: a few executemany statements per batch of 2,000
documents, never one statement per row, with ids SQLite itself would have given."""

from __future__ import annotations

from array import array
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import event, func, select, update

from annotator.db.tables import AnnotatorRow, DocumentRow, EventRow, RelationRow, SpanAttributeRow, SpanRow
from annotator.importers import ImportFailed, document_index, import_paths, loader
from annotator.importers.document_index import KeyFilter
from annotator.importers.import_log import added_documents, added_layers, undo_import
from annotator.importers.loader import BATCH_DOCUMENTS
from annotator.project import Project
from tests.conftest import ProjectMaker


def corpus(path: Path, count: int, prefix: str = "d") -> Path:
    lines = []
    for n in range(count):
        text = f"Kim Jong Un said {prefix}{n} on 14 November 2014."
        lines.append(
            orjson.dumps(
                {
                    "id": f"{prefix}{n}",
                    "text": text,
                    "meta": {"n": n, "city": "Pjöngjang"},
                    "spans": [
                        {"id": "s1", "start": 0, "end": 11, "label": "ACTOR", "attributes": {"kind": "person"}},
                        {"id": "s2", "start": 0, "end": len(text) - 1, "label": "CLAIM"},
                    ],
                    "relations": [{"id": "r1", "label": "SAID_BY", "head": "s2", "tail": "s1"}],
                    "annotator": "alice",
                    "status": "done",
                }
            )
        )
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_rows_go_in_a_few_executemany_statements_per_batch(make_project: ProjectMaker, tmp_path: Path) -> None:
    count = BATCH_DOCUMENTS * 2 + 10  # three batches
    source = corpus(tmp_path / "c.jsonl", count)
    statements: list[tuple[str, bool]] = []
    with Project.open(make_project()) as project:

        def seen(conn: Any, cursor: Any, sql: str, params: Any, context: Any, executemany: bool) -> None:
            statements.append((sql, executemany))

        event.listen(project.engine, "before_cursor_execute", seen)
        report = import_paths(project, [source])
        event.remove(project.engine, "before_cursor_execute", seen)
        with project.engine.connect() as connection:
            stored = connection.execute(select(DocumentRow.meta, DocumentRow.text_length).limit(1)).one()
            values = connection.execute(select(SpanAttributeRow.value)).scalars().all()
    assert report.documents_added == count and report.spans_added == 2 * count
    inserts = [(sql, many) for sql, many in statements if sql.startswith("INSERT INTO")]
    # per batch: documents, spans, attributes, relations, statuses; plus the annotator and the event
    assert len(inserts) <= 3 * 5 + 2
    assert all("RETURNING" not in sql for sql, _ in inserts)
    assert sum(many for _, many in inserts) == 3 * 5
    assert stored.meta == {"n": 0, "city": "Pjöngjang"} and stored.text_length == len(
        "Kim Jong Un said d0 on 14 November 2014."
    )
    assert set(values) == {"person"}


def test_span_ids_are_never_reused_after_an_undone_import(make_project: ProjectMaker, tmp_path: Path) -> None:
    with Project.open(make_project()) as project:
        first = import_paths(project, [corpus(tmp_path / "a.jsonl", 5, "a")])
        with project.engine.connect() as connection:
            largest = connection.scalar(select(SpanRow.id).order_by(SpanRow.id.desc()).limit(1))
        assert first.event_id is not None
        undo_import(project, first.event_id)
        import_paths(project, [corpus(tmp_path / "b.jsonl", 5, "b")])
        with project.engine.connect() as connection:
            spans = connection.execute(select(SpanRow.id, SpanRow.start, SpanRow.end)).all()
            relations = connection.execute(select(RelationRow.head_span_id, RelationRow.tail_span_id)).all()
    assert len(spans) == 10 and min(span_id for span_id, _, _ in spans) > largest
    by_id = {span_id: (start, end) for span_id, start, end in spans}
    # each relation points at its own document's spans: CLAIM (head) and ACTOR (tail)
    assert all(by_id[head][0] == 0 and by_id[tail] == (0, 11) and head == tail + 1 for head, tail in relations)


def test_the_loader_keeps_ids_not_documents_once_a_batch_is_written(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    count = BATCH_DOCUMENTS * 2 + 10
    kept: list[Any] = []
    original = loader._Loader.log_event

    def capture(self: Any, sources: Any) -> None:
        kept.append(self)
        original(self, sources)

    monkeypatch.setattr(loader._Loader, "log_event", capture)
    with Project.open(make_project()) as project:
        import_paths(project, [corpus(tmp_path / "c.jsonl", count)])
    (state,) = kept
    # Per document of the import only: two keys in the index's filter (at most 16 bytes each; two
    # 32-bit keys may be one), its id, one layer's (document, annotator) pair and file:line, all
    # in arrays of machine integers.
    assert 2 * count - 4 <= len(state.index.keys) <= 2 * count and state.index.keys.nbytes <= 16 * 2 * count
    assert isinstance(state.index.keys.slots, array)
    assert len(state.index.added) == count and isinstance(state.index.added, array)
    assert len(state.written.added) == 2 * count and isinstance(state.written.places, array)
    # Whole records, shas and layer contents only for the last batch, none past the final flush.
    assert not state.doc_ids and not state.index.queued and not state.rule.layers
    assert len(state.rule.given) <= BATCH_DOCUMENTS


def test_repeats_across_batches_are_still_found(make_project: ProjectMaker, tmp_path: Path) -> None:
    count = BATCH_DOCUMENTS + 5  # the first document is written (and forgotten) before its repeat
    source = corpus(tmp_path / "c.jsonl", count)
    first = orjson.loads(source.read_bytes().splitlines()[0])
    other_layer = {**first, "spans": first["spans"][:1], "relations": []}
    other_text = {**first, "text": "Another text.", "spans": [], "relations": []}
    with Project.open(make_project()) as project:
        for name, line, message in (
            (
                "layer",
                other_layer,
                f"different layers by 'alice' in this import (the other from {tmp_path}/layer.jsonl:1)",
            ),
            ("text", other_text, "document id 'd0' is already used by a document with another text"),
        ):
            path = tmp_path / f"{name}.jsonl"
            path.write_bytes(source.read_bytes() + orjson.dumps(line) + b"\n")
            with pytest.raises(ImportFailed) as failed:
                import_paths(project, [path])
            (problem,) = failed.value.problems
            assert problem.line == count + 1 and message in problem.message
        again = tmp_path / "again.jsonl"
        again.write_bytes(source.read_bytes() + orjson.dumps(first) + b"\n")
        report = import_paths(project, [again])
        assert (report.documents_added, report.documents_skipped, report.layers_skipped) == (count, 0, 1)
        assert report.layers_added == count
        repeat = import_paths(project, [again])  # everything is there now: each record is looked up
        assert (repeat.documents_added, repeat.documents_skipped, repeat.layers_skipped) == (0, count + 1, count + 1)


def test_a_document_id_of_the_project_is_refused_for_a_text_queued_in_this_import(
    make_project: ProjectMaker, tmp_path: Path
) -> None:
    with Project.open(make_project()) as project:
        import_paths(project, [corpus(tmp_path / "a.jsonl", 1, "x")])  # document x0 with its text
        queued = {"id": "y", "text": "A new text."}
        same_text_as_x0 = {"id": "x0", "text": "A new text."}  # its text is queued, its id is x0's
        path = tmp_path / "b.jsonl"
        path.write_bytes(orjson.dumps(queued) + b"\n" + orjson.dumps(same_text_as_x0) + b"\n")
        with pytest.raises(ImportFailed) as failed:
            import_paths(project, [path])
    (problem,) = failed.value.problems
    assert problem.line == 2 and "document id 'x0' is already used by a document with another text" in problem.message


def test_keys_that_collide_are_told_apart_by_the_database(
    make_project: ProjectMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The index's filter answers "maybe" for every key here (all texts and ids share one key):
    the database decides, and the outcome is what distinct keys give."""
    monkeypatch.setattr(document_index, "_text_key", lambda sha: 7)
    monkeypatch.setattr(document_index, "_id_key", lambda external_id: 7)
    count = BATCH_DOCUMENTS + 5  # the first batch is written (and known only by its keys) before the rest
    source = corpus(tmp_path / "c.jsonl", count)
    first = orjson.loads(source.read_bytes().splitlines()[0])
    with Project.open(make_project()) as project:
        report = import_paths(project, [source])
        assert (report.documents_added, report.documents_skipped, report.layers_added) == (count, 0, count)
        more = tmp_path / "more.jsonl"
        new = {**first, "id": "new", "text": "A text of its own.", "spans": [], "relations": []}
        more.write_bytes(orjson.dumps(first) + b"\n" + orjson.dumps(new) + b"\n")
        again = import_paths(project, [more])
        assert (again.documents_added, again.documents_skipped, again.layers_skipped) == (1, 1, 1)
        taken = tmp_path / "taken.jsonl"
        taken.write_bytes(orjson.dumps({**new, "id": "d7", "text": "Yet another text."}) + b"\n")
        with pytest.raises(ImportFailed) as failed:
            import_paths(project, [taken])
        assert "document id 'd7' is already used by a document with another text" in str(failed.value)
        with project.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(DocumentRow)) == count + 1


def test_the_key_filter_holds_every_key_it_was_given_in_a_few_bytes_each() -> None:
    keys = [n * 0x9E37_79B9_7F4A_7C15 % (1 << 64) for n in range(50_000)] + [0, 1 << 32, 5]
    found = KeyFilter()
    for key in keys:
        found.add(key)
    assert all(key in found for key in keys)
    assert found.nbytes <= 16 * len(found) and isinstance(found.slots, array) and found.slots.itemsize == 4
    others = sum(key * 31 + 17 in found for key in range(1, 50_000))
    assert others < 100  # "maybe" for a key never given is rare (each one costs a lookup)


def test_the_import_event_lists_what_it_added_in_runs_of_ids(make_project: ProjectMaker, tmp_path: Path) -> None:
    """Consecutive document ids are one run: the event row stays small however big the import."""
    count = BATCH_DOCUMENTS + 5
    with Project.open(make_project()) as project:
        report = import_paths(project, [corpus(tmp_path / "c.jsonl", count)])
        with project.engine.connect() as connection:
            detail = connection.scalar(select(EventRow.detail).where(EventRow.id == report.event_id))
            ids = connection.execute(select(DocumentRow.id).order_by(DocumentRow.id)).scalars().all()
            alice = connection.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == "alice"))
        assert len(ids) == count and added_documents(detail) == ids
        assert added_layers(detail) == [(doc_id, alice) for doc_id in ids]
        assert detail["documents_added_runs"] == [[ids[0], ids[-1]]]
        assert detail["layers_added_runs"] == [[alice, ids[0], ids[-1]]]
        assert detail["counts"]["spans_added"] == 2 * count and detail["files"] == [f"{tmp_path}/c.jsonl (jsonl)"]
        assert report.event_id is not None
        undo_import(project, report.event_id)
        with project.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(DocumentRow)) == 0


def test_an_import_event_that_lists_every_id_is_still_undone(make_project: ProjectMaker, tmp_path: Path) -> None:
    """Events written before runs list each document and layer; undo reads them as ever."""
    with Project.open(make_project()) as project:
        first = import_paths(project, [corpus(tmp_path / "a.jsonl", 3, "a")])
        second = import_paths(project, [corpus(tmp_path / "b.jsonl", 2, "b")])
        assert first.event_id is not None and second.event_id is not None
        with project.write.begin() as session:
            connection = session.connection()
            for event_id in (first.event_id, second.event_id):
                detail = connection.scalar(select(EventRow.detail).where(EventRow.id == event_id))
                listed = {
                    "documents_added": added_documents(detail),
                    "layers_added": [list(layer) for layer in added_layers(detail)],
                }
                older = {k: v for k, v in detail.items() if not k.endswith("_runs")} | listed
                connection.execute(update(EventRow).where(EventRow.id == event_id).values(detail=older))
        undo_import(project, second.event_id)
        undo_import(project, first.event_id)
        with project.engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(DocumentRow)) == 0
            assert connection.scalar(select(func.count()).select_from(SpanRow)) == 0
