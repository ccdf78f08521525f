"""Scratch stores for benchmarks: a temporary SQLite directory, or a fresh
PostgreSQL database that is dropped afterwards."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from infra.bootstrap import Container, bootstrap
from infra.settings import Settings
from testkit.databases import create_database, database_url, drop_database

ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


@contextmanager
def container_on(backend: str) -> Iterator[Container | None]:
    with tempfile.TemporaryDirectory(prefix="cw-bench-") as tmp:
        if backend == "sqlite":
            yield bootstrap(settings(Path(tmp)))
            return
        with fresh_database() as url:
            if url is None:
                yield None
                return
            container = bootstrap(settings(Path(tmp), url))
            try:
                yield container
            finally:
                close(container)


def close(container: Container) -> None:
    """Closes the pools, so that the scratch database can be dropped."""
    container.close()


def settings(data_dir: Path, url: str | None = None) -> Settings:
    return Settings(
        _env_file=None,
        data_dir=data_dir,
        database_url=url,  # type: ignore[call-arg]
        log_level="WARNING",
    )


@contextmanager
def fresh_database() -> Iterator[str | None]:
    """A scratch database, dropped afterwards; None when the server is down."""
    try:
        name = create_database(ADMIN_URL, "cw_bench")
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield database_url(ADMIN_URL, name)
    finally:
        drop_database(ADMIN_URL, name)
