"""Leases on projecting a cluster: one process at a time, taken over on death.

PostgreSQL: a session-level advisory lock, released by the server when the
holder's connection ends, so a killed worker's clusters are free at once.
SQLite: an exclusive, non-blocking file lock, released by the OS likewise.
"""

from __future__ import annotations

import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, func, select


def lock_key(cluster_id: str) -> int:
    """A signed 64-bit advisory-lock key from the cluster id."""
    return int.from_bytes(uuid.UUID(cluster_id).bytes[:8], "big", signed=True)


class AdvisoryLease:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    @contextmanager
    def hold(self, cluster_id: str) -> Iterator[bool]:
        key = lock_key(cluster_id)
        with self.engine.connect() as conn:
            held = bool(conn.execute(select(func.pg_try_advisory_lock(key))).scalar())
            conn.commit()
            try:
                yield held
            finally:
                if held:
                    conn.execute(select(func.pg_advisory_unlock(key)))
                    conn.commit()


class FileLease:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def hold(self, cluster_id: str) -> Iterator[bool]:
        fd = os.open(self.folder / f"{cluster_id}.lock", os.O_CREAT | os.O_RDWR, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)
