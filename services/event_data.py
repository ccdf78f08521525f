"""Turns a log entry into what auditors and clients see: type, actor, data."""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, datetime
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Mapper

from domain.base import STAMP_FIELDS
from domain.personal import personal_fields
from services.dto import EventInfo
from services.ports.log import LogEntry


class _Described:
    """Recently described log entries (pages are read again and again, and
    decoding an event costs more than reading it). The key is everything the
    description is made of: a changed row (even a tampered one) is a new key.
    Bounded: the least recently used leave first. Events with personal fields
    are not kept (``describe``)."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._found: OrderedDict[tuple[Any, ...], EventInfo] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...]) -> EventInfo | None:
        with self._lock:
            found = self._found.get(key)
            if found is not None:
                self._found.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], info: EventInfo) -> None:
        with self._lock:
            self._found[key] = info
            if len(self._found) > self.maxsize:
                self._found.popitem(last=False)


_DESCRIBED = _Described(maxsize=4096)


def describe(entry: LogEntry, mapper: Mapper[Any]) -> EventInfo:
    stored = entry.stored_event
    key = (
        entry.position,
        entry.hash,
        entry.type,
        stored.originator_id,
        stored.originator_version,
        stored.topic,
        stored.state,
    )
    found = _DESCRIBED.get(key)
    if found is None:
        event = mapper.to_domain_event(stored)
        found = _info(entry, event)
        # An event with personal fields is never kept: its stored bytes stay the
        # same after an erasure while its description must not (docs/privacy.md).
        if personal_fields(type(event)) is None:
            _DESCRIBED.put(key, found)
    return found


def describe_once(entry: LogEntry, mapper: Mapper[Any]) -> EventInfo:
    """``describe`` for an entry read once in a long scan (a person's export):
    kept out of the cache, which holds the pages clients read again and again."""
    return _describe(entry, mapper)


def _describe(entry: LogEntry, mapper: Mapper[Any]) -> EventInfo:
    return _info(entry, mapper.to_domain_event(entry.stored_event))


def _info(entry: LogEntry, event: Any) -> EventInfo:
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
