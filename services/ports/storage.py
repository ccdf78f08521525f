"""Where things are kept: a cluster's partition (its application, log, read
model and checkpoints), and the directory of what spans clusters."""

from __future__ import annotations

from abc import ABC, abstractmethod
from contextlib import AbstractContextManager
from typing import Protocol

from eventsourcing.persistence import ApplicationRecorder

from services.application import ClusterApplication
from services.dto import MembershipInfo
from services.ports.audit import CheckpointStore
from services.ports.goals import GoalReader, GoalView
from services.ports.identity import IdentityProviderReader, IdentityProviderView
from services.ports.log import EventLog
from services.ports.mutual_control import MutualControlReader, MutualControlView
from services.ports.projects import ProjectReader, ProjectsView
from services.ports.registry import RegistryReader, RegistryView


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
    # How many times this process switched the next version's tables in under this
    # read model (a blue-green rebuild, infra/rebuild.py): the positions stay, the
    # rows may not, so what was read before a switch is not the read model's to answer.
    generation: int = 0

    def switched(self) -> None:
        """The tables under this read model were replaced by a rebuild's."""
        self.generation += 1

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
