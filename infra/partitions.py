"""Per-cluster partitions: a SQLite file each (embedded default) or a
PostgreSQL schema each (production), kept open in a bounded LRU cache."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresDatastore
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.pool import StaticPool

from infra.audit.checkpoints import SqlCheckpointStore
from infra.eventstore.log_reader import SqlEventLog
from infra.eventstore.postgres import ChainedPostgresRecorder, SchemaDatastore
from infra.eventstore.sqlite import ChainedSQLiteRecorder, sqlite_datastore
from infra.readmodel.blue_green import NextReadModel, PostgresNext, SqliteNext
from infra.readmodel.store import SqlReadModel
from services.application import ClusterApplication

AppFactory = Callable[[ApplicationRecorder, str], ClusterApplication]
Versions = Callable[[SqlReadModel], dict[str, int]]


@dataclass
class ClusterPartition:
    cluster_id: str
    recorder: ApplicationRecorder
    app: ClusterApplication
    log: SqlEventLog
    read_model: SqlReadModel
    checkpoints: SqlCheckpointStore


def scratch_read_model() -> SqlReadModel:
    """A private in-memory read model, e.g. for as-of views."""
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    model = SqlReadModel(engine)
    model.create()
    return model


class _LruPartitions:
    """Bounds what a process keeps open, however many clusters exist."""

    def __init__(self, app_factory: AppFactory, max_open: int) -> None:
        self.app_factory = app_factory
        self._open: OrderedDict[str, ClusterPartition] = OrderedDict()
        self._max_open = max_open
        self._lock = threading.Lock()
        self._building = threading.Lock()
        # Set by the composition root: the projections' versions, recorded in a new
        # read model, and what looks at each partition once it is open (rebuilds).
        self.versions: Versions | None = None
        self.on_open: Callable[[ClusterPartition], None] | None = None

    def open(self, cluster_id: str) -> ClusterPartition:
        with self._lock:
            partition = self._open.get(cluster_id)
            if partition is not None:
                self._open.move_to_end(cluster_id)
                return partition
        with self._building:  # two first requests for a cluster build it once
            with self._lock:
                if cluster_id in self._open:
                    return self._open[cluster_id]
            partition = self._build(cluster_id)
            with self._lock:
                self._open[cluster_id] = partition
                while len(self._open) > self._max_open:
                    # Dropped, not closed: a request still holding it finishes,
                    # then garbage collection closes its connections.
                    self._open.popitem(last=False)
        if self.on_open is not None:
            self.on_open(partition)
        return partition

    def opened(self) -> list[ClusterPartition]:
        with self._lock:
            return list(self._open.values())

    def next_read_model(self, cluster_id: str) -> NextReadModel:
        """Where the next version of the cluster's read model is built (infra/rebuild.py)."""
        raise NotImplementedError

    def _new_read_model(self, engine: Engine) -> None:
        model = SqlReadModel(engine)
        model.create(self.versions(model) if self.versions is not None else None)

    def close(self) -> None:
        """Nothing pooled here: an evicted partition's connections go with it."""

    def forget(self, cluster_id: str) -> None:
        """Drops the open partition of a store that was removed (its recorder
        remembers a head the next store of that id does not have)."""
        with self._lock:
            self._open.pop(cluster_id, None)

    def provision(self, cluster_id: str) -> ClusterPartition:
        self._create(cluster_id)
        return self.open(cluster_id)

    def scratch(self, cluster_id: str) -> SqlReadModel:
        return scratch_read_model()

    def _build(self, cluster_id: str) -> ClusterPartition:
        recorder = self._recorder(cluster_id)
        recorder.upgrade_layout()
        engine = self._engine(cluster_id)
        read_model = SqlReadModel(engine)
        read_model.upgrade_layout(cluster_id)
        return ClusterPartition(
            cluster_id,
            recorder,
            self.app_factory(recorder, cluster_id),
            SqlEventLog(engine),
            read_model,
            SqlCheckpointStore(engine),
        )

    def _recorder(self, cluster_id: str) -> ChainedSQLiteRecorder | ChainedPostgresRecorder:
        raise NotImplementedError

    def _engine(self, cluster_id: str) -> Engine:
        raise NotImplementedError

    def _create(self, cluster_id: str) -> None:
        raise NotImplementedError


class SqlitePartitions(_LruPartitions):
    def __init__(self, data_dir: Path, app_factory: AppFactory, max_open: int) -> None:
        super().__init__(app_factory, max_open)
        self.root = data_dir / "clusters"
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, cluster_id: str) -> Path:
        return self.root / f"{cluster_id}.sqlite"

    def _create(self, cluster_id: str) -> None:
        datastore = sqlite_datastore(str(self.path(cluster_id)))
        ChainedSQLiteRecorder(datastore, cluster_id).create_table()
        datastore.close()
        engine = sqlite_engine(self.path(cluster_id))
        self._new_read_model(engine)
        SqlCheckpointStore(engine).create()
        engine.dispose()

    def _recorder(self, cluster_id: str) -> ChainedSQLiteRecorder:
        return ChainedSQLiteRecorder(sqlite_datastore(str(self.path(cluster_id))), cluster_id)

    def _engine(self, cluster_id: str) -> Engine:
        return sqlite_engine(self.path(cluster_id))

    def next_read_model(self, cluster_id: str) -> NextReadModel:
        return SqliteNext(self.path(cluster_id), sqlite_engine)


def sqlite_engine(path: Path) -> Engine:
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"timeout": 30, "check_same_thread": False},
        pool_size=2,
        max_overflow=4,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted and overwritten rows are zeroed, not left in free pages: an
        # erased person's directory rows and read-model names must not stay in
        # the file (docs/privacy.md).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    return engine


def schema_name(cluster_id: str) -> str:
    return "cluster_" + cluster_id.replace("-", "")


class PostgresPartitions(_LruPartitions):
    """Every cluster a schema; one event-store pool and one read-model pool
    per process serve them all."""

    def __init__(
        self, datastore: PostgresDatastore, engine: Engine, app_factory: AppFactory, max_open: int
    ) -> None:
        super().__init__(app_factory, max_open)
        self.datastore = datastore
        self.engine = engine

    def _create(self, cluster_id: str) -> None:
        schema = schema_name(cluster_id)
        with self.datastore.transaction(commit=True) as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        ChainedPostgresRecorder(SchemaDatastore(self.datastore, schema), cluster_id).create_table()
        self._new_read_model(self._engine_for(schema))
        SqlCheckpointStore(self._engine_for(schema)).create()

    def _recorder(self, cluster_id: str) -> ChainedPostgresRecorder:
        schema = SchemaDatastore(self.datastore, schema_name(cluster_id))
        return ChainedPostgresRecorder(schema, cluster_id)

    def _engine(self, cluster_id: str) -> Engine:
        return self._engine_for(schema_name(cluster_id))

    def next_read_model(self, cluster_id: str) -> NextReadModel:
        return PostgresNext(self.engine, schema_name(cluster_id))

    def close(self) -> None:
        self.datastore.close()
        self.engine.dispose()

    def _engine_for(self, schema: str) -> Engine:
        return self.engine.execution_options(schema_translate_map={None: schema})  # type: ignore[return-value]
