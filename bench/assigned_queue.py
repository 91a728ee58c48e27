"""The annotator's queue: the document list's reads filtered by assignments, against the unfiltered list.

    python bench/assigned_queue.py [--docs 100000] [--rounds 15]
    tests/with-postgres /work/main/.venv/bin/python bench/assigned_queue.py --docs 100000   (PostgreSQL too)

A project of ``--docs`` short documents (made in bench/out/queue/, once per size) is assigned to
10 annotators, 2 a document (`annotator assign`'s core, timed: "assign"; its baseline is raw
sqlite3 executemany of the same rows into a table of the same shape). Then the reads the window
makes (annotator/document_queue.py) are timed for "alice", whose list is her queue (a fifth of the
documents), against "lead", who has no assignments and lists every document: the same calls, the
two alternating round by round in one process; medians. Target: <= 2x the unfiltered list. The
query plans of the page and count statements are printed (EXPLAIN QUERY PLAN / EXPLAIN).
With ANNOTATOR_TEST_POSTGRES_URL set, the same on a fresh PostgreSQL database.
Prints tables; never fails on a slow result.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from annotator.importers.loader import import_records
from annotator.importers.records import DocumentRecord
from annotator.project import Project
from annotator.service import AnnotationService
from annotator.team.assign import assign_documents, plan_assignments
from bench.corpus import OUT

REPO = Path(__file__).resolve().parents[1]
ANNOTATORS = [f"ann{number:02d}" for number in range(10)]
QUEUE_OF, UNFILTERED = "ann00", "lead"
PAGE = 100
STAMP = "imported"


def make_project(folder: Path, docs: int, database: str) -> Path:
    """A project of ``docs`` short documents (kept once imported: a stamp file says so)."""
    if (folder / STAMP).exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copyfile(REPO / "annotator" / "example" / "news.yaml", folder / "schema.yaml")
    (folder / "project.yaml").write_text(f"name: queue\nschema: schema.yaml\ndatabase: {database}\n", encoding="utf-8")
    records = (
        DocumentRecord(
            "bench", n + 1, f"Document {n}: Seoul said on Monday that talks resume.", external_id=f"q-{n:06d}"
        )
        for n in range(docs)
    )
    with Project.open(folder) as project:
        import_records(project, records)
    (folder / STAMP).write_text(f"{docs} documents\n", encoding="utf-8")
    return folder


def timed_assign(folder: Path, docs: int) -> tuple[float, float]:
    """(ms of assign_documents, ms of raw sqlite3 executemany of its rows into a table like assignments)."""
    with Project.open(folder) as project:
        with project.engine.begin() as connection:  # a fresh run: none assigned yet
            connection.exec_driver_sql("DELETE FROM assignments")
        began = time.perf_counter()
        assign_documents(project, ANNOTATORS, 2)
        ours = (time.perf_counter() - began) * 1000
    pairs = plan_assignments([(n + 1, f"q-{n:06d}") for n in range(docs)], ANNOTATORS, 2)
    ids = {name: number for number, name in enumerate(ANNOTATORS, 1)}
    with tempfile.TemporaryDirectory() as scratch:
        raw = sqlite3.connect(Path(scratch) / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode = WAL")
        raw.execute("PRAGMA synchronous = FULL")
        raw.execute(
            "CREATE TABLE assignments (document_id INTEGER, annotator_id INTEGER, created_at TEXT DEFAULT "
            "CURRENT_TIMESTAMP, PRIMARY KEY (document_id, annotator_id))"
        )
        raw.execute("CREATE INDEX ix ON assignments (annotator_id, document_id)")
        began = time.perf_counter()
        raw.execute("BEGIN")
        raw.executemany(
            "INSERT INTO assignments (document_id, annotator_id) VALUES (?, ?)", [(d, ids[n]) for d, n in pairs]
        )
        raw.execute("COMMIT")
        baseline = (time.perf_counter() - began) * 1000
        raw.close()
    return ours, baseline


def reads(service: AnnotationService, docs: int) -> dict[str, Callable[[], object]]:
    listed = service.document_counts()
    count = sum(listed.values())
    middle = service.document_page(count // 2, 1)[0].id
    last = service.document_page(count - 1, 1)[0]
    return {
        "count by status": service.document_counts,
        "page: jump to the middle": lambda: service.document_page(count // 2, PAGE),
        "page: read on (seek)": lambda: service.document_page(count // 2 + 1, PAGE, middle),
        "position of the last": lambda: service.document_position(last.id),
        "next unfinished": lambda: service.next_unfinished(middle),
        "type-ahead, no match": lambda: service.next_document_named("zebra", middle),
        "find by name": lambda: service.find_document(last.external_id),
    }


def compare(folder: Path, docs: int, rounds: int) -> dict[str, tuple[float, float]]:
    services = {name: AnnotationService.open(folder, name) for name in (QUEUE_OF, UNFILTERED)}
    assert services[QUEUE_OF].lists_assigned_only() and not services[UNFILTERED].lists_assigned_only()
    calls = {name: reads(service, docs) for name, service in services.items()}
    samples: dict[tuple[str, str], list[float]] = {(name, what): [] for name in services for what in calls[name]}
    for _round in range(rounds + 1):
        for what in calls[QUEUE_OF]:
            for name in services:
                began = time.perf_counter()
                calls[name][what]()
                samples[name, what].append((time.perf_counter() - began) * 1000)
    for service in services.values():
        service.close()
    return {
        what: (statistics.median(samples[QUEUE_OF, what][1:]), statistics.median(samples[UNFILTERED, what][1:]))
        for what in calls[QUEUE_OF]
    }


def print_plans(folder: Path) -> None:
    """The page and count statements' plans, as the database will run them for the queue."""
    from sqlalchemy import event

    with AnnotationService.open(folder, QUEUE_OF) as service:
        statements: list[tuple[str, object]] = []
        event.listen(service.project.engine, "before_cursor_execute", lambda *a: statements.append((a[2], a[3])))
        count = sum(service.document_counts().values())
        first = service.document_page(count // 2, PAGE)[0].id
        service.document_page(count // 2 + 1, PAGE, first)
        engine = service.project.engine
        explain = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
        with engine.connect() as connection:
            for sql, parameters in statements:
                if not sql.lstrip().startswith("SELECT") or "assignments" not in sql:
                    continue
                print("--", " ".join(sql.split())[:150], "...")
                for row in connection.exec_driver_sql(explain + sql, parameters):  # type: ignore[arg-type]
                    print("   ", " | ".join(str(cell) for cell in row if cell is not None))


def run(label: str, folder: Path, docs: int, rounds: int, assign_ms: tuple[float, float] | None) -> None:
    figures = compare(folder, docs, rounds)
    print(f"\n{label}: {docs:,} documents, {QUEUE_OF}'s queue {docs // 5:,} of them; median ms of {rounds} rounds")
    print(f"{'what':28} {'queue':>9} {'all (lead)':>11} {'ratio':>6} {'target':>7}")
    for what, (queue_ms, all_ms) in figures.items():
        print(f"{what:28} {queue_ms:9.2f} {all_ms:11.2f} {queue_ms / all_ms:6.2f} {'<= 2':>7}")
    if assign_ms is not None:
        ours, baseline = assign_ms
        print(f"{'assign (plan + write)':28} {ours:9.0f} {baseline:11.0f} {ours / baseline:6.2f}   (raw sqlite3)")
    print_plans(folder)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    folder = OUT / "queue" / f"sqlite-{args.docs}"
    made = make_project(folder, args.docs, "annotator.db")
    assign_ms = timed_assign(made, args.docs)
    run("SQLite", made, args.docs, args.rounds, assign_ms)
    server = os.environ.get("ANNOTATOR_TEST_POSTGRES_URL")
    if server:
        admin = create_engine(server, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        name = f"bench_queue_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = make_url(server).set(database=name).render_as_string(hide_password=False)
            pg_folder = OUT / "queue" / f"postgres-{args.docs}"
            shutil.rmtree(pg_folder, ignore_errors=True)  # a fresh database each run
            make_project(pg_folder, args.docs, url)
            with Project.open(pg_folder) as project:
                assign_documents(project, ANNOTATORS, 2)
                with project.engine.begin() as connection:
                    connection.exec_driver_sql("ANALYZE")
            run("PostgreSQL", pg_folder, args.docs, args.rounds, None)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
