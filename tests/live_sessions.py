"""Two annotation sessions in two real processes on one document, for the live-update tests
(tests/unit/test_live_processes.py on SQLite, tests/integration/test_live_postgres.py).

Each process is what a window is without Qt: an AnnotationService with the stale-copy check on,
and a ChangeFeed it waits on. First they take turns: one adds a span, the other waits on its feed
until it reads that span back, notes the time, and adds the next. Then both add their own spans
at once (an edit refused as made on a stale copy reads the layer again and is made again), and
each waits until it shows every span. Each reports when it wrote and saw what, and its last copy.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import time
from dataclasses import dataclass, field
from typing import Any

from annotator.config import DATABASE_URL_VARIABLE
from annotator.live import ChangeFeed
from annotator.service import AnnotationService
from annotator.shown_layer import LayerChanged

TEXT = "Kim Jong Un said on Monday that the talks will resume, the ministry said.\n"
WORDS = [(m.start(), m.end()) for m in re.finditer(r"\w+", TEXT)]
TURNS = 6  # spans added in turns, one process after the other
AT_ONCE = 4  # spans each process adds while the other does too
SEEN_WITHIN_S = 10.0  # give up waiting (a failure, not a measurement)


@dataclass
class Report:
    who: int
    wrote: dict[int, float] = field(default_factory=dict)  # span number -> time.time() after its commit
    seen: dict[int, float] = field(default_factory=dict)  # span number -> when this process read it back
    refused_as_stale: int = 0
    final: list[tuple[int, int, str]] = field(default_factory=list)
    error: str = ""


def plan() -> list[tuple[int, int, int, str]]:
    """(span number, start, end, label) of every span, in order: turns first, then both at once."""
    count = TURNS + 2 * AT_ONCE
    return [(i, *WORDS[i], "DATE" if i % 3 == 0 else "ACTOR") for i in range(count)]


def writer_of(number: int) -> int:
    """Which process adds span ``number``: turns alternate; at once, the first AT_ONCE are process 0's."""
    if number < TURNS:
        return number % 2
    return 0 if number < TURNS + AT_ONCE else 1


def run_session(project_dir: str, database_url: str | None, who: int, ready: Any, go: Any, out: Any) -> None:
    report = Report(who)
    try:
        if database_url is not None:
            os.environ[DATABASE_URL_VARIABLE] = database_url
        _session(project_dir, report, ready, go)
    except BaseException as error:  # reported to the test, which fails with it
        report.error = f"{type(error).__name__}: {error}"
    out.put(report)


def _session(project_dir: str, report: Report, ready: Any, go: Any) -> None:
    with AnnotationService.open(project_dir) as service, ChangeFeed(service.project) as feed:
        service.shown_layer.checked = True  # as the window: an edit on a stale copy is refused
        doc = service.find_document("article")
        last = feed.latest_event_id()
        feed.wait(SEEN_WITHIN_S)  # listening (the first wait connects), before the other one starts writing
        shown = {(s.start, s.end, s.label) for s in service.document(doc).spans}
        spans = plan()

        def read_back(number: int) -> None:
            nonlocal last, shown
            deadline = time.monotonic() + SEEN_WITHIN_S
            want = spans[number][1:]
            while want not in shown:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"span {number} not seen within {SEEN_WITHIN_S} s")
                if feed.wait(remaining):
                    changes = feed.changes_since(last)
                    if changes:
                        last = max(last, *(c.event_id for c in changes))
                    if any(c.document_id == doc for c in changes):
                        shown = {(s.start, s.end, s.label) for s in service.document(doc).spans}
            report.seen.setdefault(number, time.time())

        def add(number: int) -> None:
            nonlocal shown
            _, start, end, label = spans[number]
            while True:
                try:
                    service.add_span(doc, start, end, label)
                    break
                except LayerChanged:  # the window reads the layer again, then does what was asked
                    report.refused_as_stale += 1
                    shown = {(s.start, s.end, s.label) for s in service.document(doc).spans}
            report.wrote[number] = time.time()
            shown.add((start, end, label))

        ready.put(report.who)
        go.wait(60)
        for number in range(TURNS):
            if writer_of(number) == report.who:
                add(number)
            else:
                read_back(number)
        for number in range(TURNS, len(spans)):
            if writer_of(number) == report.who:
                add(number)
        for number in range(len(spans)):
            read_back(number)
        report.final = sorted((s.start, s.end, s.label) for s in service.document(doc).spans)


def run_two_sessions(project_dir: str, database_urls: tuple[str | None, str | None]) -> list[Report]:
    """Start both processes, let them go together, and collect their reports."""
    context = multiprocessing.get_context("spawn")  # fresh interpreters: no engine or thread is inherited
    ready, out, go = context.Queue(), context.Queue(), context.Event()
    processes = [
        context.Process(target=run_session, args=(project_dir, url, who, ready, go, out))
        for who, url in enumerate(database_urls)
    ]
    for process in processes:
        process.start()
    try:
        for _ in processes:
            ready.get(timeout=120)
        go.set()
        reports = [out.get(timeout=120) for _ in processes]
    finally:
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
    return sorted(reports, key=lambda report: report.who)


def delays(reports: list[Report]) -> list[float]:
    """Seconds from a span's commit in one process to its reading back in the other, per span of the turns."""
    found = []
    for number in range(TURNS):
        writer = reports[writer_of(number)]
        reader = reports[1 - writer_of(number)]
        found.append(reader.seen[number] - writer.wrote[number])
    return found
