"""Registry commands: found a cluster, admit and withdraw subjects, declare
interests, add members, grant and revoke roles."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from domain.cluster import (
    Cluster,
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.errors import Forbidden
from domain.stamp import Stamp, stamped
from services.access import member_info, subject_info
from services.commands import CommandRunner
from services.dto import ClusterInfo, MemberInfo, SubjectInfo
from services.ids import new_id, normalise_id, target_id
from services.permissions import Permission, require_own_subject
from services.ports.storage import Partition
from services.principal import Actor, Principal
from services.queries import ClusterScope
from services.request import current_request_id

OPERATOR_DEFAULT_NAME = "Platform operator"


# A registry command's answer comes from the command itself: the subject or
# member as its own copy of the registry has it after its change (what the read
# model holds once its events are projected, which they are before it returns),
# and the caller's view of the cluster right after it, for anything further an
# answer names. Nothing is read back, and nobody waits for other writers' events.


@dataclass(frozen=True)
class RegisteredSubject:
    subject: SubjectInfo
    scope: ClusterScope


@dataclass(frozen=True)
class RegisteredMember:
    member: MemberInfo
    scope: ClusterScope


class RegistryService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def found_cluster(self, principal: Principal | None, founding: ClusterFounding) -> ClusterInfo:
        """Founds a cluster; the operator who founds it becomes its first coordinator."""
        if principal is None or not principal.operator:
            raise Forbidden("only platform operators may found clusters")
        cluster_id, member_id = uuid.uuid4(), new_id()
        key = str(cluster_id)
        with stamped(Stamp(key, member_id, None, current_request_id())):
            cluster = Cluster.found(cluster_id, founding)
            operator = MemberAddition(
                principal.name or OPERATOR_DEFAULT_NAME, principal.email, None, ["COORDINATOR"]
            )
            cluster.add_member(member_id, operator)
        partition = self.runner.partitions.provision(key)
        partition.app.save(cluster)
        directory = self.runner.directory
        directory.register_cluster(key, cluster.name)
        directory.ensure_person(principal.person_id, principal.name, principal.email)
        directory.link(principal.person_id, key, member_id)
        self.runner.project(partition)
        info = partition.read_model.registry_reader.cluster()
        assert info is not None
        return info

    def admit_subject(
        self, principal: Principal | None, cluster_id: str, admission: SubjectAdmission
    ) -> RegisteredSubject:
        """Admits an institution to the cluster."""
        subject_id = new_id()

        def body(_: Partition, cluster: Cluster, __: Actor):  # type: ignore[no-untyped-def]
            cluster.admit(subject_id, admission)
            return [cluster], subject_id

        return self._subject(principal, cluster_id, Permission.ADMINISTER, body)

    def withdraw_subject(
        self, principal: Principal | None, cluster_id: str, subject_id: str
    ) -> RegisteredSubject:
        """Withdraws a subject; its members keep read access only."""
        subject_id = target_id(subject_id, "subject")

        def body(_: Partition, cluster: Cluster, __: Actor):  # type: ignore[no-untyped-def]
            cluster.withdraw(subject_id)
            return [cluster], subject_id

        return self._subject(principal, cluster_id, Permission.ADMINISTER, body)

    def declare_interest(
        self,
        principal: Principal | None,
        cluster_id: str,
        subject_id: str,
        declaration: InterestDeclaration,
    ) -> RegisteredSubject:
        """States a subject's legal, social or economic interest."""
        subject_id = target_id(subject_id, "subject")

        def body(_: Partition, cluster: Cluster, actor: Actor):  # type: ignore[no-untyped-def]
            cluster.subject(subject_id)  # NOT_FOUND before FORBIDDEN says nothing new
            require_own_subject(actor, subject_id)
            cluster.declare_interest(subject_id, declaration)
            return [cluster], subject_id

        return self._subject(principal, cluster_id, Permission.PARTICIPATE, body)

    def add_member(
        self, principal: Principal | None, cluster_id: str, addition: MemberAddition
    ) -> RegisteredMember:
        """Adds a person who acts for a subject (or for nobody, e.g. an auditor)."""
        member_id = new_id()
        addition = replace(addition, subject_id=normalise_id(addition.subject_id, "subjectId"))

        def body(_: Partition, cluster: Cluster, __: Actor):  # type: ignore[no-untyped-def]
            cluster.add_member(member_id, addition)
            return [cluster], member_id

        return self._member(principal, cluster_id, body)

    def grant_role(
        self, principal: Principal | None, cluster_id: str, member_id: str, change: RoleChange
    ) -> RegisteredMember:
        """Grants a role; granting one already held records nothing."""
        member_id = target_id(member_id, "member")

        def body(_: Partition, cluster: Cluster, __: Actor):  # type: ignore[no-untyped-def]
            changed = cluster.grant(member_id, change)
            return ([cluster] if changed else []), member_id

        return self._member(principal, cluster_id, body)

    def revoke_role(
        self, principal: Principal | None, cluster_id: str, member_id: str, change: RoleChange
    ) -> RegisteredMember:
        """Revokes a role; the last coordinator's COORDINATOR role stays (CONFLICT)."""
        member_id = target_id(member_id, "member")

        def body(_: Partition, cluster: Cluster, __: Actor):  # type: ignore[no-untyped-def]
            changed = cluster.revoke(member_id, change)
            return ([cluster] if changed else []), member_id

        return self._member(principal, cluster_id, body)

    # --- helpers ---------------------------------------------------------------

    def _subject(self, principal, cluster_id, permission, body) -> RegisteredSubject:  # type: ignore[no-untyped-def]
        done = self.runner.execute(principal, cluster_id, permission, body)
        subject = subject_info(done.cluster.subject(done.value))
        return RegisteredSubject(subject, self.runner.scope(done))

    def _member(self, principal, cluster_id, body) -> RegisteredMember:  # type: ignore[no-untyped-def]
        done = self.runner.execute(principal, cluster_id, Permission.ADMINISTER, body)
        member = member_info(done.cluster.member(done.value))
        return RegisteredMember(member, self.runner.scope(done))
