"""Cluster event stores as PostgreSQL schemas that share one connection pool."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any, TypedDict
from weakref import WeakKeyDictionary

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    PersistenceError,
    StoredEvent,
    Subscription,
)
from eventsourcing.postgres import ConnectionPool, PostgresApplicationRecorder, PostgresDatastore
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from infra.eventstore.chain_rows import Append, Head, HeadGuess, append_guessing, chain_rows
from infra.live import CHANNEL

log = logging.getLogger(__name__)

# On the live channel, the payload is the cluster id.
WAKE_LISTENERS = SQL("SELECT pg_notify({}, %s)").format(Literal(CHANNEL))


class SchemaDatastore(PostgresDatastore):
    """The shared datastore's pool, addressed to one cluster's schema.

    One pool per process serves every cluster, so connections stay bounded
    however many clusters exist (docs/architecture.md, "Tenancy").
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
    """The library's events table with positions for notification ids and a
    ``hash`` column; both are assigned from the chain head (chain_rows.py)."""

    def __init__(self, datastore: PostgresDatastore, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        self.head = HeadGuess()
        super().__init__(datastore)
        schema = Identifier(self.datastore.schema)
        table = Identifier(self.events_table_name)
        # notification_id without its sequence: positions are gapless, and
        # the library's unique index on it is the position's key.
        self.sql_create_statements[self.create_table_statement_index] = SQL(
            "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
            "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
            "topic text, state bytea, notification_id bigint NOT NULL, hash text, "
            "PRIMARY KEY (originator_id, originator_version))"
        ).format(schema=schema, table=table)
        self.position_key = self.notification_id_index_name
        self._select_head = SQL(
            "SELECT notification_id, hash FROM {schema}.{table} "
            "ORDER BY notification_id DESC LIMIT 1"
        ).format(schema=schema, table=table)
        # One VALUES row per event (executemany, pipelined): a single-row insert
        # from unnest() of six arrays measured 15% slower than the library's
        # own insert, this one at par (docs/performance.md).
        self._insert_row = SQL(
            "INSERT INTO {schema}.{table} "
            "(notification_id, originator_id, originator_version, topic, state, hash) "
            "VALUES (%s, %s, %s, %s, %s, %s)"
        ).format(schema=schema, table=table)

    def upgrade_layout(self) -> None:
        """Run when a partition is opened: one query when there is nothing to do."""
        with self.datastore.transaction(commit=True) as curs:
            upgrade_chain_table(curs, self.datastore.schema)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        def insert(guess: Head | None) -> tuple[Head | None, Any]:
            append = Append(guess)
            result = super(ChainedPostgresRecorder, self).insert_events(
                stored_events, append=append, **kwargs
            )
            return append.written, result

        result = append_guessing(self.head, self.position_key, insert)
        if stored_events:
            self._wake_listeners()
        return result

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        """Refused: the library's subscription LISTENs on its own channel, which
        no append here notifies, so it would wait forever after the history."""
        msg = (
            f"{type(self).__qualname__} does not support eventsourcing's subscribe(): "
            f"appends wake listeners on the {CHANNEL!r} channel, not the library's. "
            "Follow a cluster's log with the app's live wake-ups instead (infra/live.py: "
            "LiveHub.changes(cluster_id), fed by PostgresListener across processes) and "
            "read the log after the last position seen."
        )
        raise NotImplementedError(msg)

    def _wake_listeners(self) -> None:
        """Tells every LISTENing process (infra/live.py, workers) that this
        cluster's log grew: after the commit, in a statement of its own.
        PostgreSQL commits a transaction that sent a NOTIFY under one lock for the
        whole server, held through the commit's WAL flush; sent inside the append
        transaction, it made appends to all clusters commit one at a time
        (docs/performance.md, figure 2). A NOTIFY on its own writes no WAL and holds that lock briefly.
        The events are committed whatever happens here: a wake-up lost to a failure
        or crash costs a listener at most its backstop (a re-read every 2 s, a
        worker's 5 s pass), never an event, so a failure is logged, not raised."""
        try:
            with self.datastore.get_connection() as conn:  # autocommit: one round trip
                conn.execute(WAKE_LISTENERS, (self.cluster_id,))
        except (psycopg.Error, PersistenceError) as error:  # the library re-raises as its own
            log.warning("cluster %s: wake-up not sent (%s)", self.cluster_id, error)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        append: Append = kwargs["append"]
        # EXCLUSIVE table lock: writers of this cluster take turns until commit.
        self._lock_table(curs)
        head = append.guess
        if head is None:  # one round trip more; a guessed head needs none
            curs.execute(self._select_head)
            row = curs.fetchone()
            head = (row["notification_id"], row["hash"]) if row else None
        rows = chain_rows(self.cluster_id, head, stored_events)
        # No NOTIFY in here: see _wake_listeners.
        curs.executemany(self._insert_row, rows)
        append.written = (rows[-1][0], rows[-1][-1])
        append.positions = [row[0] for row in rows]

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        # The positions were assigned here, not by the database: nothing to fetch.
        append: Append = kwargs["append"]
        return append.positions


def upgrade_chain_table(curs: Cursor[DictRow], schema_name: str) -> None:
    """Moves a partition of the earlier layout (positions and hashes in a
    separate ``event_chain`` table, notification ids from a sequence) into the
    events' own rows, in one transaction; positions move in two steps because
    the unique index is checked per row."""
    curs.execute("SELECT to_regclass(%s) AS found", (f'"{schema_name}".event_chain',))
    row = curs.fetchone()
    if row is None or row["found"] is None:
        return
    schema = Identifier(schema_name)
    for statement in (
        "LOCK TABLE {s}.stored_events IN EXCLUSIVE MODE",
        "ALTER TABLE {s}.stored_events ADD COLUMN IF NOT EXISTS hash text",
        "UPDATE {s}.stored_events e SET notification_id = -h.position, hash = h.hash "
        "FROM {s}.event_chain h WHERE h.originator_id = e.originator_id "
        "AND h.originator_version = e.originator_version",
        "UPDATE {s}.stored_events SET notification_id = -notification_id WHERE notification_id < 0",
        "ALTER TABLE {s}.stored_events ALTER COLUMN notification_id DROP DEFAULT",
        "DROP SEQUENCE IF EXISTS {s}.stored_events_notification_id_seq",
        "DROP TABLE {s}.event_chain",
    ):
        curs.execute(SQL(statement).format(s=schema))  # type: ignore[arg-type]


IDLE_PING_SECONDS = 5.0  # both pools: the event store's here, the read model's (infra/bootstrap.py)


class ConnectionParams(TypedDict):
    dbname: str
    host: str
    port: str
    user: str
    password: str


def connection_params(url: str) -> ConnectionParams:
    """dbname, host, port, user and password of a PostgreSQL URL, as the
    library's datastore (and its POSTGRES_* settings) take them."""
    from psycopg.conninfo import conninfo_to_dict

    info = conninfo_to_dict(url)
    return ConnectionParams(
        dbname=str(info.get("dbname", "postgres")),
        host=str(info.get("host", "127.0.0.1")),
        port=str(info.get("port", 5432)),
        user=str(info.get("user", "postgres")),
        password=str(info.get("password", "")),
    )


def shared_datastore(url: str, pool_size: int, max_overflow: int) -> PostgresDatastore:
    datastore = PostgresDatastore(
        **connection_params(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        lock_timeout=30,
        pre_ping=True,
    )
    ping_when_idle(datastore.pool, IDLE_PING_SECONDS)
    keep_prepared(datastore.pool)
    return datastore


# Prepared statements each connection keeps (psycopg's default is 100, a few kB each):
# every cluster schema has statements of its own text, so a process writing to many
# clusters would otherwise spend round trips re-preparing them on most commands.
PREPARED_PER_CONNECTION = 2048


def keep_prepared(pool: ConnectionPool[Any]) -> None:
    """Raises how many prepared statements each new connection of ``pool`` keeps;
    the library's own set-up of the connection still runs first."""
    configure = pool._configure

    def configure_and_keep(conn: Connection[Any]) -> None:
        if configure is not None:
            configure(conn)
        conn.prepared_max = PREPARED_PER_CONNECTION

    pool._configure = configure_and_keep


def ping_when_idle(pool: ConnectionPool[Any], seconds: float) -> None:
    """The library's pre-ping, but only for a connection that sat in the pool
    longer than ``seconds``: one that was just used is alive, and a ping on
    every checkout was one round trip more on every append (a third of an
    append's round trips). A dead connection is still replaced before use.
    psycopg_pool takes ``check`` and ``reset`` only in its constructor, which
    the library calls, so they are set before the pool opens."""
    ping = pool._check  # ConnectionPool.check_connection, as pre_ping set it
    assert ping is not None, "build the datastore with pre_ping=True"
    idle_since: WeakKeyDictionary[Connection[Any], float] = WeakKeyDictionary()

    def check(conn: Connection[Any]) -> None:
        since = idle_since.get(conn)
        if since is None or time.monotonic() - since >= seconds:
            ping(conn)

    def returned(conn: Connection[Any]) -> None:
        idle_since[conn] = time.monotonic()

    pool._check, pool._reset = check, returned
