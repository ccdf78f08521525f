"""Reads a cluster's log by gapless position, each event with its chain hash."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    LargeBinary,
    MetaData,
    Select,
    Table,
    Text,
    Uuid,
    bindparam,
    false,
    func,
    or_,
    select,
    type_coerce,
)

from infra.reads import reads
from services.audit.chain_check import ChainRecord
from services.chain import event_type
from services.ports.log import LogEntry


# Declared, never created here: the recorders own this table. An event's
# position is its notification id (SQLite: the rowid). SQLAlchemy's Uuid is
# CHAR(32) hex on SQLite and uuid on PostgreSQL, exactly as the library
# stores originator ids.
def _events_table(position_column: str) -> Table:
    return Table(
        "stored_events",
        MetaData(),
        Column(position_column, BigInteger, key="position"),
        Column("originator_id", Uuid),
        Column("originator_version", BigInteger),
        Column("topic", Text),
        Column("state", LargeBinary),
        Column("hash", Text),
    )


LOG_TABLES = {"sqlite": _events_table("rowid"), "postgresql": _events_table("notification_id")}


def events_table(engine: Engine) -> Table:
    return LOG_TABLES[engine.dialect.name]


def _pages(table: Table) -> tuple[Select[Any], Select[Any]]:
    """A page of the log, and a page up to a position: built once per dialect,
    with parameters (building the statement per call cost more than the query)."""
    e = table.c
    # The id as the driver gives it (SQLite: hex text), made a UUID by _uuid:
    # SQLAlchemy's Uuid processing was the largest single cost of a rebuild.
    originator_id = type_coerce(e.originator_id, Text).label("originator_id")
    page = (
        select(e.position, e.hash, originator_id, e.originator_version, e.topic, e.state)
        .where(e.position > bindparam("after", type_=BigInteger))
        .order_by(e.position)
        .limit(bindparam("limit", type_=BigInteger))
    )
    return page, page.where(e.position <= bindparam("upto", type_=BigInteger))


_PAGES = {dialect: _pages(table) for dialect, table in LOG_TABLES.items()}


class SqlEventLog:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.table = events_table(engine)
        self._page, self._page_upto = _PAGES[engine.dialect.name]
        self._reads = reads(engine)  # one statement each: no transaction around it

    def records(self) -> Iterator[ChainRecord]:
        return chain_records(self.engine)

    def head(self) -> int:
        with self._reads.connect() as conn:
            return int(conn.execute(select(func.max(self.table.c.position))).scalar() or 0)

    def read(
        self,
        after: int,
        limit: int,
        *,
        upto: int | None = None,
        aggregate_id: str | None = None,
        types: Sequence[str] | None = None,
    ) -> list[LogEntry]:
        e = self.table.c
        query = self._page if upto is None else self._page_upto
        parameters = {"after": after, "limit": limit}
        if upto is not None:
            parameters["upto"] = upto
        if aggregate_id is not None:
            query = query.where(e.originator_id == UUID(aggregate_id))
        if types is not None:
            # The type is the topic's last name (services.chain.event_type).
            query = query.where(
                or_(false(), *[e.topic.endswith(f".{name}", autoescape=True) for name in types])
            )
        with self._reads.connect() as conn:
            rows = conn.execute(query, parameters).all()
        return [
            LogEntry(
                position,
                hash_,
                _event_type(topic),
                StoredEvent(_uuid(originator_id), version, topic, bytes(state)),
            )
            for position, hash_, originator_id, version, topic, state in rows
        ]


# A log names few aggregates and fewer types, over and over: each is worked out
# once (a rebuild of 100,000 events spent a fifth of its time on these two).
_event_type = lru_cache(maxsize=1024)(event_type)
_UUIDS: dict[str, UUID] = {}
_UUIDS_MAX = 65_536


def _uuid(value: UUID | str) -> UUID:
    """The UUID of an originator id as the driver returned it (PostgreSQL: a
    UUID already; SQLite: its 32 hex digits)."""
    if isinstance(value, UUID):
        return value
    found = _UUIDS.get(value)
    if found is None:
        if len(_UUIDS) >= _UUIDS_MAX:
            _UUIDS.clear()
        found = _UUIDS[value] = UUID(hex=value)
    return found


def chain_records(engine: Engine) -> Iterator[ChainRecord]:
    """Every stored event in position order, in one statement (one snapshot)."""
    e = events_table(engine).c
    query = select(
        e.position, e.hash, e.originator_id, e.originator_version, e.topic, e.state
    ).order_by(e.position)
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            yield ChainRecord(
                position=row.position,
                stored_hash=row.hash,
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
