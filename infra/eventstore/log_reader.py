"""Reads a cluster's log by gapless position: the chain joined to the events."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    Table,
    Text,
    Uuid,
    and_,
    func,
    select,
)

from services.ports import LogEntry

# Declared, never created here: the eventsourcing recorders own these tables.
# SQLAlchemy's Uuid is CHAR(32) hex on SQLite and uuid on PostgreSQL, exactly
# as the library stores originator ids.
_meta = MetaData()
stored_events = Table(
    "stored_events", _meta,
    Column("originator_id", Uuid), Column("originator_version", BigInteger),
    Column("topic", Text), Column("state", LargeBinary),
)
event_chain = Table(
    "event_chain", _meta,
    Column("position", BigInteger, primary_key=True), Column("originator_id", Uuid),
    Column("originator_version", BigInteger), Column("type", Text), Column("hash", Text),
)


class SqlEventLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def head(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(event_chain.c.position))).scalar() or 0)

    def read(
        self, after: int, limit: int, *, upto: int | None = None,
        aggregate_id: str | None = None, types: Sequence[str] | None = None,
    ) -> list[LogEntry]:
        c, e = event_chain.c, stored_events.c
        query = (
            select(c.position, c.hash, c.type, e.originator_id, e.originator_version, e.topic, e.state)
            .select_from(event_chain.join(stored_events, and_(
                e.originator_id == c.originator_id, e.originator_version == c.originator_version
            )))
            .where(c.position > after)
            .order_by(c.position)
            .limit(limit)
        )
        if upto is not None:
            query = query.where(c.position <= upto)
        if aggregate_id is not None:
            query = query.where(c.originator_id == UUID(aggregate_id))
        if types is not None:
            query = query.where(c.type.in_(list(types)))
        with self.engine.connect() as conn:
            return [
                LogEntry(row.position, row.hash, row.type, StoredEvent(
                    row.originator_id, row.originator_version, row.topic, bytes(row.state)
                ))
                for row in conn.execute(query)
            ]
