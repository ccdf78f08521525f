"""A cluster's event store in its own SQLite file.

The library's events table plus one ``hash`` column; an event's position is
its rowid (the library's notification id), assigned by the recorder from the
chain head (infra/eventstore/chain_rows.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from infra.compat.eventsourcing import StatementCachingPool
from infra.eventstore.chain_rows import Head, HeadGuess, append_guessing, chain_rows
from infra.eventstore.seal import sealed_conflict

POSITION_KEY = "stored_events.rowid"  # how SQLite names the key in a UNIQUE error
INSERT = (
    "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state, hash) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        self.head = HeadGuess()
        super().__init__(datastore)

    def construct_create_table_statements(self) -> list[str]:
        return [
            "CREATE TABLE IF NOT EXISTS stored_events ("
            "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "hash TEXT, PRIMARY KEY (originator_id, originator_version))"
        ]

    def upgrade_layout(self) -> None:
        """Run when a partition is opened: one query when there is nothing to do."""
        with self.datastore.transaction(commit=True) as c:
            upgrade_chain_table(c)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        try:
            return append_guessing(self.head, POSITION_KEY, partial(self._append, stored_events))
        except IntegrityError as error:  # a sealed store (moving, moved) is no writer's race
            conflict = sealed_conflict(error)
            if conflict is None:
                raise
            raise conflict from None

    def _append(
        self, stored_events: Sequence[StoredEvent], guess: Head | None
    ) -> tuple[Head | None, list[int]]:
        if not stored_events:
            return None, []
        with self.datastore.transaction(commit=True) as c:
            head = guess
            if head is None:
                # Take the write lock before reading the head (a write that
                # matches nothing does): a WAL read snapshot cannot be upgraded
                # to a write once another connection has committed, and SQLite
                # would answer "database is locked" at once instead of waiting.
                c.execute("DELETE FROM stored_events WHERE rowid = 0")
                c.execute("SELECT rowid, hash FROM stored_events ORDER BY rowid DESC LIMIT 1")
                row = c.fetchone()
                head = (row[0], row[1]) if row else None
            rows = chain_rows(self.cluster_id, head, stored_events)
            # The library's SQLite layout keeps aggregate ids as 32 hex digits.
            # The first insert takes SQLite's write lock; a guessed position
            # that is taken fails here, before anything is committed.
            c.executemany(
                INSERT,
                [(position, aggregate.hex, v, t, s, h) for position, aggregate, v, t, s, h in rows],
            )
        last = rows[-1]
        return (last[0], last[-1]), [row[0] for row in rows]


def upgrade_chain_table(c: SQLiteCursor) -> None:
    """Moves a partition of the earlier layout (positions and hashes in a
    separate ``event_chain`` table) into the events' own rows, in one
    transaction. Rowids become positions in two steps: the key is checked
    per row."""
    c.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'event_chain'")
    if c.fetchone() is None:
        return
    c.execute("SELECT 1 FROM pragma_table_info('stored_events') WHERE name = 'hash'")
    if c.fetchone() is None:
        c.execute("ALTER TABLE stored_events ADD COLUMN hash TEXT")
    same = (
        "FROM event_chain h WHERE h.originator_id = stored_events.originator_id "
        "AND h.originator_version = stored_events.originator_version"
    )
    c.execute(
        f"UPDATE stored_events SET rowid = -(SELECT h.position {same}), "
        f"hash = (SELECT h.hash {same}) WHERE EXISTS (SELECT 1 {same})"
    )
    c.execute("UPDATE stored_events SET rowid = -rowid WHERE rowid < 0")
    c.execute("DROP TABLE event_chain")


def sqlite_datastore(path: str) -> SQLiteDatastore:
    # A small pool per file: the number of open files is bounded by the
    # partition cache, not by the number of clusters.
    pool: dict[str, Any] = {"lock_timeout": 30, "pool_size": 2, "max_overflow": 4}
    datastore = SQLiteDatastore(db_name=path, **pool)
    # The library's pool opens connections lazily, so none is lost here.
    datastore.pool = StatementCachingPool(db_name=path, **pool)
    return datastore
