"""Ports: the small interfaces services need, implemented in infra/."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

from services.application import ClusterApplication
from services.audit.chain_check import ChainRecord
from services.dto import (
    CallerInfo,
    CheckpointInfo,
    ClusterInfo,
    MemberInfo,
    MembershipInfo,
    SubjectInfo,
)
from services.goal_model import GoalReader
from services.identity_ports import IdentityProviderReader
from services.mutual_control_dto import AssessmentInfo, NormInfo, RoundInfo, WeightedScore
from services.orientation import ProjectReader
from services.projections.goals import GoalView
from services.projections.identity import IdentityProviderView
from services.projections.mutual_control import MutualControlView
from services.projections.projects import ProjectsView
from services.projections.registry import RegistryView


class Clock(Protocol):
    """Today and now, injectable so that date rules are exact in tests."""

    def now(self) -> datetime: ...

    def today(self) -> date: ...


class LiveEvents(Protocol):
    """Tells subscribers when to look at a cluster's log again."""

    def changes(self, cluster_id: str) -> AsyncIterator[None]:
        """Yields at once, then whenever the log may have grown."""
        ...

    def wake(self, cluster_id: str) -> None: ...


class ProjectionLease(Protocol):
    """Exclusive right to project one cluster, across processes."""

    def hold(self, cluster_id: str) -> AbstractContextManager[bool]:
        """Tries (without waiting) to take the lease; yields whether it was taken."""
        ...


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

    def records(self) -> Iterator[ChainRecord]:
        """Every stored event with its position and hash, in position order (for verification)."""
        ...


class CheckpointStore(Protocol):
    """Signed checkpoints of one cluster's chain (kept beside the log, not in it)."""

    def add(self, checkpoint: CheckpointInfo) -> bool:
        """False when a checkpoint at that position exists already."""
        ...

    def all(self) -> list[CheckpointInfo]: ...

    def last(self) -> CheckpointInfo | None: ...


class CheckpointSigner(Protocol):
    def sign(self, claims: dict[str, Any]) -> str: ...

    def verify(self, jws: str) -> dict[str, Any] | None: ...


class RegistryReader(Protocol):
    """Queries over the registry read model."""

    def cluster(self) -> ClusterInfo | None: ...

    def caller(self, member_id: str) -> CallerInfo:
        """The cluster, the member and whether their subject is active, in one read
        (what every request needs before it reads anything else)."""
        ...

    def subjects(self, include_inactive: bool = False) -> list[SubjectInfo]: ...

    def subject(self, subject_id: str) -> SubjectInfo | None: ...

    def members(self, subject_id: str | None = None) -> list[MemberInfo]: ...

    def member(self, member_id: str) -> MemberInfo | None: ...


class MutualControlReader(Protocol):
    """Queries over the mutual-control read model (norms, rounds, latest assessments)."""

    def norms(self) -> list[NormInfo]: ...

    def norm(self, norm_id: str) -> NormInfo | None: ...

    def rounds(self) -> list[RoundInfo]: ...

    def round(self, round_id: str) -> RoundInfo | None: ...

    def assessments(
        self, round_id: str, assessor_id: str | None = None, assessee_id: str | None = None
    ) -> list[AssessmentInfo]: ...

    def weighted_totals(self, round_id: str) -> Sequence[WeightedScore]:
        """The stored ``weighted`` and ``weight`` of the round's latest
        assessments, added up per (assessor, assessee), in no particular order."""
        ...


class ReadModel(ABC):
    """A cluster's read-model tables and the tracking of each projection."""

    registry: RegistryView
    registry_reader: RegistryReader
    goals: GoalView
    goal_reader: GoalReader
    mutual_control: MutualControlView
    mutual_control_reader: MutualControlReader
    projects: ProjectsView
    projects_reader: ProjectReader
    identity_providers: IdentityProviderView
    identity_provider_reader: IdentityProviderReader

    @abstractmethod
    def reset(self) -> None:
        """Drops every view and its tracking, to be rebuilt from the log."""

    @abstractmethod
    def positions(self) -> dict[str, int]:
        """Tracking position of every projection (0 when nothing is applied yet)."""

    def positions_and_head(self, log: EventLog) -> tuple[dict[str, int], int]:
        """``positions()`` and ``log.head()``, as every read asks them to settle.

        A read model stored beside its log (the same SQLite file or PostgreSQL
        schema) answers both in one statement: one round trip, one snapshot."""
        return self.positions(), log.head()

    @abstractmethod
    def batch(self, expected: dict[str, int]) -> AbstractContextManager[None]:
        """One transaction for the view updates and the new tracking positions.

        On exit the trackings are committed only if they still equal ``expected``;
        otherwise everything is rolled back and TrackingConflict is raised. This is
        what makes each event apply exactly once, across processes and crashes.
        """


class Partition(Protocol):
    """A cluster's own storage: event store, log reader and read model.

    Read-only members, so an implementation may narrow their types."""

    @property
    def cluster_id(self) -> str: ...

    @property
    def recorder(self) -> ApplicationRecorder: ...

    @property
    def app(self) -> ClusterApplication: ...

    @property
    def log(self) -> EventLog: ...

    @property
    def read_model(self) -> ReadModel: ...

    @property
    def checkpoints(self) -> CheckpointStore: ...


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
