"""Leases on projecting a cluster: one process at a time, taken over on death.

PostgreSQL: session-level advisory locks, which the server releases when the
holder's connection ends, so a killed worker's clusters are free at once.
SQLite: exclusive, non-blocking file locks, which the OS releases likewise.

Two kinds of holding use the same lock per cluster:
- a *lease* (``hold``): an API process projecting one cluster for a moment;
- *ownership* (``Ownership``): a worker keeps the clusters it projects,
  so API processes leave them to it and wait instead.
"""

from __future__ import annotations

import fcntl
import os
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy import Engine

from infra.reads import driver_connection, libpq_rows

WORKER_SLOTS = 256
PRESENCE_NAMESPACE = 0x43570001  # two-int advisory locks: (namespace, worker slot)


# Sent through libpq (infra/reads.py): SQLAlchemy's execution (statement, context,
# result) cost twice the round trips' own CPU, and psycopg's cursor twice libpq's,
# twice per projection pass.
_TRY_LOCK = b"SELECT pg_try_advisory_lock($1)"
_UNLOCK = b"SELECT pg_advisory_unlock($1)"


def lock_key(cluster_id: str) -> int:
    """A signed 64-bit advisory-lock key from the cluster id."""
    return int.from_bytes(uuid.UUID(cluster_id).bytes[:8], "big", signed=True)


class AdvisoryLease:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # A holder keeps one pooled connection for its lock and needs another to
        # project. If locks took every connection of the pool, the holders would
        # wait for each other until the pool timed out; so at most half hold one.
        # The pool's size is all it lends: bootstrap pools the whole bound, with
        # no overflow (with one, half of the size alone is still safe).
        capacity = engine.pool.size()  # type: ignore[attr-defined]
        self._holders = threading.BoundedSemaphore(max(1, capacity // 2))

    @contextmanager
    def hold(self, cluster_id: str) -> Iterator[bool]:
        key = lock_key(cluster_id)
        with self._holders, driver_connection(self.engine) as conn:
            [(held,)] = libpq_rows(conn, _TRY_LOCK, (key,))
            try:
                yield held
            finally:
                if held:
                    libpq_rows(conn, _UNLOCK, (key,))


class AdvisoryOwnership:
    """A worker's claims, held on one dedicated connection for its lifetime."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url, autocommit=True)
        self.slot = next(
            s for s in range(WORKER_SLOTS) if self._try("(%s, %s)", PRESENCE_NAMESPACE, s)
        )

    def _try(self, args: str, *params: int) -> bool:
        row = self.conn.execute(f"SELECT pg_try_advisory_lock{args}", params).fetchone()
        return bool(row and row[0])

    def workers_alive(self) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 2 "
            "AND classid = %s AND granted",
            (PRESENCE_NAMESPACE,),
        ).fetchone()
        return max(1, int(row[0]) if row else 1)

    def claim(self, cluster_id: str) -> bool:
        return self._try("(%s)", lock_key(cluster_id))

    def release(self, cluster_id: str) -> None:
        self.conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(cluster_id),))

    def close(self) -> None:
        self.conn.close()  # the server drops every lock this session held


class FileLease:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, cluster_id: str) -> Iterator[bool]:
        fd = _try_flock(self.folder / f"{cluster_id}.lock")
        try:
            yield fd is not None
        finally:
            if fd is not None:
                os.close(fd)  # closing drops the lock


class FileOwnership:
    """The same claims with file locks (SQLite: workers on one machine)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self._held: dict[str, int] = {}
        self._presence = next(
            fd
            for s in range(WORKER_SLOTS)
            if (fd := _try_flock(folder / f"worker-{s}.slot")) is not None
        )

    def workers_alive(self) -> int:
        alive = 0
        for slot in self.folder.glob("worker-*.slot"):
            fd = _try_flock(slot)
            if fd is None:
                alive += 1
            else:
                os.close(fd)
        return max(1, alive)

    def claim(self, cluster_id: str) -> bool:
        fd = _try_flock(self.folder / f"{cluster_id}.lock")
        if fd is not None:
            self._held[cluster_id] = fd
        return fd is not None

    def release(self, cluster_id: str) -> None:
        fd = self._held.pop(cluster_id, None)
        if fd is not None:
            os.close(fd)

    def close(self) -> None:
        for cluster_id in list(self._held):
            self.release(cluster_id)
        os.close(self._presence)


def _try_flock(path: Path) -> int | None:
    """An fd holding an exclusive lock on ``path``, or None when it is taken."""
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd
