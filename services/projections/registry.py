"""Projects the registry (cluster, subjects, interests, members, roles)."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking, TrackingRecorder
from eventsourcing.projection import Projection

from domain.cluster import Cluster


class RegistryView(TrackingRecorder):
    """What the registry projection writes. Each method records the view
    change and the tracking in the same unit of work."""

    @abstractmethod
    def cluster_founded(
        self, tracking: Tracking, *, cluster_id: str, name: str, region: str, form: str
    ) -> None: ...

    @abstractmethod
    def subject_admitted(
        self,
        tracking: Tracking,
        *,
        subject_id: str,
        name: str,
        kind: str,
        region: str | None,
        at: datetime,
    ) -> None: ...

    @abstractmethod
    def subject_withdrawn(self, tracking: Tracking, *, subject_id: str) -> None: ...

    @abstractmethod
    def interest_declared(
        self, tracking: Tracking, *, subject_id: str, kind: str, statement: str
    ) -> None: ...

    @abstractmethod
    def member_added(
        self,
        tracking: Tracking,
        *,
        member_id: str,
        name: str,
        email: str | None,
        subject_id: str | None,
        roles: list[str],
        at: datetime,
    ) -> None: ...

    @abstractmethod
    def roles_changed(
        self, tracking: Tracking, *, member_id: str, add: str | None, remove: str | None
    ) -> None: ...


class RegistryProjection(Projection[RegistryView]):
    name = "registry"

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: Cluster.ClusterFounded, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.cluster_founded(
            tracking, cluster_id=str(e.originator_id), name=e.name, region=e.region, form=e.form
        )

    @process_event.register
    def _(self, e: Cluster.SubjectAdmitted, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.subject_admitted(
            tracking,
            subject_id=e.subject_id,
            name=e.name,
            kind=e.kind,
            region=e.region,
            at=e.timestamp,
        )

    @process_event.register
    def _(self, e: Cluster.SubjectWithdrawn, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.subject_withdrawn(tracking, subject_id=e.subject_id)

    @process_event.register
    def _(self, e: Cluster.InterestDeclared, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.interest_declared(
            tracking, subject_id=e.subject_id, kind=e.kind, statement=e.statement
        )

    @process_event.register
    def _(self, e: Cluster.MemberAdded, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.member_added(
            tracking,
            member_id=e.member_id,
            name=e.name,
            email=e.email,
            subject_id=e.subject_id,
            roles=e.roles,
            at=e.timestamp,
        )

    @process_event.register
    def _(self, e: Cluster.RoleGranted, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.roles_changed(tracking, member_id=e.member_id, add=e.role, remove=None)

    @process_event.register
    def _(self, e: Cluster.RoleRevoked, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.roles_changed(tracking, member_id=e.member_id, add=None, remove=e.role)
