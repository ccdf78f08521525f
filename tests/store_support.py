"""Containers over a store of a test's own, and the clean-up of a database's
cluster schemas: what conftest's fixtures use, importable by a test that needs
more than one store (conftest itself is not importable from every directory)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from eventsourcing.persistence import StoredEvent
from psycopg import sql

from infra.bootstrap import DIRECTORY_SCHEMA, Container, bootstrap
from infra.settings import Settings


def drop_partitions(url: str) -> None:
    """Drops every schema a container created in ``url``'s database."""
    with psycopg.connect(url, autocommit=True) as conn:
        schemas = [
            row[0]
            for row in conn.execute(
                "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'cluster\\_%%' "
                "OR nspname = %s",
                (DIRECTORY_SCHEMA,),
            )
        ]
        for schema in schemas:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


def close_container(container: Container) -> None:
    """Closes the container's connection pools (PostgreSQL) and engines."""
    container.close()


def make_container(data_dir: Path, database_url: str | None = None, **overrides) -> Container:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=data_dir,
        database_url=database_url,
        signing_key_path=data_dir / "signing-key.jwk",
        log_level="WARNING",
        **overrides,
    )
    return bootstrap(settings)


class AcceptingDiscovery:
    """Every issuer is usable, without fetching its discovery document: for tests
    about what a registered provider does, not about registering one."""

    def check(self, issuer: str) -> None:
        return None


def member_added(partition: Any) -> StoredEvent:
    """The stored ``MemberAdded`` event earliest in a cluster's log."""
    return next(
        e.stored_event
        for e in partition.log.read(0, 1000)
        if e.stored_event.topic.endswith("MemberAdded")
    )
