"""The read models' PostgreSQL pool keeps the connections it opened (up to pool
size + overflow) instead of closing the overflow ones at every check-in: a new
connection is a new server backend, whose catalog caches start empty for every
cluster schema it touches (docs/performance.md, figure 2)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from infra.bootstrap import bootstrap
from infra.settings import Settings

pytestmark = pytest.mark.postgres

POOL, OVERFLOW = 2, 2
BURSTS = 4


def test_connections_beyond_the_pool_size_are_kept_between_bursts(
    own_postgres_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url=own_postgres_url,
        pg_pool_size=POOL,
        pg_max_overflow=OVERFLOW,
        log_level="WARNING",
    )
    container = bootstrap(settings)
    try:
        pids = [burst(container.partitions.engine, POOL + OVERFLOW) for _ in range(BURSTS)]
    finally:
        container.close()

    assert all(len(used) == POOL + OVERFLOW for used in pids), pids  # the whole bound in use
    # The same backends served every burst: none was closed and opened again.
    assert set().union(*pids) == pids[0], pids


def burst(engine: Engine, width: int) -> set[int]:
    """``width`` threads each hold a connection until all of them hold one, so
    the burst uses the whole bound at once; returns their backends' pids."""
    together = threading.Barrier(width, timeout=30)
    seen: set[int] = set()
    lock = threading.Lock()

    def use() -> None:
        with engine.connect() as conn:
            pid = int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
            together.wait()
        with lock:
            seen.add(pid)

    threads = [threading.Thread(target=use) for _ in range(width)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return seen
