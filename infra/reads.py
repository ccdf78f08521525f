"""The engine a partition's reads go through, and the driver's way for the few
fixed statements that every request or every projection pass sends."""

from __future__ import annotations

import hashlib
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine
from sqlalchemy.sql import ClauseElement


def reads(engine: Engine) -> Engine:
    """``engine`` for reads that are one statement each (or statements that need
    no common snapshot): on PostgreSQL in autocommit, so that a read is one round
    trip, with no BEGIN before it and no ROLLBACK when its connection goes back to
    the pool (both cost a round trip and CPU on every view request). Each statement
    sees the database as of its own start, as it did in its own transaction under
    READ COMMITTED. Writes keep ``engine`` and its transactions. SQLite: unchanged
    (pysqlite begins no transaction for a SELECT)."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")  # type: ignore[return-value]


@contextmanager
def driver_connection(engine: Engine) -> Iterator[Any]:
    """A pooled connection's driver (DBAPI) connection, idle (no transaction open),
    handed back to the pool as it was lent: psycopg's, for ``libpq_rows``, or
    sqlite3's (pysqlite begins no transaction for a SELECT)."""
    pooled = engine.raw_connection()
    try:
        yield pooled.driver_connection
    finally:
        pooled.close()


# How libpq_rows reads a column's text, by the column's type (its OID in pg_type).
_TEXT_READERS: dict[int, Callable[[bytes], Any]] = {
    16: lambda text: text == b"t",  # boolean
    20: int,  # bigint
    21: int,  # smallint
    23: int,  # integer
    25: bytes.decode,  # text
    1043: bytes.decode,  # varchar
    2278: lambda text: None,  # void (a function called for its effect: pg_notify)
}

# Statements libpq_rows keeps prepared on one connection; the oldest is deallocated
# beyond it (each cluster schema's statements are texts of their own).
PREPARED_PER_CONNECTION = 256
_UNKNOWN_STATEMENT = b"26000"  # invalid_sql_statement_name: deallocated meanwhile
_ALREADY_PREPARED = b"42P05"  # duplicate_prepared_statement
_OK = (pq.ExecStatus.TUPLES_OK, pq.ExecStatus.COMMAND_OK)


def libpq_rows(conn: Any, sql: bytes, params: Sequence[int | str] = ()) -> list[tuple[Any, ...]]:
    """The rows of one statement, prepared once per connection and executed on an
    idle psycopg connection's libpq handle (``psycopg.pq``): the server runs it in a
    transaction of its own, as in autocommit, and psycopg's connection stays idle,
    so no autocommit switch, no BEGIN and no ROLLBACK. For the few fixed statements
    sent on every request or projection pass: psycopg's cursor (its generators,
    waits and adaptation) cost about twice the client CPU of this way for them
    (70-90 against 30-40 µs per statement on this machine), and an unprepared
    statement twice the server's. Parameters are integers or text ($1, $2, ...);
    columns booleans, integers, text (UTF-8) or void, or null. A failure raises
    psycopg's error for its SQLSTATE, as psycopg would."""
    pgconn = conn.pgconn
    args = [str(p).encode() for p in params]
    known = _prepared_on(conn)
    result = pgconn.exec_prepared(_prepared(pgconn, known, sql), args)
    if result.status not in _OK and _state(result) == _UNKNOWN_STATEMENT:
        # psycopg deallocates every prepared statement after a rollback on this connection.
        known.pop(sql, None)
        result = pgconn.exec_prepared(_prepared(pgconn, known, sql), args)
    if result.status not in _OK:
        raise _error(result)
    readers = [_reader(result.ftype(column)) for column in range(result.nfields)]
    value = result.get_value
    return [
        tuple(
            None if (text := value(row, column)) is None else read(text)
            for column, read in enumerate(readers)
        )
        for row in range(result.ntuples)
    ]


# The statements prepared on each connection: text -> name, oldest first.
_PREPARED: weakref.WeakKeyDictionary[Any, OrderedDict[bytes, bytes]] = weakref.WeakKeyDictionary()
_PREPARED_LOCK = threading.Lock()


def _prepared_on(conn: Any) -> OrderedDict[bytes, bytes]:
    known = _PREPARED.get(conn)
    if known is None:
        with _PREPARED_LOCK:
            known = _PREPARED.setdefault(conn, OrderedDict())
    return known


def _prepared(pgconn: Any, known: OrderedDict[bytes, bytes], sql: bytes) -> bytes:
    """The name ``sql`` is prepared under on this connection, prepared now if new.
    The name comes from the text, so a statement prepared before this process
    knew it (or knew it again) is simply used."""
    name = known.get(sql)
    if name is not None:
        known.move_to_end(sql)
        return name
    name = b"cw_" + hashlib.sha256(sql).hexdigest()[:24].encode()
    result = pgconn.prepare(name, sql)
    if result.status not in _OK and _state(result) != _ALREADY_PREPARED:
        raise _error(result)
    known[sql] = name
    if len(known) > PREPARED_PER_CONNECTION:
        _, oldest = known.popitem(last=False)
        _deallocate(pgconn, oldest)
    return name


def _deallocate(pgconn: Any, name: bytes) -> None:
    """As psycopg does it: the protocol's Close where libpq has it (17 and later; what
    PgBouncer 1.21 and later pass on in transaction mode), else SQL's DEALLOCATE."""
    if psycopg.capabilities.has_send_close_prepared():
        pgconn.close_prepared(name)
    else:
        pgconn.exec_(b"DEALLOCATE " + name)


def _reader(oid: int) -> Callable[[bytes], Any]:
    found = _TEXT_READERS.get(oid)
    if found is None:
        raise TypeError(f"libpq_rows reads no column of type oid {oid}")
    return found


def _state(result: Any) -> bytes | None:
    state: bytes | None = result.error_field(pq.DiagnosticField.SQLSTATE)
    return state


def _error(result: Any) -> psycopg.Error:
    state = _state(result)
    message = (result.error_message or b"statement failed").decode(errors="replace").strip()
    try:
        kind = psycopg.errors.lookup(state.decode()) if state else psycopg.OperationalError
    except KeyError:
        kind = psycopg.DatabaseError
    return kind(message)


class DriverStatement:
    """A fixed statement without parameters, compiled once for ``engine`` (its
    dialect, its schema translation) and sent through the driver: on PostgreSQL
    through ``libpq_rows``. SQLAlchemy's execution of a statement (connection,
    context, result, the driver's column descriptions) costs about twice the CPU
    of the round trip itself, and psycopg's cursor twice that of libpq; a
    statement sent on every request or projection pass is worth the difference.
    Rows come without SQLAlchemy's type conversion: only for columns read as they
    are (integers, text)."""

    def __init__(self, engine: Engine, statement: ClauseElement) -> None:
        self.engine = engine
        self.statement = statement

    @cached_property
    def sql(self) -> str:
        """The statement's text, compiled on first use (a read model made for one
        request, as of a past position, may never send it)."""
        translate = self.engine.get_execution_options().get("schema_translate_map")
        compiled = self.statement.compile(
            dialect=self.engine.dialect,
            schema_translate_map=translate,
            render_schema_translate=bool(translate),
            compile_kwargs={"literal_binds": True},
        )
        return compiled.string

    @cached_property
    def _encoded(self) -> bytes:
        return self.sql.encode()

    def rows(self) -> list[tuple[Any, ...]]:
        with driver_connection(self.engine) as conn:
            if self.engine.dialect.name == "postgresql":
                return libpq_rows(conn, self._encoded)
            cursor = conn.cursor()
            try:
                cursor.execute(self.sql)
                return list(cursor.fetchall())
            finally:
                cursor.close()
