"""A cluster's event store in its own SQLite file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore

from infra.eventstore.chain_rows import chain_rows


class ChainedSQLiteRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        super().__init__(datastore)

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            "CREATE TABLE IF NOT EXISTS event_chain ("
            "position INTEGER PRIMARY KEY, originator_id TEXT NOT NULL, "
            "originator_version INTEGER NOT NULL, type TEXT NOT NULL, hash TEXT NOT NULL, "
            "UNIQUE (originator_id, originator_version))",
            "CREATE INDEX IF NOT EXISTS event_chain_type_idx ON event_chain (type, position)",
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The event insert comes first: it takes SQLite's write lock, so the
        # chain head read below cannot be moved on by another writer.
        ids = super()._insert_events(c, stored_events, **kwargs)
        c.execute("SELECT position, hash FROM event_chain ORDER BY position DESC LIMIT 1")
        row = c.fetchone()
        rows = chain_rows(self.cluster_id, (row[0], row[1]) if row else None, stored_events)
        c.executemany(
            "INSERT INTO event_chain VALUES (?, ?, ?, ?, ?)",
            [(p, a.hex, v, t, h) for p, a, v, t, h in rows],
        )
        return ids


def sqlite_datastore(path: str) -> SQLiteDatastore:
    # A small pool per file: the number of open files is bounded by the
    # partition cache, not by the number of clusters.
    return SQLiteDatastore(db_name=path, lock_timeout=30, pool_size=2, max_overflow=4)
