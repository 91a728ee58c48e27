"""One edit's conversation with the database, in two exchanges whatever the backend.

An edit reads what its checks need, checks in Python, then writes. Sent one statement at a
time, that was 7-9 round trips to a PostgreSQL server per edit (BEGIN, the layer lock, each
read, each write, the event row, COMMIT), so a remote server added 7-9x its latency. Here
an edit is:

1. ``read``: BEGIN, the layer lock, then every read the command needs, sent together;
2. ``commit``: every write, the event row and COMMIT, sent together.

On PostgreSQL each exchange is one round trip: the statements go out in psycopg's pipeline
mode and run on the server one after another, so the reads still run after the lock is
granted and see everything its previous holder committed (READ COMMITTED takes a snapshot
per statement). psycopg would send its own BEGIN as a separate round trip, so the connection
runs in autocommit for the edit and the BEGIN is ours, sent with the lock. SQLite has no
server: the same statements run one after another in-process, under the BEGIN IMMEDIATE
that already serialises writers (db/locks.py); each is tagged with its exchange's number
(execution option ``EXCHANGE_OPTION``) so a test can see which exchange ran what.

A command that needs a new row's id gets it in its read exchange (``next_id``), so no write
has to answer before the next one goes out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table, column, func, select, table
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

from annotator.db.locks import layer_lock

EXCHANGE_OPTION = "annotator_exchange"
Rows = Sequence[Sequence[Any]]
# SQLite's own table of AUTOINCREMENT counters (one row per such table, never more).
_SQLITE_SEQUENCE = table("sqlite_sequence", column("name"), column("seq"))


class EditTransaction:
    """Reads and writes of one edit of one annotator's layer; one transaction."""

    def __init__(self, session: Session, annotator_id: int) -> None:
        self.session = session
        self.annotator_id = annotator_id
        self.postgres = session.get_bind().dialect.name == "postgresql"
        # PostgreSQL: autocommit in the driver, so that BEGIN is sent by us, together with the lock.
        # SQLAlchemy puts the connection back to its usual mode when it returns to the pool.
        options = {"isolation_level": "AUTOCOMMIT"} if self.postgres else None
        self.connection: Connection = session.connection(execution_options=options)
        self.exchanges = 0
        self._begun = False
        self._writes: list[Executable] = []

    def read(self, *statements: Executable) -> list[Rows]:
        """The rows of each statement, read in one exchange; the first also begins and locks.

        Writes queued before go out first, in the same exchange: a read sees every earlier
        write of the transaction (the commands of a group read what the ones before wrote).
        """
        writes, self._writes = self._writes, []
        return self._exchange([*writes, *statements], finish=False)[len(writes) :]

    def write(self, *statements: Executable) -> None:
        """Queue writes; they go out with the next read or the COMMIT, in the order given."""
        self._writes.extend(statements)

    def commit(self) -> None:
        """Send the queued writes and COMMIT in one exchange."""
        writes, self._writes = self._writes, []
        self._exchange(writes, finish=True)

    def rollback(self) -> None:
        """End the transaction after a failure (PostgreSQL: our BEGIN is the driver's to undo)."""
        if self.postgres and self._begun:
            driver = self.connection.connection.driver_connection
            if driver is not None and not driver.closed:
                driver.rollback()  # sends ROLLBACK only if the server holds a transaction open
        self._writes.clear()

    def next_id(self, rows: Table) -> Executable:
        """A read giving the id the next row of ``rows`` will have (ids are never reused)."""
        if self.postgres:
            return select(func.nextval(func.pg_get_serial_sequence(rows.name, "id")))
        # AUTOINCREMENT's own rule: one more than the largest id the table ever had. The
        # transaction holds SQLite's write lock, so nobody else can take this id.
        ever = select(_SQLITE_SEQUENCE.c.seq).where(_SQLITE_SEQUENCE.c.name == rows.name)
        largest = select(func.max(rows.c.id))
        return select(
            func.max(func.coalesce(ever.scalar_subquery(), 0), func.coalesce(largest.scalar_subquery(), 0)) + 1
        )

    # --- internals --------------------------------------------------------------------

    def _exchange(self, statements: list[Executable], *, finish: bool) -> list[Rows]:
        self.exchanges += 1
        if not self.postgres:  # BEGIN IMMEDIATE, the lock, was sent when the session began
            tag = {EXCHANGE_OPTION: self.exchanges}
            return [_rows(self.connection.execute(statement, execution_options=tag)) for statement in statements]
        first, self._begun = not self._begun, True
        head = [("BEGIN", {}), _driver_statement(layer_lock(self.annotator_id), self.connection)] if first else []
        tail: list[tuple[str, dict[str, Any]]] = [("COMMIT", {})] if finish else []
        body = [_driver_statement(statement, self.connection) for statement in statements]
        rows = self._pipelined([*head, *body, *tail])
        return rows[len(head) : len(head) + len(body)]

    def _pipelined(self, statements: list[tuple[str, dict[str, Any]]]) -> list[Rows]:
        """Send every statement, then wait once for all the answers (psycopg's pipeline mode)."""
        dbapi_error = self.connection.dialect.loaded_dbapi.Error
        driver = self.connection.connection.driver_connection
        assert driver is not None
        cursors: list[Any] = []
        failure: Exception | None = None
        try:
            with driver.pipeline():
                try:  # an error shows at a later execute; caught here, psycopg logs nothing on exit
                    for sql, parameters in statements:
                        cursor = driver.cursor()
                        cursor.execute(sql, parameters)
                        cursors.append(cursor)
                except dbapi_error as error:
                    failure = error
        except dbapi_error as error:  # the first error of the pipeline, or "pipeline aborted" after it
            failure = failure or error
        if failure is None:
            return [cursor.fetchall() if cursor.description is not None else [] for cursor in cursors]
        if driver.closed:  # the server went away: this connection must not go back to the pool
            self.connection.invalidate(failure)
        # The server names the error, not which statement of the exchange it came from.
        sql = ";\n".join(sql for sql, _parameters in statements)
        raise DBAPIError.instance(sql, [p for _sql, p in statements], failure, dbapi_error) from failure


def _driver_statement(statement: Executable, connection: Connection) -> tuple[str, dict[str, Any]]:
    """A statement as the driver takes it: SQL text and parameters, values converted by their
    column types as SQLAlchemy would (JSON values wrapped for psycopg, say)."""
    dialect = connection.dialect
    compiled: Compiled = statement.compile(dialect=dialect)  # type: ignore[attr-defined]
    parameters = dict(compiled.construct_params() or {})
    for key, value in parameters.items():
        bind = compiled.binds.get(key)  # type: ignore[attr-defined]
        processor = bind.type.dialect_impl(dialect).bind_processor(dialect) if bind is not None else None
        if processor is not None:
            parameters[key] = processor(value)
    return compiled.string, parameters


def _rows(result: Any) -> Rows:
    rows: Rows = result.all() if result.returns_rows else []
    return rows
