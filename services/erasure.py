"""Erasing a person (docs/privacy.md): their keys destroyed, ``PersonErased``
recorded in every cluster they were a member of, their directory rows removed
and their tokens refused. Every chain still verifies: no stored byte changes.

A platform operator may erase anyone. A coordinator may erase a person who is a
member only of clusters they coordinate (the usual case: a member asks their
cluster's coordinator); anyone else needs an operator, so no one coordinator can
erase a person from a cluster they do not run.

The steps run in an order that can be resumed: keys first (a write sealed under
them is refused from then on), then each cluster's event (a cluster already
holding it is skipped), then the directory in one transaction, which also marks
the erasure as done. A failure half-way leaves the person erasable again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

from domain.cluster import Cluster
from domain.errors import Conflict, Forbidden, NotFound, Unauthenticated
from domain.stamp import Stamp, stamped
from domain.text import required_text
from domain.vocabulary import Role
from services.commands import MAX_ATTEMPTS, CommandRunner, retry_pause
from services.dto import MembershipInfo
from services.ids import new_id
from services.ports.erasure import ErasureStore, PersonStatus
from services.principal import Principal
from services.request import current_request_id

REASON_MAX = 500


@dataclass(frozen=True)
class ErasureInfo:
    person_id: str
    erasure_id: str
    cluster_ids: tuple[str, ...]


class ErasureService:
    def __init__(self, runner: CommandRunner, store: ErasureStore) -> None:
        self.runner = runner
        self.store = store

    def erase_person(self, principal: Principal | None, person_id: str, reason: str) -> ErasureInfo:
        if principal is None:
            raise Unauthenticated("a valid workspace token is required")
        memberships = self.store.memberships(person_id)
        if not principal.operator:
            self._require_coordinator_of_all(principal, memberships)
        reason = required_text("reason", reason, REASON_MAX)
        status = self.store.status(person_id)
        if status is PersonStatus.ERASED:
            raise Conflict(f"person {person_id} has already been erased")
        if status is PersonStatus.UNKNOWN:
            raise NotFound(f"no person {person_id}")
        erasure_id = new_id()
        for membership in memberships:
            self.store.destroy_keys(membership.cluster_id, [membership.member_id])
            self._record(principal, membership, erasure_id)
            self.store.scrub(membership.cluster_id)
        self.store.finish(person_id, erasure_id, reason, principal.person_id)
        return ErasureInfo(person_id, erasure_id, tuple(m.cluster_id for m in memberships))

    def _require_coordinator_of_all(
        self, principal: Principal, memberships: list[MembershipInfo]
    ) -> None:
        refused = Forbidden(
            "only a platform operator, or the coordinator of every cluster the person "
            "belongs to, may erase a person"
        )
        if not memberships:
            raise refused
        for membership in memberships:
            member_id = self.runner.directory.member_of(principal.person_id, membership.cluster_id)
            if member_id is None:
                raise refused
            partition = self.runner.partitions.open(membership.cluster_id)
            cluster: Cluster = partition.app.repository.get(UUID(membership.cluster_id))
            member = cluster.members.get(member_id)
            if member is None or member.erased or Role.COORDINATOR not in member.roles:
                raise refused

    def _record(self, principal: Principal, membership: MembershipInfo, erasure_id: str) -> None:
        cluster_id, member_id = membership.cluster_id, membership.member_id
        partition = self.runner.partitions.open(cluster_id)
        actor_member = self.runner.directory.member_of(principal.person_id, cluster_id)
        stamp = Stamp(cluster_id, actor_member, None, current_request_id())
        for attempt in range(1, MAX_ATTEMPTS + 1):
            cluster: Cluster = partition.app.repository.get(UUID(cluster_id))
            member = cluster.members.get(member_id)
            if member is None or member.erased:
                return  # recorded by an erasure that did not finish
            with stamped(stamp):
                cluster.erase_member(member_id, erasure_id)
            saved = self.runner.save(partition, [cluster], attempt)
            if saved is not None:
                self.runner.after(partition, saved)
                return
            time.sleep(retry_pause(attempt))
        raise Conflict("too many concurrent changes; please try again")
