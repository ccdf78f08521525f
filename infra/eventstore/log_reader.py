"""Reads a cluster's log by gapless position: the chain joined to the events."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any
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
    literal,
    literal_column,
    null,
    select,
    union_all,
)

from services.audit.chain_check import ChainRecord
from services.ports import LogEntry

# Declared, never created here: the eventsourcing recorders own these tables.
# SQLAlchemy's Uuid is CHAR(32) hex on SQLite and uuid on PostgreSQL, exactly
# as the library stores originator ids.
_meta = MetaData()
stored_events = Table(
    "stored_events",
    _meta,
    Column("originator_id", Uuid),
    Column("originator_version", BigInteger),
    Column("topic", Text),
    Column("state", LargeBinary),
)
event_chain = Table(
    "event_chain",
    _meta,
    Column("position", BigInteger, primary_key=True),
    Column("originator_id", Uuid),
    Column("originator_version", BigInteger),
    Column("type", Text),
    Column("hash", Text),
)


class SqlEventLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def records(self) -> Iterator[ChainRecord]:
        return chain_records(self.engine)

    def head(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.max(event_chain.c.position))).scalar() or 0)

    def read(
        self,
        after: int,
        limit: int,
        *,
        upto: int | None = None,
        aggregate_id: str | None = None,
        types: Sequence[str] | None = None,
    ) -> list[LogEntry]:
        c, e = event_chain.c, stored_events.c
        query = (
            select(
                c.position, c.hash, c.type, e.originator_id, e.originator_version, e.topic, e.state
            )
            .select_from(
                event_chain.join(
                    stored_events,
                    and_(
                        e.originator_id == c.originator_id,
                        e.originator_version == c.originator_version,
                    ),
                )
            )
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
                LogEntry(
                    row.position,
                    row.hash,
                    row.type,
                    StoredEvent(
                        row.originator_id, row.originator_version, row.topic, bytes(row.state)
                    ),
                )
                for row in conn.execute(query)
            ]


def chain_records(engine: Engine) -> Iterator[ChainRecord]:
    """Every stored event in storage order beside its chain row, then chain
    rows whose event is gone; one statement, so one consistent snapshot."""
    c, e = event_chain.c, stored_events.c
    order: Any = literal_column(
        "stored_events." + ("rowid" if engine.dialect.name == "sqlite" else "notification_id")
    )
    on = and_(e.originator_id == c.originator_id, e.originator_version == c.originator_version)
    with_events = select(
        literal(0).label("part"),
        order.label("ord"),
        c.position,
        c.hash,
        c.originator_id.label("chain_aggregate"),
        c.originator_version.label("chain_version"),
        e.originator_id,
        e.originator_version,
        e.topic,
        e.state,
    ).select_from(stored_events.outerjoin(event_chain, on))
    orphans = (
        select(
            literal(1),
            c.position,
            c.position,
            c.hash,
            c.originator_id,
            c.originator_version,
            null(),
            null(),
            null(),
            null(),
        )
        .select_from(event_chain.outerjoin(stored_events, on))
        .where(e.originator_id.is_(None))
    )
    query = union_all(with_events, orphans).order_by("part", "ord")
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield ChainRecord(
                position=row.position,
                stored_hash=row.hash,
                chain_aggregate=_text(row.chain_aggregate),
                chain_version=row.chain_version,
                aggregate_id=_text(row.originator_id),
                version=row.originator_version,
                topic=row.topic,
                state=_bytes(row.state),
            )


def _text(value: object) -> str | None:
    return None if value is None else str(UUID(str(value)))


def _bytes(value: object) -> bytes | None:
    # Tampered storage may hold text where the library wrote bytes; hash it as
    # found rather than fail, so verification reports the position instead.
    if value is None:
        return None
    return value.encode() if isinstance(value, str) else bytes(value)  # type: ignore[call-overload]
