"""A PostgreSQL database of a test module's own, for suites that found a
cluster (a schema) per test and need no cleanup between tests; and how every
test database is made (testkit.databases, without waiting for the disk)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

from testkit.databases import scratch_database

ADMIN_URL = os.environ.get(
    "CLUSTERWORK_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@contextmanager
def unsynced_database(prefix: str) -> Iterator[str]:
    """A new database's URL, dropped afterwards."""
    # No test crashes PostgreSQL itself, the one case where an unflushed commit is
    # lost, so commits need not wait for the disk (the suite's DDL is fsync-bound).
    with scratch_database(ADMIN_URL, prefix, synchronous_commit=False) as url:
        yield url


@contextmanager
def fresh_database(prefix: str = "cw_test") -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards. Unreachable: skip, which
    the root conftest turns into a failure under CI=true."""
    try:
        psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3).close()
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is unreachable: {error}")
    with unsynced_database(prefix) as url:
        yield url
