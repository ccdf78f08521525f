"""The registry read model: what its projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.cluster import Cluster
from services.dto import CallerInfo, ClusterInfo, MemberInfo, RoleChangeInfo, SubjectInfo


class RegistryView(TrackingRecorder):
    """What the registry projection writes. Each method records the view
    change and the tracking in the same unit of work; a method that takes an
    event writes its facts by name (infra/readmodel/by_name.py), so a field
    added to the event needs no edit here or in the projection."""

    @abstractmethod
    def cluster_founded(self, tracking: Tracking, founded: Cluster.ClusterFounded) -> None: ...

    @abstractmethod
    def subject_admitted(self, tracking: Tracking, admitted: Cluster.SubjectAdmitted) -> None: ...

    @abstractmethod
    def subject_withdrawn(
        self, tracking: Tracking, withdrawn: Cluster.SubjectWithdrawn
    ) -> None: ...

    @abstractmethod
    def interest_declared(self, tracking: Tracking, declared: Cluster.InterestDeclared) -> None: ...

    @abstractmethod
    def member_added(self, tracking: Tracking, added: Cluster.MemberAdded) -> None: ...

    @abstractmethod
    def member_erased(self, tracking: Tracking, *, member_id: str, name: str) -> None:
        """The member's name becomes ``name`` (the placeholder) and their e-mail goes."""

    @abstractmethod
    def role_granted(self, tracking: Tracking, granted: Cluster.RoleGranted) -> None:
        """The member holds the role, and the grant is one of their role changes."""

    @abstractmethod
    def role_revoked(self, tracking: Tracking, revoked: Cluster.RoleRevoked) -> None:
        """The member no longer holds the role, and the revocation is one of their
        role changes."""


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

    def role_changes(self, member_ids: set[str]) -> dict[str, tuple[RoleChangeInfo, ...]]:
        """The role changes of each of these members, oldest first (a member
        without any is left out)."""
        ...
