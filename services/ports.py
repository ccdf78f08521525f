"""Ports: the small interfaces services need, implemented in infra/."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from services.application import ClusterApplication
from services.dto import ClusterInfo, MemberInfo, MembershipInfo, SubjectInfo
from services.projections.registry import RegistryView


class Clock(Protocol):
    """Today and now, injectable so that date rules are exact in tests."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class TrackingConflict(Exception):
    """Another process projected the same events first; re-read and go on."""


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


class RegistryReader(Protocol):
    """Queries over the registry read model."""

    def cluster(self) -> ClusterInfo | None: ...

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]: ...

    def subject(self, subject_id: str) -> SubjectInfo | None: ...

    def members(self, subject_id: str | None = None) -> list[MemberInfo]: ...

    def member(self, member_id: str) -> MemberInfo | None: ...


class ReadModel(ABC):
    """A cluster's read-model tables and the tracking of each projection."""

    registry: RegistryView
    registry_reader: RegistryReader

    @abstractmethod
    def positions(self) -> dict[str, int]:
        """Tracking position of every projection (0 when nothing is applied yet)."""

    @abstractmethod
    def batch(self, expected: dict[str, int]) -> AbstractContextManager[None]:
        """One transaction for the view updates and the new tracking positions.

        On exit the trackings are committed only if they still equal ``expected``;
        otherwise everything is rolled back and TrackingConflict is raised. This is
        what makes each event apply exactly once, across processes and crashes.
        """


class Partition(Protocol):
    """A cluster's own storage: event store, log reader and read model."""

    cluster_id: str
    recorder: ApplicationRecorder
    app: ClusterApplication
    log: EventLog
    read_model: ReadModel


class Partitions(Protocol):
    """Provisions and opens cluster partitions (SQLite files or PostgreSQL schemas)."""

    def provision(self, cluster_id: str) -> Partition: ...

    def open(self, cluster_id: str) -> Partition: ...

    def scratch(self, cluster_id: str) -> ReadModel:
        """An empty, private read model (for as-of views)."""
        ...


class Directory(Protocol):
    """The small shared directory: what spans clusters."""

    def register_cluster(self, cluster_id: str, name: str) -> None: ...

    def cluster_ids(self) -> list[str]: ...

    def has_cluster(self, cluster_id: str) -> bool: ...

    def ensure_person(self, person_id: str, name: str | None, email: str | None) -> None: ...

    def person(self, person_id: str) -> tuple[str | None, str | None] | None: ...

    def link(self, person_id: str, cluster_id: str, member_id: str) -> None: ...

    def member_of(self, person_id: str, cluster_id: str) -> str | None: ...

    def person_of(self, cluster_id: str, member_id: str) -> str | None: ...

    def memberships(self, person_id: str) -> list[MembershipInfo]: ...


def iter_batches(log: EventLog, after: int, size: int, upto: int | None) -> Iterator[list[LogEntry]]:
    """Reads the log in batches of ``size`` after ``after`` (up to ``upto``)."""
    while True:
        batch = log.read(after, size, upto=upto)
        if not batch:
            return
        yield batch
        after = batch[-1].position
