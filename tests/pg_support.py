"""A PostgreSQL database of a test module's own, for suites that found a
cluster (a schema) per test and need no cleanup between tests."""

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


@contextmanager
def fresh_database(prefix: str = "cw_test") -> Iterator[str]:
    """A new PostgreSQL database, dropped afterwards. Unreachable: skip, which
    the root conftest turns into a failure under CI=true."""
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        pytest.skip(f"PostgreSQL at {ADMIN_URL} is unreachable: {error}")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield urlsplit(ADMIN_URL)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
