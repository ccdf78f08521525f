"""Cluster event stores as PostgreSQL schemas that share one connection pool."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from functools import partial
from typing import Any, TypedDict
from weakref import WeakKeyDictionary

import psycopg
from eventsourcing.persistence import (
    ApplicationRecorder,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
    Subscription,
)
from eventsourcing.postgres import ConnectionPool, PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.utils import retry
from psycopg import Connection, Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier, Literal

from infra.eventstore.chain_rows import Head, HeadGuess, append_guessing, chain_rows
from infra.eventstore.seal import sealed_conflict
from infra.live import CHANNEL
from infra.reads import libpq_rows

log = logging.getLogger(__name__)

# On the live channel, the payload is the cluster id (sent by libpq_rows: $1).
WAKE_LISTENERS = SQL("SELECT pg_notify({}, $1)").format(Literal(CHANNEL)).as_bytes(None)


class SchemaDatastore(PostgresDatastore):
    """The shared datastore's pool, addressed to one cluster's schema.

    One pool per process serves every cluster, so connections stay bounded
    however many clusters exist (docs/architecture.md, "Tenancy"). The
    library's constructor takes the schema and the shared settings; the pool it
    builds is never opened and is replaced by the shared one.
    """

    def __init__(self, shared: PostgresDatastore, schema: str) -> None:
        super().__init__(
            dbname="",  # the shared pool has the connection parameters
            host="",
            port=0,
            user="",
            password="",
            idle_in_transaction_session_timeout=shared.idle_in_transaction_session_timeout,
            lock_timeout=shared.lock_timeout,
            schema=schema,
            pool_open_timeout=shared.pool_open_timeout,
            single_row_tracking=shared.single_row_tracking,
            originator_id_type=shared.originator_id_type,  # type: ignore[arg-type]
            enable_db_functions=shared.enable_db_functions,
        )
        self.pool = shared.pool

    def close(self) -> None:
        """The pool belongs to the shared datastore; closing one schema keeps it."""

    # The library inserts through a composite type that every cluster schema
    # defines under the same name; on a pool shared by schemas psycopg dumps
    # one schema's type into another's insert ("cannot cast type …"). The
    # recorder below inserts plain arrays instead, so no type adapters exist.

    def register_type_adapters(self) -> None:
        """Nothing to adapt: see ChainedPostgresRecorder.insert_events."""


class ChainedPostgresRecorder(PostgresApplicationRecorder):
    """The library's events table with positions for notification ids and a
    ``hash`` column; both are assigned from the chain head (chain_rows.py)."""

    def __init__(self, datastore: PostgresDatastore, cluster_id: str) -> None:
        self.cluster_id = cluster_id
        self.head = HeadGuess()
        super().__init__(datastore)
        schema = Identifier(self.datastore.schema)
        table = Identifier(self.events_table_name)
        self.position_key = self.notification_id_index_name
        # notification_id without its sequence: positions are gapless, and
        # the unique index on it (the library's name) is the position's key.
        self._create_statements = [
            SQL(
                "CREATE TABLE IF NOT EXISTS {schema}.{table} ("
                "originator_id uuid NOT NULL, originator_version bigint NOT NULL, "
                "topic text, state bytea, notification_id bigint NOT NULL, hash text, "
                "PRIMARY KEY (originator_id, originator_version))"
            ).format(schema=schema, table=table),
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS {index} "
                "ON {schema}.{table} (notification_id ASC)"
            ).format(index=Identifier(self.position_key), schema=schema, table=table),
        ]
        self._lock = [
            SQL("SET LOCAL lock_timeout = '{0}s'").format(self.datastore.lock_timeout),
            # EXCLUSIVE: writers of this cluster take turns until commit;
            # readers (ACCESS SHARE) are not blocked.
            SQL("LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE").format(schema=schema, table=table),
        ]
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

    def create_table(self) -> None:
        """The library's events table with the chain's layout: positions in
        ``notification_id`` (no sequence) and a ``hash`` column. Nothing else
        of the library's set-up is needed: appends insert plain rows."""
        with self.datastore.transaction(commit=True) as curs:
            for statement in self._create_statements:
                curs.execute(statement, prepare=False)

    def upgrade_layout(self) -> None:
        """Run when a partition is opened: one query when there is nothing to do."""
        with self.datastore.transaction(commit=True) as curs:
            upgrade_chain_table(curs, self.datastore.schema)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        if not stored_events:
            return None
        try:
            result = append_guessing(
                self.head, self.position_key, partial(self._append, stored_events)
            )
        except IntegrityError as error:  # a sealed store (moving, moved) is no writer's race
            conflict = sealed_conflict(error)
            if conflict is None:
                raise
            raise conflict from None
        self._wake_listeners()
        return result

    # As the library's insert_events: a connection lost or refused is retried on another.
    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _append(
        self, stored_events: Sequence[StoredEvent], guess: Head | None
    ) -> tuple[Head, list[int]]:
        """One transaction, pipelined: lock, (read the head,) insert, commit."""
        failed: Exception | None = None
        with self.datastore.get_connection() as conn:
            try:
                with conn.pipeline() as pipeline, conn.transaction(), conn.cursor() as curs:
                    try:
                        for statement in self._lock:
                            curs.execute(statement, prepare=True)
                        head = guess
                        if head is None:  # one round trip more; a guessed head needs none
                            curs.execute(self._select_head)
                            row = curs.fetchone()
                            head = (row["notification_id"], row["hash"]) if row else None
                        rows = chain_rows(self.cluster_id, head, stored_events)
                        # No NOTIFY in here: see _wake_listeners.
                        curs.executemany(self._insert_row, rows)
                        # Sync here, so a taken position or version is an
                        # IntegrityError now, not an error at commit.
                        pipeline.sync()
                    except Exception as error:  # re-raised once the pipeline has closed
                        failed = error
            except psycopg.errors.PipelineAborted:
                # PostgreSQL aborts what was queued after a failed statement. When
                # psycopg read the failure before the sync (a large group's rows fill
                # the buffer, and it reads results while it sends), closing the
                # pipeline meets those and raises this, which must not hide the
                # failure that decides what happens (a stale guess is redone with
                # the head read under the lock). The transaction is rolled back.
                if failed is None:
                    raise
            if failed is not None:
                raise failed
        return (rows[-1][0], rows[-1][-1]), [row[0] for row in rows]

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
            with self.datastore.get_connection() as conn:  # idle: one round trip
                libpq_rows(conn, WAKE_LISTENERS, (self.cluster_id,))
        except (psycopg.Error, PersistenceError) as error:  # the library re-raises as its own
            log.warning("cluster %s: wake-up not sent (%s)", self.cluster_id, error)


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


def shared_datastore(
    url: str, pool_size: int, max_overflow: int, idle_ping_seconds: float = IDLE_PING_SECONDS
) -> PostgresDatastore:
    datastore = PostgresDatastore(
        **connection_params(url),
        pool_size=pool_size,
        max_overflow=max_overflow,
        lock_timeout=30,
    )
    # The library's pool is built closed (it opens on first use), so nothing
    # is lost by replacing it before anything ran.
    datastore.pool = event_store_pool(datastore, idle_ping_seconds)
    return datastore


# Prepared statements each connection keeps (psycopg's default is 100, a few kB each):
# every cluster schema has statements of its own text, so a process writing to many
# clusters would otherwise spend round trips re-preparing them on most commands.
PREPARED_PER_CONNECTION = 2048


def event_store_pool(datastore: PostgresDatastore, idle_ping_seconds: float) -> ConnectionPool[Any]:
    """The pool the library built for ``datastore``, built again with
    psycopg_pool's own ``configure``, ``check`` and ``reset`` callables:

    - configure: the library's set-up of a new connection, then a larger
      prepared-statement cache (PREPARED_PER_CONNECTION);
    - check: the library's pre-ping, but only for a connection that sat in the
      pool ``idle_ping_seconds`` or longer. One that was just used is alive,
      and a ping on every checkout was one round trip more on every append (a
      third of an append's round trips); a dead one is still replaced before use;
    - reset: notes when a connection went back to the pool.
    """
    built = datastore.pool
    after_connect = datastore.after_connect_func()
    idle_since: WeakKeyDictionary[Connection[Any], float] = WeakKeyDictionary()

    def configure(conn: Connection[Any]) -> None:
        after_connect(conn)
        conn.prepared_max = PREPARED_PER_CONNECTION

    def check(conn: Connection[Any]) -> None:
        since = idle_since.get(conn)
        if since is None or time.monotonic() - since >= idle_ping_seconds:
            ConnectionPool.check_connection(conn)

    def reset(conn: Connection[Any]) -> None:
        idle_since[conn] = time.monotonic()

    return ConnectionPool(
        built.conninfo,
        connection_class=built.connection_class,
        kwargs=built.kwargs,
        min_size=built.min_size,
        max_size=built.max_size,
        open=False,
        configure=configure,
        check=check,
        reset=reset,
        name=built.name,
        close_returns=built.close_returns,
        timeout=built.timeout,
        max_waiting=built.max_waiting,
        max_lifetime=built.max_lifetime,
        max_idle=built.max_idle,
        reconnect_timeout=built.reconnect_timeout,
        num_workers=built.num_workers,
        get_password_func=built.get_password_func,
    )
