"""Scratch PostgreSQL databases: uniquely named, created and dropped through an
admin URL (a database on the same server, usually `postgres`)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import psycopg
from psycopg import sql


def database_url(admin_url: str, name: str) -> str:
    """``admin_url`` with another database."""
    return urlsplit(admin_url)._replace(path=f"/{name}").geturl()


def create_database(admin_url: str, prefix: str, *, synchronous_commit: bool = True) -> str:
    """Creates an empty database and returns its name: unique, and naming the
    pytest-xdist worker that owns it ("main" outside xdist)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"{prefix}_{worker}_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        if not synchronous_commit:
            admin.execute(
                sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(
                    sql.Identifier(name)
                )
            )
    return name


def drop_database(admin_url: str, name: str) -> None:
    """Drops the database, closing whatever connections are still open on it."""
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=3) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


@contextmanager
def scratch_database(
    admin_url: str, prefix: str, *, synchronous_commit: bool = True
) -> Iterator[str]:
    """A new database's URL; dropped afterwards."""
    name = create_database(admin_url, prefix, synchronous_commit=synchronous_commit)
    try:
        yield database_url(admin_url, name)
    finally:
        drop_database(admin_url, name)
