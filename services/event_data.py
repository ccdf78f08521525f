"""Turns a log entry into what auditors and clients see: type, actor, data."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from domain.base import STAMP_FIELDS
from services.dto import EventInfo
from services.ports import LogEntry


def describe(entry: LogEntry, mapper: Mapper[Any]) -> EventInfo:
    event = mapper.to_domain_event(entry.stored_event)
    fields = vars(event)
    return EventInfo(
        position=entry.position,
        aggregate_id=str(event.originator_id),
        version=event.originator_version,
        type=entry.type,
        occurred_at=fields["timestamp"],
        actor_member_id=fields.get("actor_member_id"),
        data={k: plain(v) for k, v in fields.items() if k not in STAMP_FIELDS},
        hash=entry.hash,
    )


def plain(value: Any) -> Any:
    """JSON-ready form of an event attribute."""
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value
