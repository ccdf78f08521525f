"""Rows a batch writes with SQL bulk statements instead of ORM objects.

A view that only ever sets a whole row from an event (the latest revision of an
assessment) does not need the row that was there: it states the row, by primary
key, and the batch writes the last state of each key once, at its end, with one
INSERT … ON CONFLICT DO UPDATE executed for all of them. In a rebuild that
replaced an ORM object per row (instrumented attribute sets, the unit of work,
a SELECT for the existing rows), which cost more than everything else together.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


class PendingUpserts:
    """Per table, the latest row stated for each primary key in this batch."""

    def __init__(self) -> None:
        self._rows: dict[Table, dict[tuple[Any, ...], dict[str, Any]]] = {}

    def put(self, table: Table, key: tuple[Any, ...], row: dict[str, Any]) -> None:
        rows = self._rows.get(table)
        if rows is None:
            rows = self._rows[table] = {}
        rows[key] = row

    def write(self, conn: Connection) -> None:
        for table, rows in self._rows.items():
            if rows:
                # In key order: two processes racing over the same batch lock the
                # rows in the same order (PostgreSQL), so one waits, none deadlocks;
                # the loser's tracking update then finds it moved on.
                conn.execute(_upsert(table, conn.dialect.name), [rows[k] for k in sorted(rows)])
        self._rows.clear()


@lru_cache(maxsize=128)
def _upsert(table: Table, dialect: str) -> Any:
    """Built once per table: an ``excluded`` per column cost more to build than
    the one-row batch of a command spent on everything else (cProfile)."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    keys = {c.name for c in table.primary_key.columns}
    return statement.on_conflict_do_update(
        index_elements=sorted(keys),
        set_={c.name: statement.excluded[c.name] for c in table.columns if c.name not in keys},
    )
