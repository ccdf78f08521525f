"""Projects the registry (cluster, subjects, interests, members, roles)."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.cluster import Cluster
from domain.personal import erased_name
from services.ports.registry import RegistryView


class RegistryProjection(Projection[RegistryView]):
    name = "registry"
    # Raise when a change needs its tables rebuilt (docs/operations.md).
    # 2: the role changes (rm_role_change), filled from the whole history.
    version = 2

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: Cluster.ClusterFounded, tracking: Tracking) -> None:
        self.view.cluster_founded(tracking, e)

    @process_event.register
    def _(self, e: Cluster.SubjectAdmitted, tracking: Tracking) -> None:
        self.view.subject_admitted(tracking, e)

    @process_event.register
    def _(self, e: Cluster.SubjectWithdrawn, tracking: Tracking) -> None:
        self.view.subject_withdrawn(tracking, e)

    @process_event.register
    def _(self, e: Cluster.InterestDeclared, tracking: Tracking) -> None:
        self.view.interest_declared(tracking, e)

    @process_event.register
    def _(self, e: Cluster.MemberAdded, tracking: Tracking) -> None:
        self.view.member_added(tracking, e)

    @process_event.register
    def _(self, e: Cluster.PersonErased, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.member_erased(tracking, member_id=e.member_id, name=erased_name(e.member_id))

    @process_event.register
    def _(self, e: Cluster.RoleGranted, tracking: Tracking) -> None:
        self.view.role_granted(tracking, e)

    @process_event.register
    def _(self, e: Cluster.RoleRevoked, tracking: Tracking) -> None:
        self.view.role_revoked(tracking, e)
