"""Engine creation: one place that knows how each backend must be configured."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, CursorResult, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DisconnectionError

SQLITE_BUSY_TIMEOUT_MS = 10_000
# A pooled server connection unused this long is pinged before use (a restarted server or a
# dropped network leaves dead connections behind).
IDLE_PING_SECONDS = 30.0


def make_engine(url: str | URL) -> Engine:
    """An engine for any SQLAlchemy URL; SQLite gets WAL, foreign keys and a busy timeout."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        engine = create_engine(url)
        _ping_after_idle(engine)
        return engine
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
    _configure_sqlite(engine)
    return engine


def inserted_id(result: CursorResult[Any]) -> int:
    """The primary key of the row a single-row INSERT (no RETURNING) just wrote."""
    key = result.inserted_primary_key
    if key is None:  # SQLAlchemy gives None only after an executemany, which a single-row INSERT is not
        raise RuntimeError("inserted_id() needs the result of a single-row INSERT")
    return int(key[0])


def writer(engine: Engine) -> Engine:
    """The same engine, but its transactions take SQLite's write lock up front.

    A deferred transaction that reads and then writes can fail at once with
    'database is locked' (no busy wait is possible on a read->write upgrade);
    BEGIN IMMEDIATE waits for the lock instead. Other backends ignore the option.
    """
    return engine.execution_options(sqlite_begin="IMMEDIATE")


@contextmanager
def read_snapshot(engine: Engine) -> Iterator[Connection]:
    """A connection whose every query sees the database at one moment, and that never writes.

    PostgreSQL runs READ COMMITTED by default: each statement gets a new snapshot, so a reader
    of several queries (an export reads spans, then attributes, then relations, per chunk) could
    mix two states and show an ACTOR without the kind it always had. REPEATABLE READ READ ONLY
    gives the whole transaction the snapshot of its first query, and never blocks a writer.
    SQLite: one deferred read transaction, which in WAL mode also sees one moment and neither
    waits for nor blocks a writer.
    """
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _ping_after_idle(engine: Engine) -> None:
    """pool_pre_ping, but only for a connection that sat idle in the pool for a while.

    SQLAlchemy's pre-ping costs a round trip on every checkout, so one more per edit; back to
    back actions reuse a connection that was fine a moment ago. One that died within the idle
    time fails its action once, and SQLAlchemy then drops the pool's connections.
    """

    @event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise DisconnectionError(str(error)) from error  # the pool retries with a new connection


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
        # FULL: a commit is on disk when the call returns, so no edit is ever lost.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")
