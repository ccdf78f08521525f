"""A PostgreSQL database of a test module's own, for suites that found a
cluster (a schema) per test and need no cleanup between tests; and how every
test database is made (new_database)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get(
    "CLUSTERWORK_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def new_database(admin: psycopg.Connection, prefix: str) -> str:
    """Creates an empty database on ``admin`` (autocommit) and returns its name:
    unique, and naming the pytest-xdist worker that owns it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{prefix}_{worker}_{uuid.uuid4().hex[:12]}"
    admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # No test crashes PostgreSQL itself, the one case where an unflushed commit is
    # lost, so commits need not wait for the disk (the suite's DDL is fsync-bound).
    admin.execute(
        sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
    )
    return name


@contextmanager
def fresh_database(prefix: str = "cw_test") -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards. Unreachable: skip, which
    the root conftest turns into a failure under CI=true."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is unreachable: {error}")
    with admin:
        name = new_database(admin, prefix)
        try:
            yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
