"""A cluster's event log, reading it in order, projecting it once, and waking
those who follow it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from eventsourcing.persistence import StoredEvent

from services.audit.chain_check import ChainRecord


@dataclass(frozen=True)
class LogEntry:
    """One event of a cluster's log at its gapless position, with its chain hash."""

    position: int
    hash: str
    type: str
    stored_event: StoredEvent


class EventLog(Protocol):
    """Reads one cluster's log in position order."""

    def head(self) -> int: ...

    def read(
        self,
        after: int,
        limit: int,
        *,
        upto: int | None = None,
        aggregate_id: str | None = None,
        types: Sequence[str] | None = None,
    ) -> list[LogEntry]: ...

    def records(self) -> Iterator[ChainRecord]:
        """Every stored event with its position and hash, in position order (for verification)."""
        ...


def iter_batches(
    log: EventLog, after: int, size: int, upto: int | None
) -> Iterator[list[LogEntry]]:
    """Reads the log in batches of ``size`` after ``after`` (up to ``upto``)."""
    while True:
        batch = log.read(after, size, upto=upto)
        if not batch:
            return
        yield batch
        after = batch[-1].position


class TrackingConflict(Exception):
    """Another process projected the same events first; re-read and go on."""


class ProjectionLease(Protocol):
    """Exclusive right to project one cluster, across processes."""

    def hold(self, cluster_id: str) -> AbstractContextManager[bool]:
        """Tries (without waiting) to take the lease; yields whether it was taken."""
        ...


class LiveEvents(Protocol):
    """Tells subscribers when to look at a cluster's log again."""

    def changes(self, cluster_id: str) -> AsyncIterator[None]:
        """Yields at once, then whenever the log may have grown."""
        ...

    def wake(self, cluster_id: str) -> None: ...
