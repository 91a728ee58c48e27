"""Live updates: learning that other sessions changed the project, and what, without polling queries.

Every edit logs one row in ``events`` (its layer, its document, its action). ``ChangeFeed.wait``
blocks until the database may hold new events; ``changes_since`` then reads the events after the
last one seen, by primary key, a bounded batch at a time.

- PostgreSQL: a connection of the feed's own, in autocommit, ``LISTEN annotator_events``; the
  trigger of migration 0007 notifies after every transaction that logged an edit. Waiting is a
  ``select`` on that socket: no query is sent while nothing changes. A dropped connection is
  opened again after a pause that doubles up to RECONNECT_MAX_S (never a busy loop), and the
  wake-up after it says "read again": notices sent meanwhile are lost, the events are not.
- SQLite has no notices: ``PRAGMA data_version`` on a connection of the feed's own changes when
  any other connection commits; one such PRAGMA per interval (it reads no table).

PostgreSQL hands out event ids when a row is inserted, not when it commits: two annotators'
edits run side by side (each holds only its own layer's lock), so id 11 can be visible before 10
commits. Ids skipped over are remembered for a while (GAP_SECONDS) and read again with the next
batch, so a late commit is not lost; on a team database the ids of layers one may not read stay
gaps (row-level security hides those events) until they age out.

On a team database row-level security also makes "the events after id N" a walk over every
hidden event after N (a blind annotator who has not edited since the window opened would walk
the whole team's work on each wake-up). So each read also notes the id sequence's position, and
reads start above the position noted GAP_SECONDS ago: an id handed out before it and not committed
since is given up just as an aged gap is, and the walk covers only the last GAP_SECONDS' events.
"""

from __future__ import annotations

import contextlib
import logging
import select as select_module
import socket
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError

from annotator.db import core_tables
from annotator.models import Changes, DocumentSummary, DocumentView, Relation, Span

if TYPE_CHECKING:
    from annotator.project import Project
    from annotator.service import AnnotationService

log = logging.getLogger(__name__)
CHANNEL = "annotator_events"
CHANGES_BATCH = 500
SQLITE_POLL_S = 0.25
RECONNECT_MIN_S = 1.0
RECONNECT_MAX_S = 30.0
GAP_SECONDS = 30.0
CLOSE_WAIT_S = 1.0
MAX_GAPS = 2000

_EVENTS = core_tables.events
_ANNOTATORS = core_tables.annotators
# The newest event id handed out, committed or not, seen or hidden (NULL before the first).
SEQUENCE_POSITION = text("SELECT pg_sequence_last_value(pg_get_serial_sequence('events', 'id')::regclass)")
_CHANGE_COLUMNS = select(
    _EVENTS.c.id, _EVENTS.c.document_id, _EVENTS.c.annotator_id, _EVENTS.c.action, _ANNOTATORS.c.name
).outerjoin(_ANNOTATORS, _ANNOTATORS.c.id == _EVENTS.c.annotator_id)


@dataclass(frozen=True)
class Change:
    """One logged edit: which layer (annotator id and name) of which document, and what was done.
    An import, an undo-import or a schema change names no document (``document_id`` None)."""

    event_id: int
    document_id: int | None
    layer_id: int | None
    action: str
    layer: str | None = None


class ChangeFeed:
    """Waits for other sessions' edits of one project's database and reads what they were.

    ``wait`` is meant for a thread of its own; ``changes_since`` for the thread that shows them (it
    reads through the project's engine). ``close`` may be called from any thread: it wakes ``wait``.
    """

    def __init__(self, project: Project, *, poll_interval_s: float = SQLITE_POLL_S, batch: int = CHANGES_BATCH):
        self._engine = project.engine
        self._postgres = self._engine.dialect.name == "postgresql"
        self._poll_interval_s = poll_interval_s
        self._batch = batch
        self._wake_reader, self._wake_writer = socket.socketpair()  # close() wakes a waiting select
        self._lock = threading.Lock()  # the listening connection: one user at a time
        self._closed = False
        self._listener: Any = None
        self._data_version: int | None = None
        self._pause_s = RECONNECT_MIN_S
        self._retry_at = 0.0
        # The listening connection is opened by the first wait(), in the waiting thread (a window's
        # start does not wait for a server's log-in); that wait returns True: "read what happened since".
        self._gaps: dict[int, float] = {}  # event id skipped over -> when first skipped
        self._hidden = self._postgres and project.team is not None  # row-level security hides others' events
        self._positions: deque[tuple[float, int]] = deque()  # (when, the id sequence's position), oldest first
        self._passed = 0  # on such a database: reads start above it (see the module's docstring)

    # --- waiting (the feed's thread) ----------------------------------------------------

    def wait(self, timeout_s: float) -> bool:
        """Block until the database may hold new events (True), or ``timeout_s`` passed or the feed
        closed (False). True is also returned once the listening connection is open, first or again
        after it was lost: what was committed before it listened is read then."""
        deadline = time.monotonic() + max(timeout_s, 0.0)
        with self._lock:
            try:
                return self._wait(deadline)
            finally:
                if self._closed:  # closed meanwhile, while close() could not take the lock
                    self._release()

    def _wait(self, deadline: float) -> bool:
        while not self._closed:
            if self._listener is None:
                if time.monotonic() >= self._retry_at and self._connect():
                    return True  # whatever happened while the connection was down
                if self._sleep(min(deadline, self._retry_at)):
                    return False
            elif self._postgres:
                if self._wait_notice(deadline):
                    return True
            elif self._data_version_moved():
                return True
            elif self._sleep(min(deadline, time.monotonic() + self._poll_interval_s)):
                return False
            if time.monotonic() >= deadline:
                return False
        return False

    def close(self) -> None:
        """Stop: a waiting ``wait`` returns False at once; the listening connection is closed."""
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(OSError):  # the other end is gone: nobody is waiting
            self._wake_writer.send(b"x")
        # A wait() in a select returns at once; one still connecting (a server slow to answer)
        # releases the connection itself when it returns: closing a window never hangs on it.
        if self._lock.acquire(timeout=CLOSE_WAIT_S):
            try:
                self._release()
            finally:
                self._lock.release()

    def _release(self) -> None:
        self._disconnect()
        self._wake_reader.close()
        self._wake_writer.close()

    def __enter__(self) -> ChangeFeed:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- reading (the showing thread) ---------------------------------------------------

    def latest_event_id(self) -> int:
        """The newest event one may read now (0 if none): where a new reader starts."""
        with self._engine.connect() as connection:
            return int(connection.scalar(select(func.coalesce(func.max(_EVENTS.c.id), 0))) or 0)

    def changes_since(self, last_event_id: int) -> list[Change]:
        """The events after ``last_event_id``, oldest first, at most one batch (read again while a
        batch comes back full); with them any event below it that committed late (see the module's
        docstring): the caller goes on from the largest id returned."""
        now = time.monotonic()
        if self._hidden:
            self._note_position(now)
        start = max(last_event_id, self._passed)
        query = _CHANGE_COLUMNS.where(_EVENTS.c.id > start).order_by(_EVENTS.c.id).limit(self._batch)
        self._gaps = {event_id: at for event_id, at in self._gaps.items() if now - at < GAP_SECONDS}
        gaps = sorted(self._gaps)
        with self._engine.connect() as connection:
            rows = connection.execute(query).all()
            late = connection.execute(_CHANGE_COLUMNS.where(_EVENTS.c.id.in_(gaps))).all() if gaps else []
        for row in late:
            self._gaps.pop(row[0], None)
        self._remember_gaps(start, [row[0] for row in rows], now)
        return [Change(*row) for row in sorted([*late, *rows], key=lambda row: row[0])]

    def _note_position(self, now: float) -> None:
        """Note the id sequence's position (at most once a second), and pass over the one noted
        GAP_SECONDS ago. If it cannot be read (a role without the sequence's grant), reads walk the
        hidden events as before: the window must go on following."""
        while self._positions and now - self._positions[0][0] >= GAP_SECONDS:
            self._passed = max(self._passed, self._positions.popleft()[1])
        if self._positions and now - self._positions[-1][0] < 1.0:
            return
        try:
            with self._engine.connect() as connection:
                self._positions.append((now, int(connection.scalar(SEQUENCE_POSITION) or 0)))
        except SQLAlchemyError:
            log.info("the change feed cannot read the events id sequence; it walks hidden events", exc_info=True)
            self._hidden = False

    def _remember_gaps(self, last_event_id: int, ids: list[int], now: float) -> None:
        previous = last_event_id
        for event_id in ids:
            for skipped in range(max(previous + 1, event_id - MAX_GAPS), event_id):
                self._gaps.setdefault(skipped, now)
            previous = event_id
        while len(self._gaps) > MAX_GAPS:
            del self._gaps[min(self._gaps)]

    # --- the listening connection -----------------------------------------------------

    def _connect(self) -> bool:
        """Open the listening connection; False (and a later retry, paused longer) if the database is not there."""
        try:
            if self._postgres:
                raw = self._engine.raw_connection()  # the project's URL and credentials, whatever they are
                driver: Any = raw.driver_connection
                raw.detach()  # the feed's own from now on, never back to the pool
                driver.rollback()
                driver.autocommit = True
                driver.execute(f"LISTEN {CHANNEL}")
                self._listener = driver
            else:
                import sqlite3

                database = self._engine.url.database or ""
                # mode=rw: the project's file or nothing, never a new empty database beside it.
                uri = database if database.startswith("file:") else f"{Path(database).resolve().as_uri()}?mode=rw"
                self._listener = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
                self._data_version = self._read_data_version()
        except Exception:  # any driver's failure to connect: the feed waits and tries again
            log.info("the change feed cannot listen now; it tries again in %.0f s", self._pause_s, exc_info=True)
            self._disconnect()
            self._retry_at = time.monotonic() + self._pause_s
            self._pause_s = min(self._pause_s * 2, RECONNECT_MAX_S)
            return False
        self._pause_s = RECONNECT_MIN_S
        return True

    def _disconnect(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too; it is dropped anyway
                listener.close()

    def _lost(self) -> None:
        self._disconnect()
        self._retry_at = time.monotonic() + self._pause_s
        self._pause_s = min(self._pause_s * 2, RECONNECT_MAX_S)

    def _wait_notice(self, deadline: float) -> bool:
        """PostgreSQL: sleep on the connection's socket until a notice arrives (True) or the deadline."""
        driver = self._listener
        while True:
            if self._drain_notices(driver):
                return True
            if self._listener is None:
                return True  # the connection dropped: read again once it is back
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                ready, _, _ = select_module.select([driver.fileno(), self._wake_reader], [], [], remaining)
            except (OSError, ValueError):
                self._lost()
                return True
            if not ready or self._wake_reader in ready:  # the deadline, or close()
                return False

    def _drain_notices(self, driver: Any) -> bool:
        """Take every notice that has arrived; several edits' notices are one wake-up."""
        try:
            pgconn = driver.pgconn
            pgconn.consume_input()
            got = False
            while pgconn.notifies() is not None:
                got = True
            return got
        except Exception:  # psycopg.OperationalError and its like: the server or the network went away
            self._lost()
            return False

    def _data_version_moved(self) -> bool:
        try:
            version = self._read_data_version()
        except Exception:  # the file went away or is locked past the busy timeout: try again later
            self._lost()
            return True
        moved = version != self._data_version
        self._data_version = version
        return moved

    def _read_data_version(self) -> int:
        return int(self._listener.execute("PRAGMA data_version").fetchone()[0])

    def _sleep(self, until: float) -> bool:
        """Sleep until ``until`` unless close() wakes us first (then True)."""
        remaining = until - time.monotonic()
        if remaining > 0:
            ready, _, _ = select_module.select([self._wake_reader], [], [], remaining)
            if ready:
                return True
        return self._closed


def layer_changes(old: DocumentView, new: DocumentView, description: str) -> Changes:
    """What turns the layer ``old`` (as shown) into ``new`` (as read now), as one Changes: the window
    applies it like its own edits, so the text, the caret and the scroll position stay."""
    old_spans: dict[int, Span] = {span.id: span for span in old.spans}
    new_spans: dict[int, Span] = {span.id: span for span in new.spans}
    old_relations: dict[int, Relation] = {relation.id: relation for relation in old.relations}
    new_relations: dict[int, Relation] = {relation.id: relation for relation in new.relations}
    return Changes(
        description,
        new.id,
        new.annotator,
        spans_added=tuple(span for span_id, span in new_spans.items() if span_id not in old_spans),
        spans_removed=tuple(span for span_id, span in old_spans.items() if span_id not in new_spans),
        spans_changed=tuple(span for span_id, span in new_spans.items() if old_spans.get(span_id, span) != span),
        relations_added=tuple(r for r_id, r in new_relations.items() if old_relations.get(r_id) != r),
        relations_removed=tuple(r for r_id, r in old_relations.items() if new_relations.get(r_id) != r),
        status=new.status if new.status != old.status else None,
        document_labels_added=tuple(sorted(set(new.document_labels) - set(old.document_labels))),
        document_labels_removed=tuple(sorted(set(old.document_labels) - set(new.document_labels))),
    )


def document_rows(service: AnnotationService, document_ids: Sequence[int]) -> list[DocumentSummary]:
    """The document list's rows of ``document_ids`` in the layer the service edits (one query)."""
    from annotator.queries import document_rows as read_rows

    with service.project.read() as session:
        return read_rows(session, service.project, service.annotator_id, document_ids)
