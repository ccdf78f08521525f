"""A cluster's read model: the tables plus exactly-once batches."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine, Table, event, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from infra.eventstore.log_reader import LOG_TABLES
from infra.readmodel import mutual_control_tables, tables
from infra.readmodel.goal_tables import GOAL_TABLES
from infra.readmodel.goals import SqlGoalReader, SqlGoalView
from infra.readmodel.identity import (
    IDENTITY_TABLES,
    SqlIdentityProviderReader,
    SqlIdentityProviderView,
)
from infra.readmodel.layout import add_missing_columns
from infra.readmodel.mutual_control import SqlMutualControlReader, SqlMutualControlView
from infra.readmodel.outbox import SqlOutboxView
from infra.readmodel.project_tables import PROJECT_TABLES
from infra.readmodel.projects import SqlProjectsReader, SqlProjectsView
from infra.readmodel.registry import SqlRegistryReader, SqlRegistryView
from infra.readmodel.upserts import PendingUpserts
from infra.readmodel.version_tables import OUTBOX_TABLE, VERSION_TABLE
from infra.reads import DriverStatement, reads
from services.ports.log import EventLog, TrackingConflict
from services.ports.storage import ReadModel

# Every read-model table of a cluster partition; each part of the domain adds its own.
CLUSTER_TABLES: list[Table] = [*tables.CLUSTER_TABLES]
CLUSTER_TABLES += mutual_control_tables.MUTUAL_CONTROL_TABLES
CLUSTER_TABLES += PROJECT_TABLES
CLUSTER_TABLES += GOAL_TABLES
CLUSTER_TABLES += IDENTITY_TABLES
# What a blue/green rebuild builds beside the live tables and swaps in: the views,
# their tracking and the versions of the projections that built them.
VERSIONED_TABLES: list[Table] = [*CLUSTER_TABLES, VERSION_TABLE]


class BatchSession(Session):
    """The session of a projection batch: it holds every row the batch loads or
    adds until the batch ends.

    A session's identity map holds rows only weakly: once flushed, a row nobody
    references is gone, and the next event about it (a revision, a vote changed)
    costs a flush and a SELECT again. Held, it is found in the map without SQL,
    and the batch's changes go out together at its end. The listeners belong to
    the class (SQLAlchemy's events on a Session subclass), registered once:
    registering them on each batch's session cost more than some batches' SQL.
    """

    def __init__(self, engine: Engine) -> None:
        super().__init__(engine)
        self.info["clusterwork.kept"] = []


def _keep(session: Session, row: object) -> None:
    session.info["clusterwork.kept"].append(row)


event.listen(BatchSession, "transient_to_pending", _keep)
event.listen(BatchSession, "loaded_as_persistent", _keep)


class SqlReadModel(ReadModel):
    def __init__(self, engine: Engine, rebuilding: bool = False) -> None:
        self.engine = engine
        self.rebuilding = rebuilding  # the next version, built beside the live one
        self._local = threading.local()
        self._reads = read_engine = reads(engine)  # no transaction around a read
        # Every read of a view starts with this statement (LeasedProjection.settle).
        self._head_and_positions = DriverStatement(engine, _head_and_positions(engine.dialect.name))
        self.registry = SqlRegistryView(self)
        self.registry_reader = SqlRegistryReader(read_engine)
        self.goals = SqlGoalView(self)
        self.goal_reader = SqlGoalReader(read_engine)
        self.mutual_control = SqlMutualControlView(self)
        self.mutual_control_reader = SqlMutualControlReader(read_engine)
        self.projects = SqlProjectsView(self)
        self.projects_reader = SqlProjectsReader(read_engine)
        self.identity_providers = SqlIdentityProviderView(self)
        self.identity_provider_reader = SqlIdentityProviderReader(read_engine)
        self.outbox = SqlOutboxView(self)

    def create(self, versions: dict[str, int] | None = None) -> None:
        """Creates what is missing; ``versions``: the projections' versions the
        tables are (to be) built by, recorded when the read model is new."""
        # The outbox lives with the live tables only: it is never swapped.
        outbox = [] if self.rebuilding else [OUTBOX_TABLE]
        SQLModel.metadata.create_all(self.engine, tables=[*VERSIONED_TABLES, *outbox])
        if versions is not None:
            self.record_versions(versions)

    def upgrade_layout(self, cluster_id: str) -> None:
        """Adds the nullable columns a later release declared to tables an earlier one
        made (infra/readmodel/layout.py); one catalog query when there is nothing to do.
        The outbox, which no earlier release made, is created when missing."""
        add_missing_columns(self.engine, CLUSTER_TABLES, cluster_id)
        OUTBOX_TABLE.create(self.engine, checkfirst=True)

    def reset(self, versions: dict[str, int] | None = None) -> None:
        """Empties the views and their tracking (the outbox stays: what was sent
        was sent); with ``versions``, records that the replay to come builds them."""
        SQLModel.metadata.drop_all(self.engine, tables=CLUSTER_TABLES)
        self.create(versions)

    def versions(self) -> dict[str, int] | None:
        """The version of each projection that built the tables; None for a
        partition made before projections had versions (all at version 1)."""
        column = VERSION_TABLE.c
        try:
            with self._reads.connect() as connection:
                rows = connection.execute(select(column.name, column.version)).all()
        except sa.exc.DBAPIError:  # no such table
            return None
        return {name: version for name, version in rows}

    def record_versions(self, versions: dict[str, int]) -> None:
        with self.engine.begin() as connection:
            connection.execute(sa.delete(VERSION_TABLE))
            if versions:
                connection.execute(
                    sa.insert(VERSION_TABLE),
                    [{"name": name, "version": v} for name, v in sorted(versions.items())],
                )

    def outward(self, projection: str, key: str, position: int, kind: str, payload: str) -> None:
        """Records a message for the outside world in the current batch, unless
        one with the same key is there already (sent or queued by an earlier
        pass). A read model built beside the live one records nothing: every
        event it replays was the live read model's to send."""
        if self.rebuilding:
            return
        row = {"projection": projection, "key": key, "position": position}
        row |= {"kind": kind, "payload": payload}
        connection = self.session().connection()
        connection.execute(_insert_once(connection.dialect.name), [row])

    def positions(self) -> dict[str, int]:
        with self._reads.connect() as connection:  # Core: every request asks this
            return {name: position for name, position in connection.execute(_POSITIONS)}

    def positions_and_head(self, log: EventLog) -> tuple[dict[str, int], int]:
        if getattr(log, "engine", None) is not self.engine:  # a log stored elsewhere
            return super().positions_and_head(log)
        rows = self._head_and_positions.rows()
        # The head is the row without a name (a projection's name is never null).
        positions = {name: position for name, position in rows if name is not None}
        head = next((position for name, position in rows if name is None), None)
        return positions, int(head or 0)

    @contextmanager
    def batch(self, expected: dict[str, int]) -> Iterator[None]:
        with BatchSession(self.engine) as session:
            self._local.session, self._local.tracked = session, dict(expected)
            self._local.upserts = upserts = PendingUpserts()
            try:
                yield
                session.flush()  # view rows reach the database here, before the tracking
                upserts.write(session.connection())  # in the same transaction
            except IntegrityError:
                session.rollback()
                self._raise_if_moved_on(expected)
                raise
            else:
                self._commit_tracking(session, expected, self._local.tracked)
            finally:
                self._local.session = self._local.upserts = None

    def _raise_if_moved_on(self, expected: dict[str, int]) -> None:
        # A view row we insert already exists: another process projected the same
        # events first (PostgreSQL waits for its commit before saying so). That is a
        # tracking conflict; with the trackings unmoved it is a bug, and surfaces.
        stored = self.positions()
        if any(stored.get(name, 0) != position for name, position in expected.items()):
            raise TrackingConflict("a view row was written by another process") from None

    def session(self) -> Session:
        session = getattr(self._local, "session", None)
        if session is None:
            raise RuntimeError("read-model writes happen only inside ReadModel.batch()")
        return session

    def upserts(self) -> PendingUpserts:
        """Whole rows stated by primary key, written together when the batch ends."""
        upserts = getattr(self._local, "upserts", None)
        if upserts is None:
            raise RuntimeError("read-model writes happen only inside ReadModel.batch()")
        return upserts  # type: ignore[no-any-return]

    def track(self, tracking: Tracking) -> None:
        self._local.tracked[tracking.application_name] = tracking.notification_id

    def tracked(self, name: str) -> int | None:
        tracked = getattr(self._local, "tracked", None)
        return tracked.get(name) if tracked else self.positions().get(name)

    @staticmethod
    def _commit_tracking(session: Session, expected: dict[str, int], new: dict[str, int]) -> None:
        try:
            # Projections that already have a row move in one statement (one round
            # trip, not one per projection), each only from the position we read.
            moving = {n: p for n, p in new.items() if p != expected[n] and expected[n] != 0}
            if moving:
                moved = (
                    session.connection()
                    .exec_driver_sql(*_move_statement(session, moving, expected))
                    .rowcount
                )
                if moved != len(moving):
                    raise TrackingConflict(", ".join(sorted(moving)))
            for name, position in new.items():
                if position == expected[name] or name in moving:
                    continue
                moved = session.exec(  # type: ignore[call-overload]
                    update(tables.TrackingRow)
                    .where(tables.TrackingRow.name == name)  # type: ignore[arg-type]
                    .where(tables.TrackingRow.position == expected[name])  # type: ignore[arg-type]
                    .values(position=position)
                ).rowcount
                if moved == 0 and expected[name] == 0:
                    session.add(tables.TrackingRow(name=name, position=position))
                    session.flush()
                elif moved != 1:
                    raise TrackingConflict(name)
            session.commit()
        except IntegrityError as error:
            session.rollback()
            raise TrackingConflict(str(error)) from None
        except TrackingConflict:
            session.rollback()
            raise


@lru_cache(maxsize=64)
def _move_sql(count: int, paramstyle: str, table: str) -> str:
    """UPDATE rm_tracking SET position = CASE name WHEN … END WHERE (name = … AND
    position = …) OR …, for ``count`` projections, in the driver's placeholders."""
    mark = "?" if paramstyle == "qmark" else "%s"
    whens = " ".join(f"WHEN {mark} THEN {mark}" for _ in range(count))
    where = " OR ".join(f"(name = {mark} AND position = {mark})" for _ in range(count))
    return f"UPDATE {table} SET position = CASE name {whens} END WHERE {where}"


def _move_statement(
    session: Session, moving: dict[str, int], expected: dict[str, int]
) -> tuple[str, tuple[object, ...]]:
    """Moves the projections in ``moving``, each only from the position it was
    read at, in one statement. Written as SQL text for the driver: building it
    as a SQLAlchemy expression (an and_ per projection, a CASE and their cache
    key) cost more than the rest of a one-event batch (cProfile of
    recordAssessment). Being text, it names the cluster's schema itself
    (on PostgreSQL the engine maps tables to it at compile time)."""
    names = sorted(moving)
    params: list[object] = []
    for name in names:
        params += (name, moving[name])
    for name in names:
        params += (name, expected[name])
    connection = session.connection()
    table = tables.TrackingRow.__tablename__
    schema = (connection.get_execution_options().get("schema_translate_map") or {}).get(None)
    if schema:
        table = f"{connection.dialect.identifier_preparer.quote_identifier(schema)}.{table}"
    return _move_sql(len(names), connection.dialect.paramstyle, table), tuple(params)


@cache
def _insert_once(dialect: str) -> Any:
    """INSERT … ON CONFLICT DO NOTHING into the outbox: the key is the gate."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(OUTBOX_TABLE).on_conflict_do_nothing(index_elements=["projection", "key"])


# Built once, as the views' reads are: a statement and its cache key built per
# call cost about 0.1 ms of CPU (every projection pass reads the positions).
_TRACKING = tables.TrackingRow.__table__.c  # type: ignore[attr-defined]
_POSITIONS = sa.select(_TRACKING.name, _TRACKING.position)


@cache  # one statement per dialect, built once (the log's position column differs)
def _head_and_positions(dialect: str) -> Any:
    """The log's head (a row named NULL), then every projection's position."""
    tracking = tables.TrackingRow.__table__.c  # type: ignore[attr-defined]
    log = LOG_TABLES[dialect].c
    return sa.union_all(
        sa.select(sa.literal(None, sa.Text).label("name"), sa.func.max(log.position)),
        sa.select(tracking.name, tracking.position),
    )
