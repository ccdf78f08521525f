"""Scratch stores for benchmarks: a temporary SQLite directory, or a fresh
PostgreSQL database that is dropped afterwards."""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from psycopg import sql

from infra.bootstrap import Container, bootstrap
from infra.settings import Settings

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
    name = f"cw_bench_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.OperationalError:
        yield None
        return
    try:
        yield ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            )
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
