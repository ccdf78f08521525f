"""Cluster event stores as PostgreSQL schemas that share one connection pool."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from infra.eventstore.chain_rows import chain_rows


class SchemaDatastore(PostgresDatastore):
    """The shared datastore's pool, addressed to one cluster's schema.

    One pool per process serves every cluster, so connections stay bounded
    however many clusters exist (DESIGN: ≥1,000 clusters, max_connections=100).
    """

    def __init__(self, shared: PostgresDatastore, schema: str) -> None:
        self.__dict__.update(shared.__dict__)
        self.schema = schema
        self.db_type_names = set()
        self.psycopg_type_adapters = {}
        self.psycopg_python_types = {}

    def close(self) -> None:
        """The pool belongs to the shared datastore; closing one schema keeps it."""

    # The library inserts through a composite type that every cluster schema
    # defines under the same name; on a pool shared by schemas psycopg dumps
    # one schema's type into another's insert ("cannot cast type …"). The
    # recorder below inserts plain arrays instead, so no type adapters exist.

    def register_type_adapters(self) -> None:
        """Nothing to adapt: see ChainedPostgresRecorder._insert_stored_events."""


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        super().__init__(datastore)
        schema = Identifier(self.datastore.schema)
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.event_chain ("
                "position bigint PRIMARY KEY, originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, type text NOT NULL, hash text NOT NULL, "
                "UNIQUE (originator_id, originator_version))"
            ).format(schema=schema),
            SQL(
                "CREATE INDEX IF NOT EXISTS event_chain_type_idx "
                "ON {schema}.event_chain (type, position)"
            ).format(schema=schema),
        ]
        self._select_head = SQL(
            "SELECT position, hash FROM {schema}.event_chain ORDER BY position DESC LIMIT 1"
        ).format(schema=schema)
        self._notify = SQL("SELECT pg_notify('clusterwork_events', %s)")
        self._insert_arrays = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%s::uuid[], %s::bigint[], %s::text[], %s::bytea[]) "
            "RETURNING notification_id"
        ).format(schema=schema, table=Identifier(self.events_table_name))
        self._insert_chain = SQL(
            "INSERT INTO {schema}.event_chain VALUES (%s, %s, %s, %s, %s)"
        ).format(schema=schema)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **_: Any
    ) -> None:
        self._lock_table(curs)
        self._notify_channel(curs)
        curs.execute(
            self._insert_arrays,
            (
                [e.originator_id for e in stored_events],
                [e.originator_version for e in stored_events],
                [e.topic for e in stored_events],
                [e.state for e in stored_events],
            ),
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        # Still inside the insert's transaction and under its EXCLUSIVE table
        # lock: the chain head cannot move until this transaction ends.
        curs.execute(self._select_head)
        row = curs.fetchone()
        rows = chain_rows(
            self.cluster_id, (row["position"], row["hash"]) if row else None, stored_events
        )
        curs.executemany(self._insert_chain, rows)
        # Delivered on commit, to every process LISTENing (infra/live.py).
        curs.execute(self._notify, (self.cluster_id,))
        return ids


def shared_datastore(url: str, pool_size: int, max_overflow: int) -> PostgresDatastore:
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return PostgresDatastore(
        dbname=str(info.get("dbname", "postgres")),
        host=str(info.get("host", "127.0.0.1")),
        port=str(info.get("port", 5432)),
        user=str(info.get("user", "postgres")),
        password=str(info.get("password", "")),
        pool_size=pool_size,
        max_overflow=max_overflow,
        lock_timeout=30,
        pre_ping=True,
    )
