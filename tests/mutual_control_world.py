"""A container that lives for one test module, for the mutual-control tests
whose many checks read the same hand-worked round: building that round once
per backend (not once per test) keeps the PostgreSQL runs short.

It follows tests/conftest.py: SQLite on a temporary directory, PostgreSQL in
the session's database (``postgres_url``, which skips locally and fails under
CI=true when the server is down), with the schemas dropped afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from psycopg import sql

from infra.bootstrap import DIRECTORY_SCHEMA, Container, bootstrap
from infra.partitions import schema_name
from infra.settings import Settings
from services.principal import Principal

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@contextmanager
def module_container(request: pytest.FixtureRequest) -> Iterator[Container]:
    """A fresh container on ``request.param``'s backend, closed afterwards."""
    data_dir = request.getfixturevalue("tmp_path_factory").mktemp("mutual-control")
    url = request.getfixturevalue("postgres_url") if request.param == "postgres" else None
    container = bootstrap(
        Settings(
            _env_file=None,  # type: ignore[call-arg]
            data_dir=data_dir,
            database_url=url,
            signing_key_path=data_dir / "key.jwk",
            log_level="WARNING",
        )
    )
    try:
        yield container
    finally:
        clusters = container.directory.cluster_ids()
        close(container)
        if url:
            _drop(url, [schema_name(c) for c in clusters] + [DIRECTORY_SCHEMA])


def operator() -> Principal:
    return Principal(f"op-{uuid.uuid4().hex[:8]}", "Olga Operator", None, True)


def person_for(container: Container, cluster_id: str, member_id: str, name: str) -> Principal:
    """A signed-in person acting as ``member_id``."""
    person = Principal(f"person-{uuid.uuid4().hex[:8]}", name, None, False)
    container.directory.ensure_person(person.person_id, person.name, None)
    container.directory.link(person.person_id, cluster_id, member_id)
    return person


def close(container: Container) -> None:
    container.close()


def _drop(url: str, schemas: list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
