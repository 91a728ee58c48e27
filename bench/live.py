"""Live updates: what following other sessions costs, and how soon their edits arrive.

Run:  python bench/live.py [--edits 40] [--rounds 5]                      (SQLite)
      tests/with-postgres python bench/live.py [--edits 40] [--rounds 5]   (and PostgreSQL)

Per backend (PostgreSQL when ANNOTATOR_BENCH_POSTGRES_URL or ANNOTATOR_TEST_POSTGRES_URL is set):

  edit       one add_span + remove_span pair with the stale-copy check on (annotator/shown_layer.py:
             one more statement in the edit's first exchange), against the same pair with it off,
             alternating, medians of the rounds; target <= 1.10x
  arrives    from an edit's commit in this thread to another session (its own engine, in a thread)
             waking on ChangeFeed.wait and reading the event with changes_since; against the bare
             mechanism (SQLite: a sqlite3 connection polling PRAGMA data_version at the same
             interval; PostgreSQL: psycopg LISTEN, select, NOTIFY); p50 and p95; target < 2 s
  idle       CPU the waiting feed thread takes per second while nothing changes (SQLite: one
             PRAGMA per 250 ms; PostgreSQL: a select on the socket, no query), and on PostgreSQL
             the transactions the server saw meanwhile (target 0)

A benchmark, not a test: it never fails on a slow figure. The machine may be shared: read ratios.
"""

from __future__ import annotations

import argparse
import os
import select
import shutil
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from annotator.importers import import_paths
from annotator.live import ChangeFeed
from annotator.project import Project
from annotator.service import AnnotationService

REPO = Path(__file__).resolve().parents[1]
TEXT = "Kim Jong Un said on Monday that the talks will resume, the ministry said.\n"
URL_VARIABLES = ("ANNOTATOR_BENCH_POSTGRES_URL", "ANNOTATOR_TEST_POSTGRES_URL")
IDLE_S = 3.0
Row = tuple[str, str, str, str, str]


def make_project(folder: Path, database: str) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(REPO / "annotator" / "example" / "news.yaml", folder / "news.yaml")
    (folder / "project.yaml").write_text(f"name: live\nschema: news.yaml\ndatabase: {database}\n", encoding="utf-8")
    (folder / "article.txt").write_text(TEXT, encoding="utf-8")
    with Project.open(folder) as project:
        import_paths(project, [folder / "article.txt"])
    return folder


def postgres_database(server: str) -> tuple[str, Callable[[], None]]:
    import psycopg
    from sqlalchemy.engine import make_url

    name = f"annotator_live_{uuid.uuid4().hex[:8]}"
    admin_url = make_url(server).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


# --- edit: the stale-copy check on and off ------------------------------------------------


def edit_ms(root: Path, edits: int, rounds: int) -> tuple[float, float]:
    with AnnotationService.open(root, "checked") as checked, AnnotationService.open(root, "plain") as plain:
        checked.shown_layer.checked = True
        doc = plain.find_document("article")
        for service in (checked, plain):
            service.document(doc)
        samples: dict[bool, list[float]] = {True: [], False: []}
        for number in range(rounds):
            pairs = ((checked, True), (plain, False))
            for service, on in pairs if number % 2 else pairs[::-1]:  # neither always goes first
                started = time.perf_counter()
                for _ in range(edits):
                    span = service.add_span(doc, 0, 3, "ACTOR").value
                    service.remove_span(span.id)
                samples[on].append((time.perf_counter() - started) * 1000 / edits)
    return statistics.median(samples[True]), statistics.median(samples[False])


# --- arrives: commit to read back in another session ----------------------------------------


def arrival_s(root: Path, edits: int) -> list[float]:
    """Seconds from each commit (this thread) to its event read by a feed in another thread."""
    committed: dict[int, float] = {}
    arrived: dict[int, float] = {}
    ready = threading.Event()
    done = threading.Event()

    def watch() -> None:
        with Project.open(root) as project, ChangeFeed(project) as feed:
            last = feed.latest_event_id()
            feed.wait(5.0)  # connected
            ready.set()
            while not done.is_set():
                if feed.wait(0.5):
                    for change in feed.changes_since(last):
                        arrived.setdefault(change.event_id, time.perf_counter())
                        last = max(last, change.event_id)

    thread = threading.Thread(target=watch)
    thread.start()
    ready.wait(30)
    with AnnotationService.open(root, "writer") as service, ChangeFeed(service.project) as ids:
        doc = service.find_document("article")
        for number in range(edits):
            before = ids.latest_event_id()
            service.set_status(doc, "done" if number % 2 else "in_progress")
            at = time.perf_counter()
            committed[ids.changes_since(before)[-1].event_id] = at
            time.sleep(0.05 + (number % 7) * 0.04)  # edits at a person's pace, not in phase with a poll
    time.sleep(1.0)
    done.set()
    thread.join(10)
    return [arrived[i] - at for i, at in committed.items() if i in arrived]


def bare_sqlite_arrival_s(database: str, edits: int, interval: float = 0.25) -> list[float]:
    """sqlite3 alone: a connection polling PRAGMA data_version, another committing inserts."""
    setup = sqlite3.connect(database)
    setup.execute("CREATE TABLE IF NOT EXISTS bench_ticks (id INTEGER PRIMARY KEY, at REAL)")
    setup.commit()
    setup.close()
    seen: list[float] = []
    done = threading.Event()
    ready = threading.Event()

    def poll() -> None:
        connection = sqlite3.connect(database, isolation_level=None)
        version = connection.execute("PRAGMA data_version").fetchone()[0]
        ready.set()
        while not done.is_set():
            now = connection.execute("PRAGMA data_version").fetchone()[0]
            if now != version:
                version = now
                seen.append(time.perf_counter())
            time.sleep(interval)

    thread = threading.Thread(target=poll)
    thread.start()
    ready.wait(10)
    writer = sqlite3.connect(database, isolation_level=None)
    found = []
    for number in range(edits):
        writer.execute("INSERT INTO bench_ticks (at) VALUES (?)", (time.time(),))
        committed, count = time.perf_counter(), len(seen)
        deadline = committed + 5
        while len(seen) == count and time.perf_counter() < deadline:
            time.sleep(0.002)
        if len(seen) > count:
            found.append(seen[-1] - committed)
        time.sleep(0.05 + (number % 7) * 0.04)
    done.set()
    thread.join(10)
    writer.close()
    return found


def bare_postgres_arrival_s(url: str, edits: int) -> list[float]:
    """psycopg alone: LISTEN on one connection, select on its socket; NOTIFY from another."""
    import psycopg
    from sqlalchemy.engine import make_url

    libpq = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    found = []
    with psycopg.connect(libpq, autocommit=True) as listener, psycopg.connect(libpq, autocommit=True) as sender:
        listener.execute("LISTEN bench_live")
        for number in range(edits):
            sender.execute("NOTIFY bench_live")
            committed = time.perf_counter()
            select.select([listener.fileno()], [], [], 5)
            listener.pgconn.consume_input()
            while listener.pgconn.notifies() is not None:
                pass
            found.append(time.perf_counter() - committed)
            time.sleep(0.05 + (number % 7) * 0.04)
    return found


# --- idle ---------------------------------------------------------------------------------


def idle_cpu_ms_per_s(root: Path, with_feed: bool) -> float:
    with Project.open(root) as project, ChangeFeed(project) as feed:
        stop = threading.Event()

        def wait_on() -> None:
            while not stop.is_set():
                feed.wait(IDLE_S * 2)

        thread = threading.Thread(target=wait_on)
        if with_feed:
            thread.start()
        time.sleep(0.3)
        started_cpu = time.process_time()
        time.sleep(IDLE_S)
        used = time.process_time() - started_cpu
        stop.set()
        feed.close()
        if with_feed:
            thread.join(10)
    return used * 1000 / IDLE_S


def idle_statements(root: Path) -> int:
    """Statements the waiting feed's connection sent while idle: 0 if its last one is still its LISTEN."""
    from sqlalchemy import text

    last = text(
        "SELECT query, query_start FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid() AND query ILIKE 'LISTEN%'"
    )
    with Project.open(root) as project, ChangeFeed(project) as feed:
        feed.wait(5.0)  # connected and listening
        with project.engine.connect() as connection:
            before = connection.execute(last).one()
        feed.wait(IDLE_S)
        with project.engine.connect() as connection:
            after = connection.execute(last).one()
    return 0 if tuple(after) == tuple(before) else 1


# --- the table ------------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def measure(backend: str, root: Path, edits: int, rounds: int, bare: Callable[[], list[float]]) -> list[Row]:
    on, off = edit_ms(root, edits, rounds)
    ours, raw = arrival_s(root, edits), bare()
    rows: list[Row] = [
        (
            f"{backend}: edit (add + remove), check on vs off",
            f"{on:.2f} ms",
            f"{off:.2f} ms",
            f"{on / off:.2f}x",
            "<= 1.10x",
        ),
    ]
    for name, share in (("p50", 0.5), ("p95", 0.95)):
        a, b = percentile(ours, share), percentile(raw, share)
        rows.append(
            (
                f"{backend}: edit arrives in another session, {name}",
                f"{a * 1000:.0f} ms",
                f"{b * 1000:.0f} ms",
                f"{a / b:.2f}x" if b else "-",
                "< 2000 ms",
            )
        )
    cpu, none = idle_cpu_ms_per_s(root, True), idle_cpu_ms_per_s(root, False)
    rows.append((f"{backend}: idle CPU, feed waiting vs none", f"{cpu:.2f} ms/s", f"{none:.2f} ms/s", "-", "~0"))
    if backend == "PostgreSQL":
        sent = str(idle_statements(root))
        rows.append((f"{backend}: statements the feed sent while idle {IDLE_S:.0f} s", sent, "0", "-", "0"))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    os.environ.pop("ANNOTATOR_DATABASE_URL", None)  # it would override project.yaml
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="annotator-live-") as folder:
        root = make_project(Path(folder) / "sqlite", "annotator.db")
        bare_db = str(Path(folder) / "bare.db")
        rows += measure("SQLite", root, args.edits, args.rounds, lambda: bare_sqlite_arrival_s(bare_db, args.edits))
        server = next((os.environ[name] for name in URL_VARIABLES if os.environ.get(name)), None)
        if server is not None:
            url, drop = postgres_database(server)
            try:
                pg_root = make_project(Path(folder) / "postgres", url)
                rows += measure(
                    "PostgreSQL", pg_root, args.edits, args.rounds, lambda: bare_postgres_arrival_s(url, args.edits)
                )
            finally:
                drop()
    header: Row = ("what", "annotator", "baseline", "ratio", "target")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(5)]
    for row in [header, *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
