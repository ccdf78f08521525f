"""A sealed cluster store: its log refuses every append, in the database itself.

A cluster that is moving (and, once moved, its old store) must refuse writes
from every process, including servers that started long before the move and
hold the store open. An in-process flag could not reach them, and a flag read
before each command would race the command's append. So the seal is a trigger
on the events table: the database refuses the INSERT inside the append's own
transaction, whatever process runs it, and nothing is recorded. Sealing takes
the same lock as an append (SQLite's write lock; PostgreSQL's lock on the
events table), so it waits for appends in flight and every later append sees it.
The trigger exists only while sealed: an unsealed store pays nothing.

The refusal carries ``SEALED_MARK`` and the reason; the recorders turn it into
a CONFLICT with that reason (``sealed_conflict``). ``cluster_seal`` keeps the
reason readable for ``clusterwork cluster status``.
"""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError, ProgrammingError

from domain.errors import Conflict

SEALED_MARK = "clusterwork-sealed: "
TRIGGER = "clusterwork_sealed"


def sealed_conflict(error: BaseException) -> Conflict | None:
    """The CONFLICT to answer for an append the seal refused (None for any other error)."""
    message = str(error)
    start = message.find(SEALED_MARK)
    if start < 0:
        return None
    reason = message[start + len(SEALED_MARK) :].splitlines()[0].strip()
    return Conflict(reason)


def seal(engine: Engine, schema: str | None, reason: str) -> None:
    """Seals the store of ``engine`` (a PostgreSQL schema when ``schema`` is given)."""
    message = (SEALED_MARK + reason).replace("'", "''")
    if schema is None:
        statements = [
            "DELETE FROM stored_events WHERE rowid = 0",  # the write lock, as an append takes it
            "CREATE TABLE IF NOT EXISTS cluster_seal (reason TEXT NOT NULL)",
            "DELETE FROM cluster_seal",
            f"INSERT INTO cluster_seal (reason) VALUES ('{reason.replace(chr(39), chr(39) * 2)}')",
            f"DROP TRIGGER IF EXISTS {TRIGGER}",
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON stored_events "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        ]
    else:
        s = f'"{schema}"'
        statements = [
            f"LOCK TABLE {s}.stored_events IN EXCLUSIVE MODE",  # waits for appends in flight
            f"CREATE TABLE IF NOT EXISTS {s}.cluster_seal (reason text NOT NULL)",
            f"DELETE FROM {s}.cluster_seal",
            f"INSERT INTO {s}.cluster_seal (reason) VALUES ('{reason.replace(chr(39), chr(39) * 2)}')",
            # check_violation: the driver reports an integrity error, as for a refused key.
            f"CREATE OR REPLACE FUNCTION {s}.{TRIGGER}() RETURNS trigger LANGUAGE plpgsql AS "
            f"$seal$ BEGIN RAISE EXCEPTION USING ERRCODE = 'check_violation', "
            f"MESSAGE = '{message}'; END $seal$",
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {s}.stored_events",
            f"CREATE TRIGGER {TRIGGER} BEFORE INSERT ON {s}.stored_events "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {s}.{TRIGGER}()",
        ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def unseal(engine: Engine, schema: str | None) -> None:
    """Lifts the seal (a move that failed leaves the cluster where it was)."""
    if schema is None:
        statements = [f"DROP TRIGGER IF EXISTS {TRIGGER}", "DROP TABLE IF EXISTS cluster_seal"]
    else:
        s = f'"{schema}"'
        statements = [
            f"DROP TRIGGER IF EXISTS {TRIGGER} ON {s}.stored_events",
            f"DROP FUNCTION IF EXISTS {s}.{TRIGGER}()",
            f"DROP TABLE IF EXISTS {s}.cluster_seal",
        ]
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(text(statement))


def seal_reason(engine: Engine, schema: str | None) -> str | None:
    """Why the store is sealed, or None when it takes writes."""
    table = "cluster_seal" if schema is None else f'"{schema}".cluster_seal'
    try:
        with engine.connect() as conn:
            row = conn.execute(text(f"SELECT reason FROM {table}")).first()
    except (OperationalError, ProgrammingError):  # no such table: never sealed
        return None
    return None if row is None else str(row[0])
