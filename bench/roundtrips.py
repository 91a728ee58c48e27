"""Counting what an edit sends to the database, and checking the plan of every statement.

The counting rule (bench/edits.py and tests/*/test_edit_round_trips.py use it):

- A round trip is one exchange: the client sends one or more statements and waits for the
  answer before it can go on. That wait is what a remote server multiplies.
- PostgreSQL: counted on the wire, from libpq's trace of the connection: every time the
  client sends messages after having received some is one round trip. psycopg's own
  BEGIN, a pool pre-ping and COMMIT count like any query.
- SQLite has no server and no wire: every statement is a call into the library in the same
  process. We count the statements (BEGIN IMMEDIATE and COMMIT included) and, as round trips,
  the exchanges the service makes: the statements it sends together, which on a server are
  one round trip each (annotator/db/exchange.py tags each statement with its exchange).
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, event

from annotator.db.exchange import EXCHANGE_OPTION, DriverStatement, EditTransaction

# Tables whose size grows with the project: no statement of an edit may scan one.
GROWING = ("documents", "spans", "span_attributes", "relations", "events", "document_status", "document_labels")
# What deleting a span makes the database look up in other tables (ON DELETE CASCADE):
# these run inside the DELETE, so no plan of the edit's own statements shows them.
CASCADE_LOOKUPS = (
    "SELECT 1 FROM relations WHERE head_span_id = 1",
    "SELECT 1 FROM relations WHERE tail_span_id = 1",
    "SELECT 1 FROM span_attributes WHERE span_id = 1",
)


@dataclass
class Traffic:
    """What one edit sent: statements (SQL, parameters) and the round trips they took."""

    statements: list[tuple[str, Any]] = field(default_factory=list)
    round_trips: int = 0
    exchanges: set[int] = field(default_factory=set)  # SQLite: the exchange tags seen
    untagged: list[str] = field(default_factory=list)  # SQLite: statements outside any exchange


@contextmanager
def sqlite_traffic(engine: Engine) -> Iterator[Traffic]:
    traffic = Traffic()

    def on_execute(_conn: Any, _cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> None:
        # A batch is one call (executemany), whatever its rows: its first row stands for them in plans.
        traffic.statements.append((statement, parameters[0] if many else parameters))
        tag = context.execution_options.get(EXCHANGE_OPTION) if context is not None else None
        if tag is not None:
            traffic.exchanges.add(tag)
        elif not statement.startswith("BEGIN"):
            traffic.untagged.append(statement)

    def on_commit(_conn: Any) -> None:
        traffic.statements.append(("COMMIT", ()))

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "commit", on_commit)
    try:
        yield traffic
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
        event.remove(engine, "commit", on_commit)
    # BEGIN IMMEDIATE belongs to the first exchange, COMMIT to the last; an untagged
    # statement is one more exchange of its own.
    traffic.round_trips = len(traffic.exchanges) + len(traffic.untagged)


@contextmanager
def postgres_traffic(engine: Engine) -> Iterator[Traffic]:
    """Trace the wire of every connection the block checks out; also records the statements
    the edit's exchanges sent (for their plans)."""
    with tempfile.TemporaryFile("w+") as trace:
        yield from _traced(engine, trace)


def _traced(engine: Engine, trace: Any) -> Iterator[Traffic]:
    import psycopg.pq as pq

    traffic = Traffic()
    traced: list[Any] = []
    original = EditTransaction._pipelined

    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        dbapi_connection.pgconn.trace(trace.fileno())
        dbapi_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE)
        traced.append(dbapi_connection)

    def recording(self: EditTransaction, statements: list[DriverStatement]) -> Any:
        # A batch (executemany) is one statement here, its first row standing for them in plans.
        traffic.statements.extend((sql, p[0] if isinstance(p, list) else p) for sql, p in statements)
        return original(self, statements)

    event.listen(engine, "checkout", on_checkout)
    EditTransaction._pipelined = recording  # type: ignore[method-assign]
    try:
        yield traffic
    finally:
        EditTransaction._pipelined = original  # type: ignore[method-assign]
        event.remove(engine, "checkout", on_checkout)
        for connection in traced:
            if not connection.closed:
                connection.pgconn.untrace()
        trace.flush()
        trace.seek(0)
        traffic.round_trips = wire_round_trips(trace.read())


def wire_round_trips(trace: str) -> int:
    """Client turns in a libpq trace: runs of frontend (F) messages after backend (B) ones."""
    turns, last = 0, ""
    for line in trace.splitlines():
        direction = line.split("\t", 1)[0]
        if direction not in ("F", "B"):
            continue  # the rest of a multi-line message
        if direction == "F" and last != "F":
            turns += 1
        last = direction
    return turns


def sqlite_scans(connection: Any, statements: list[tuple[str, Any]]) -> list[str]:
    """Each plan step that scans a growing table, for the statements and the cascade lookups."""
    found = []
    for sql, parameters in [*statements, *((q, ()) for q in CASCADE_LOOKUPS)]:
        if sql.startswith(("BEGIN", "COMMIT")):
            continue
        for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", parameters or ()):
            detail = row[-1]
            if re.match(rf"SCAN ({'|'.join(GROWING)})\b", detail):
                found.append(f"{detail}  <- {one_line(sql)}")
    return found


def postgres_scans(connection: Any, statements: list[tuple[str, Any]]) -> list[str]:
    """Each Seq Scan of a growing table in the plans (psycopg connection; EXPLAIN runs nothing)."""
    found = []
    for sql, parameters in [*statements, *((q, {}) for q in CASCADE_LOOKUPS)]:
        if sql in ("BEGIN", "COMMIT"):
            continue
        for (line,) in connection.execute(f"EXPLAIN {sql}", parameters or None):
            if re.search(rf"Seq Scan on ({'|'.join(GROWING)})\b", line):
                found.append(f"{line.strip()}  <- {one_line(sql)}")
    return found


def one_line(sql: str) -> str:
    return " ".join(sql.split())[:110]
