"""The event store's pool pings a connection only when it sat idle: one that
was just used skips the round trip; a dead idle one is replaced before use."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from pg_support import fresh_database

from infra.eventstore.postgres import shared_datastore


@pytest.fixture
def database() -> Iterator[str]:
    with fresh_database("cw_pool") as url:
        yield url


def datastore(url: str, idle_seconds: float) -> PostgresDatastore:
    return shared_datastore(url, pool_size=1, max_overflow=0, idle_ping_seconds=idle_seconds)


def backend_pid(store: PostgresDatastore) -> int:
    with store.get_connection() as conn:
        row = conn.execute("SELECT pg_backend_pid() AS pid").fetchone()
        assert row is not None
        return int(row["pid"])


def kill(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


def test_a_dead_connection_that_sat_idle_is_replaced_before_use(database: str) -> None:
    store = datastore(database, idle_seconds=0.0)  # every checkout counts as idle
    try:
        first = backend_pid(store)
        kill(database, first)
        assert backend_pid(store) != first  # pinged, found dead, replaced: no error
    finally:
        store.close()


def test_a_connection_just_used_is_not_pinged(database: str) -> None:
    store = datastore(database, idle_seconds=3600.0)
    try:
        kill(database, backend_pid(store))
        # No ping on this checkout, so the dead connection reaches the caller
        # (the library's recorder methods retry such errors on a new one).
        with pytest.raises(Exception, match=r"terminat|closed|server"):
            backend_pid(store)
    finally:
        store.close()


def test_connections_keep_many_prepared_statements_and_the_librarys_set_up(
    database: str,
) -> None:
    """Each cluster schema has statements of its own text; a connection must keep
    enough of them prepared, and still be set up as the library sets it up."""
    from infra.bootstrap import _postgres_engine
    from infra.eventstore.postgres import PREPARED_PER_CONNECTION
    from infra.settings import Settings

    store = shared_datastore(database, pool_size=1, max_overflow=0)
    try:
        with store.get_connection() as conn:
            assert conn.prepared_max == PREPARED_PER_CONNECTION > 100
            assert conn.autocommit  # the library's own after-connect still ran
    finally:
        store.close()
    settings = Settings(_env_file=None, database_url=database)  # type: ignore[call-arg]
    engine = _postgres_engine(database, settings)
    try:
        with engine.connect() as conn:
            assert conn.connection.driver_connection.prepared_max == PREPARED_PER_CONNECTION  # type: ignore[union-attr]
    finally:
        engine.dispose()
