"""How the import writes its rows on SQLite: a few executemany statements per batch of 2,000
documents, never one statement per row, with ids SQLite itself would have given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import event, select

from annotator.db.tables import DocumentRow, RelationRow, SpanAttributeRow, SpanRow
from annotator.importers import import_paths
from annotator.importers.import_log import undo_import
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
