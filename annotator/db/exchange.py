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

A command that needs a new row's id gets it in its read exchange (``next_id``, ``next_ids``),
so no write has to answer before the next one goes out. A write of many rows of one table
(a batch: one statement, a list of parameter sets) is one executemany: SQLite's, or psycopg's
riding the pipeline, so it adds no round trip whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Dialect, Insert, Table, bindparam, column, func, select, table
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable
from sqlalchemy.sql.compiler import Compiled

from annotator.db.locks import LAYER_LOCK
from annotator.errors import ProjectError, RefusedError, ValidationError
from annotator.team.identity import INSUFFICIENT_PRIVILEGE, first_line, refusal, sqlstate

EXCHANGE_OPTION = "annotator_exchange"
Rows = Sequence[Sequence[Any]]
# A statement built once (commands/statements.py) and the values of its parameters, or a
# list of them (a batch: the statement runs once per parameter set, as one executemany).
Values = Mapping[str, Any] | Sequence[Mapping[str, Any]]
Statement = tuple[Executable, Values]
DriverStatement = tuple[str, dict[str, Any] | list[dict[str, Any]]]
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
        # A read sent with the first exchange and checked on its answer before the command sees
        # any (annotator/shown_layer.py: the layer shown is not stale); it may raise.
        self.guard: tuple[Statement, Callable[[Rows], None]] | None = None
        self._begun = False
        self._writes: list[Statement] = []

    def read(self, *statements: Statement) -> list[Rows]:
        """The rows of each statement, read in one exchange; the first also begins and locks.

        Writes queued before go out first, in the same exchange: a read sees every earlier
        write of the transaction (the commands of a group read what the ones before wrote).
        """
        writes, self._writes = self._writes, []
        return self._exchange([*writes, *statements], finish=False)[len(writes) :]

    def write(self, *statements: Statement) -> None:
        """Queue writes; they go out with the next read or the COMMIT, in the order given."""
        self._writes.extend(statements)

    def commit(self, *reads: Statement) -> list[Rows]:
        """Send the queued writes, then ``reads``, and COMMIT, in one exchange; the reads' rows.

        An edit with nothing to check first (adding reading time) is this one exchange.
        """
        writes, self._writes = self._writes, []
        return self._exchange([*writes, *reads], finish=True)[len(writes) :]

    def rollback(self) -> None:
        """End the transaction after a failure (PostgreSQL: our BEGIN is the driver's to undo)."""
        if self.postgres and self._begun:
            driver = self.connection.connection.driver_connection
            if driver is not None and not driver.closed:
                driver.rollback()  # sends ROLLBACK only if the server holds a transaction open
        self._writes.clear()

    def next_id(self, rows: Table) -> Statement:
        """A read giving the id the next row of ``rows`` will have (ids are never reused)."""
        key = (rows.name, self.postgres)
        statement = _NEXT_ID.get(key)
        if statement is None:
            statement = _NEXT_ID[key] = _next_id(rows, self.postgres)
        return statement, {}

    def next_ids(self, rows: Table, count: int) -> Statement:
        """A read giving what ``new_ids`` needs for the ids of the next ``count`` rows of ``rows``."""
        if not self.postgres:  # the first id; the rest follow it (SQLite's write lock is held)
            return self.next_id(rows)
        key = (rows.name, True, "many")
        statement = _NEXT_ID.get(key)
        if statement is None:
            sequence = func.pg_get_serial_sequence(rows.name, "id")
            numbers = func.generate_series(1, bindparam("count")).table_valued("n")
            statement = _NEXT_ID[key] = select(func.nextval(sequence)).select_from(numbers)
        return statement, {"count": count}

    def new_ids(self, found: Rows, count: int) -> list[int]:
        """The ids read by ``next_ids(rows, count)``, in increasing order."""
        if not self.postgres:
            first = int(found[0][0])
            return list(range(first, first + count))
        return sorted(int(row[0]) for row in found)

    # --- internals --------------------------------------------------------------------

    def _exchange(self, statements: list[Statement], *, finish: bool) -> list[Rows]:
        guard, self.guard = self.guard, None
        if guard is not None:
            check_read, check = guard
            if finish:  # nothing read yet: checked in an exchange of its own, never after the COMMIT
                check(self._exchange([check_read], finish=False)[0])
            else:
                rows = self._exchange([check_read, *statements], finish=False)
                check(rows[0])
                return rows[1:]
        self.exchanges += 1
        if not self.postgres:  # BEGIN IMMEDIATE, the lock, was sent when the session began
            tag = {EXCHANGE_OPTION: self.exchanges}
            return [
                _rows(self.connection.execute(statement, _parameters(values), execution_options=tag))
                for statement, values in statements
            ]
        first, self._begun = not self._begun, True
        lock = (LAYER_LOCK, {"annotator_id": self.annotator_id})
        head: list[DriverStatement] = [("BEGIN", {}), _driver_statement(lock, self.connection.dialect)] if first else []
        tail: list[DriverStatement] = [("COMMIT", {})] if finish else []
        body = [_driver_statement(statement, self.connection.dialect) for statement in statements]
        rows = self._pipelined([*head, *body, *tail])
        return rows[len(head) : len(head) + len(body)]

    def _pipelined(self, statements: list[DriverStatement]) -> list[Rows]:
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
                        if isinstance(parameters, list):  # a batch: rides this pipeline, no Sync of its own
                            cursor.executemany(sql, parameters)
                        else:
                            cursor.execute(sql, parameters)
                        cursors.append(cursor)
                except dbapi_error as error:
                    failure = error
        except dbapi_error as error:  # the first error of the pipeline, or "pipeline aborted" after it
            failure = failure or error
        if failure is None:
            return [cursor.fetchall() if cursor.description is not None else [] for cursor in cursors]
        # The server names the error, not which statement of the exchange it came from.
        sql = ";\n".join(sql for sql, _parameters in statements)
        raise DBAPIError.instance(sql, [p for _sql, p in statements], failure, dbapi_error) from failure


def _next_id(rows: Table, postgres: bool) -> Executable:
    if postgres:
        return select(func.nextval(func.pg_get_serial_sequence(rows.name, "id")))
    # AUTOINCREMENT's own rule: one more than the largest id the table ever had. The
    # transaction holds SQLite's write lock, so nobody else can take this id.
    ever = select(_SQLITE_SEQUENCE.c.seq).where(_SQLITE_SEQUENCE.c.name == rows.name).scalar_subquery()
    largest = select(func.max(rows.c.id)).scalar_subquery()
    return select(func.max(func.coalesce(ever, 0), func.coalesce(largest, 0)) + 1)


class _DriverForm:
    """A statement compiled for the driver, with the converters of its parameters' types."""

    def __init__(self, compiled: Compiled) -> None:
        self.compiled = compiled
        dialect = compiled.dialect
        self.processors = {
            key: processor
            for key, bind in compiled.binds.items()  # type: ignore[attr-defined]
            if (processor := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }

    def bind(self, values: Mapping[str, Any]) -> dict[str, Any]:
        parameters = dict(self.compiled.construct_params(dict(values)) or {})
        for key, processor in self.processors.items():
            if key in parameters:
                parameters[key] = processor(parameters[key])
        return parameters


# Compiled once per statement (and, for an INSERT, per set of columns given). The statements
# are module constants, so this holds a few dozen entries; the bound is for a caller that
# builds a new statement each time (correct, only slower).
_DRIVER_FORMS: dict[tuple[Executable, str, tuple[str, ...]], _DriverForm] = {}
_DRIVER_FORMS_BOUND = 1000
_NEXT_ID: dict[tuple[object, ...], Executable] = {}


def _parameters(values: Values) -> dict[str, Any] | list[dict[str, Any]]:
    return dict(values) if isinstance(values, Mapping) else [dict(row) for row in values]


def _driver_statement(statement: Statement, dialect: Dialect) -> DriverStatement:
    """A statement as the driver takes it: SQL text and parameters (a list of them for a batch),
    values converted by their column types as SQLAlchemy would (JSON values wrapped for psycopg, say)."""
    executable, values = statement
    batch = [] if isinstance(values, Mapping) else list(values)
    first = values if isinstance(values, Mapping) else batch[0]
    columns = tuple(sorted(first)) if isinstance(executable, Insert) else ()
    key = (executable, dialect.name, columns)
    form = _DRIVER_FORMS.get(key)
    if form is None:
        if len(_DRIVER_FORMS) >= _DRIVER_FORMS_BOUND:
            _DRIVER_FORMS.clear()
        compiled = executable.compile(dialect=dialect, column_keys=list(columns))  # type: ignore[attr-defined]
        form = _DRIVER_FORMS[key] = _DriverForm(compiled)
    if isinstance(values, Mapping):
        return form.compiled.string, form.bind(values)
    return form.compiled.string, [form.bind(row) for row in batch]


def _rows(result: Any) -> Rows:
    rows: Rows = result.all() if result.returns_rows else []
    return rows


@contextmanager
def refusals_as_errors(session: Session) -> Iterator[None]:
    """Database-level refusals of a write as the core's own errors; the session closed after."""
    try:
        yield
    except (IntegrityError, DataError) as error:
        raise ValidationError(f"refused by the database: {error.orig}") from error
    except OperationalError as error:
        if error.connection_invalidated:  # the server went away: nothing was committed, nothing refused
            raise ProjectError(
                f"the change was not saved: the connection to the database server was lost ({first_line(error)}); "
                "check the server or the network, then try again"
            ) from error
        raise ProjectError(f"the database refused the change: {error.orig}") from error
    except DBAPIError as error:
        if sqlstate(error) != INSUFFICIENT_PRIVILEGE:
            raise
        raise RefusedError(
            f"{refusal(error)}: your role may not make this change (on a team's database an annotator writes "
            "only their own layer, a reviewer theirs and gold); nothing was changed. Ask the team's admin"
        ) from error
    finally:
        session.close()
