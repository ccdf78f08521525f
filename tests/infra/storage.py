"""Direct access to a cluster partition's tables, bypassing the application:
how the audit tests play the part of someone who edits the database."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from infra.bootstrap import Container
from infra.partitions import schema_name


class Storage:
    def __init__(self, conn: Any, prefix: str, placeholder: str, position: str) -> None:
        self.conn = conn
        self.prefix = prefix  # "" on SQLite, '"cluster_…".' on PostgreSQL
        self.p = placeholder
        self.pos = position  # the column holding an event's position

    def run(self, sql: str, *params: Any) -> list[Any]:
        cursor = self.conn.execute(sql.format(t=self.prefix, p=self.p, pos=self.pos), params)
        return cursor.fetchall() if cursor.description else []

    def key_at(self, position: int) -> tuple[Any, int]:
        """The (originator_id, version) of the event at ``position``, as stored."""
        row = self.run(
            "SELECT originator_id, originator_version FROM {t}stored_events WHERE {pos} = {p}",
            position,
        )
        return row[0][0], row[0][1]

    def state_at(self, position: int) -> bytes:
        oid, version = self.key_at(position)
        rows = self.run(
            "SELECT state FROM {t}stored_events WHERE originator_id = {p} AND originator_version = {p}",
            oid,
            version,
        )
        return bytes(rows[0][0])

    def set_state(self, position: int, state: bytes) -> None:
        oid, version = self.key_at(position)
        self.run(
            "UPDATE {t}stored_events SET state = {p} WHERE originator_id = {p} AND originator_version = {p}",
            state,
            oid,
            version,
        )

    def delete_event(self, position: int) -> None:
        self.run("DELETE FROM {t}stored_events WHERE {pos} = {p}", position)

    def shift_from(self, position: int) -> None:
        """Makes room at ``position`` (two steps: the key is checked per row)."""
        self.run("UPDATE {t}stored_events SET {pos} = -{pos} - 1 WHERE {pos} >= {p}", position)
        self.run("UPDATE {t}stored_events SET {pos} = -{pos} WHERE {pos} < 0")


@contextmanager
def storage(container: Container, cluster_id: str) -> Iterator[Storage]:
    url = container.settings.database_url
    if url:
        with psycopg.connect(url, autocommit=True) as conn:
            yield Storage(conn, f'"{schema_name(cluster_id)}".', "%s", "notification_id")
        return
    conn = sqlite3.connect(container.partitions.path(cluster_id), isolation_level=None)  # type: ignore[union-attr]
    try:
        yield Storage(conn, "", "?", "rowid")
    finally:
        conn.close()
