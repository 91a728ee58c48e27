"""Every kind of edit through the service, in a 10,000- and a 100,000-document project.

    python bench/edits.py [--docs 10000 100000] [--rounds 25]
    tests/with-postgres python bench/edits.py     (adds PostgreSQL; or set ANNOTATOR_BENCH_POSTGRES_URL)

What a person waits for when they press a key in the window is the service's edit: one
transaction with its checks, its writes, the event row and COMMIT (fsync on SQLite). Each
edit kind the window makes (add, set an attribute, relabel, add and remove a relation, undo,
redo, set the status, remove a span with a relation and undo/redo that, label all occurrences
of a word and undo/redo that, add reading time) is timed on a
document in the middle of each project (~2,000 characters, 5-15 spans with attributes and
relations, bench/corpus.py), the two projects alternating round by round in one process;
the table gives medians. The baseline of each figure is the same edit at the smaller size:
target <= 1.2x at 100k (an edit must not cost more in a bigger project).

Round trips per edit (target <= 3), counted as bench/roundtrips.py says: on the wire
(libpq trace) on PostgreSQL; on SQLite the exchanges the service makes, with the statements
SQLite ran beside them. Then every statement of every edit, and the lookups its cascades
make, is EXPLAINed in the big project: any scan of a table that grows with the project is
printed (none expected). Projects are made by bench/edit_projects.py.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.service import AnnotationService
from bench.corpus import ANNOTATOR
from bench.edit_projects import PostgresProject, sqlite_project
from bench.roundtrips import Traffic, postgres_scans, postgres_traffic, sqlite_scans, sqlite_traffic

Recorder = Callable[[str, Callable[[], Any]], Any]


class Subject:
    """One project open in a service, editing a document in the middle of it."""

    def __init__(self, root: Path, docs: int) -> None:
        self.docs = docs
        self.service = AnnotationService.open(root, ANNOTATOR)
        self.document_id, self.start, self.end, self.claim = self._pick(docs // 2)
        self.status = self.service.document(self.document_id).status
        self.occurrences = 0  # of the free word, labelled by 'label all'

    def _pick(self, middle: int) -> tuple[int, int, int, int]:
        """A document near the middle with a CLAIM, and a word in it that no span touches."""
        for document_id in range(middle, middle + 50):
            view = self.service.document(document_id)
            claims = [s.id for s in view.spans if s.label == "CLAIM"]
            at = 0
            while claims and (at := view.text.find(" the ", at + 1)) >= 0:
                start, end = at + 1, at + 4
                if not any(s.start < end and s.end > start for s in view.spans):
                    return document_id, start, end, claims[0]
        raise RuntimeError("no document with a CLAIM and a free word near the middle")

    def cycle(self, record: Recorder) -> None:
        """Every edit kind once (relabel twice); the layer ends as it began."""
        service, doc = self.service, self.document_id
        span = record("add span", lambda: service.add_span(doc, self.start, self.end, "ACTOR")).value
        record("set attribute", lambda: service.set_attribute(span.id, "kind", "person"))
        record("relabel span", lambda: service.relabel_span(span.id, "DATE"))
        record("relabel span", lambda: service.relabel_span(span.id, "ACTOR"))
        relation = record("add relation", lambda: service.add_relation("SAID_BY", self.claim, span.id)).value
        record("remove relation", lambda: service.remove_relation(relation.id))
        record("undo", service.undo)  # the relation comes back
        record("redo", service.redo)
        service.add_relation("SAID_BY", self.claim, span.id)  # so that removing the span takes one along
        self.status = "in_progress" if self.status == "done" else "done"
        record("set status", lambda: service.set_status(doc, self.status))
        record("remove span", lambda: service.remove_span(span.id))
        record("undo remove span", service.undo)
        record("redo remove span", service.redo)
        labelled = record("label all", lambda: service.label_all_occurrences(doc, self.start, self.end, "ACTOR"))
        self.occurrences = len(labelled.value)
        record("undo label all", service.undo)
        record("redo label all", service.redo)
        service.undo()  # the layer as it began
        record("add time", lambda: service.add_time(doc, 1.0))

    def close(self) -> None:
        self.service.close()


def timed(samples: dict[str, list[float]]) -> Recorder:
    def record(name: str, edit: Callable[[], Any]) -> Any:
        started = time.perf_counter()
        result = edit()
        samples[name].append((time.perf_counter() - started) * 1000)
        return result

    return record


def counted(subject: Subject, postgres: bool) -> dict[str, list[Traffic]]:
    """One cycle with every edit's traffic recorded."""
    engine = subject.service.project.engine
    traffic: dict[str, list[Traffic]] = defaultdict(list)

    def record(name: str, edit: Callable[[], Any]) -> Any:
        watch: AbstractContextManager[Traffic] = postgres_traffic(engine) if postgres else sqlite_traffic(engine)
        with watch as seen:
            result = edit()
        traffic[name].append(seen)
        return result

    subject.cycle(record)
    return traffic


Scans = Callable[[list[tuple[str, Any]]], list[str]]


def run(backend: str, subjects: list[Subject], rounds: int, scans: Scans) -> None:
    postgres = backend == "PostgreSQL"
    samples = {s.docs: defaultdict(list) for s in subjects}
    for subject in subjects:  # warm up: connections, caches, the text of the document
        subject.cycle(timed(defaultdict(list)))
    for _ in range(rounds):
        for subject in subjects:
            subject.cycle(timed(samples[subject.docs]))
    traffic = {s.docs: counted(s, postgres) for s in subjects}
    small, big = subjects[0].docs, subjects[-1].docs
    print(f"\n{backend}: median ms of {rounds} rounds, document {subjects[-1].document_id} of {big:,}")
    print("label all: " + ", ".join(f"{s.occurrences} occurrences at {s.docs:,} docs" for s in subjects))
    header = f"{'edit':18} {f'{small:,} docs':>11} {f'{big:,} docs':>12} {'ratio':>6} {'target':>7}"
    print(f"{header} {'round trips':>12} {'target':>6}" + ("" if postgres else f" {'statements':>11}"))
    for name in samples[big]:
        small_ms, big_ms = statistics.median(samples[small][name]), statistics.median(samples[big][name])
        trips = max(t.round_trips for t in traffic[big][name])
        row = f"{name:18} {small_ms:11.2f} {big_ms:12.2f} {big_ms / small_ms:6.2f} {'<= 1.2':>7}"
        row += f" {trips:12d} {'<= 3':>6}"
        if not postgres:
            row += f" {max(len(t.statements) for t in traffic[big][name]):11d}"
        print(row)
    statements = [s for seen in traffic[big].values() for t in seen for s in t.statements]
    found = scans(statements)
    verdict = "no scan of a growing table" if not found else "SCANS:"
    print(f"plans of {len(statements)} statements + cascade lookups at {big:,} docs: {verdict}")
    for line in found:
        print(f"  {line}")


def sqlite_run(sizes: list[int], rounds: int) -> None:
    roots = [sqlite_project(docs) for docs in sizes]
    subjects = [Subject(root, docs) for root, docs in zip(roots, sizes, strict=True)]
    try:
        with sqlite3.connect(roots[-1] / "annotator.db") as connection:
            run("SQLite", subjects, rounds, lambda statements: sqlite_scans(connection, statements))
    finally:
        for subject in subjects:
            subject.close()


def postgres_run(url: str, sizes: list[int], rounds: int) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        projects = [PostgresProject(url, docs, Path(scratch)) for docs in sizes]
        subjects = [Subject(p.root, docs) for p, docs in zip(projects, sizes, strict=True)]
        try:
            with subjects[-1].service.project.engine.connect() as pooled:
                connection = pooled.connection.driver_connection
                run("PostgreSQL", subjects, rounds, lambda statements: postgres_scans(connection, statements))
                connection.rollback()
        finally:
            for subject in subjects:
                subject.close()
            for project in projects:
                project.drop()


def postgres_url() -> str | None:
    return os.environ.get("ANNOTATOR_BENCH_POSTGRES_URL") or os.environ.get("ANNOTATOR_TEST_POSTGRES_URL")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, nargs=2, default=[10_000, 100_000], metavar=("SMALL", "BIG"))
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all")
    args, _unknown = parser.parse_known_args(argv)  # make bench passes every script the same arguments
    print(f"edits through the service, {args.docs[0]:,} against {args.docs[1]:,} documents (bench/edits.py)")
    if args.backend in ("all", "sqlite"):
        sqlite_run(args.docs, args.rounds)
    url = postgres_url()
    if args.backend in ("all", "postgresql"):
        if url:
            postgres_run(url, args.docs, args.rounds)
        else:
            print("\nPostgreSQL: skipped (run under tests/with-postgres or set ANNOTATOR_BENCH_POSTGRES_URL)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
