"""Resolves a principal to the member they act as in a cluster."""

from __future__ import annotations

from domain.cluster import Cluster, MemberRecord, SubjectRecord
from domain.errors import NotFound, Unauthenticated
from domain.vocabulary import ROLE_BY_VALUE
from services.dto import CallerInfo, InterestInfo, MemberInfo, SubjectInfo
from services.ports.storage import Directory
from services.principal import Actor, Principal


def not_found(cluster_id: str) -> NotFound:
    # The same answer for "does not exist" and "not yours": tenants must not
    # learn about each other's clusters.
    return NotFound(f"no cluster {cluster_id}")


def member_id_of(directory: Directory, principal: Principal | None, cluster_id: str) -> str:
    if principal is None:
        raise Unauthenticated("a valid workspace token is required")
    member_id = directory.member_of(principal.person_id, cluster_id)
    if member_id is None:
        raise not_found(cluster_id)
    return member_id


def actor_from_registry(cluster: Cluster, member_id: str) -> Actor:
    """The actor as the cluster aggregate knows them (for commands)."""
    member = cluster.members.get(member_id)
    cluster_id = str(cluster.id)
    if member is None or not member.roles or member.erased:
        raise not_found(cluster_id)
    subject = cluster.subjects.get(member.subject_id) if member.subject_id else None
    return Actor(
        cluster_id=cluster_id,
        member_id=member_id,
        subject_id=member.subject_id,
        subject_active=bool(subject and subject.active),
        roles=member.roles,  # already a frozenset
    )


def actor_from_caller(caller: CallerInfo, cluster_id: str, member_id: str) -> Actor:
    """The actor as the read model knows them (for queries), from one read of the
    registry (``RegistryReader.caller``): roles and standing as of this request."""
    member = caller.member
    if member is None or not member.roles:
        raise not_found(cluster_id)
    return Actor(
        cluster_id=cluster_id,
        member_id=member_id,
        subject_id=member.subject_id,
        subject_active=caller.subject_active,
        roles=frozenset(ROLE_BY_VALUE[r] for r in member.roles),
    )


def subject_info(record: SubjectRecord) -> SubjectInfo:
    """A subject as the registry aggregate knows it, in the read model's shape
    (interests ordered by kind, as ``RegistryReader.subject`` returns them)."""
    interests = sorted((kind.value, statement) for kind, statement in record.interests.items())
    return SubjectInfo(
        record.id,
        record.name,
        record.kind.value,
        record.region,
        record.active,
        tuple(InterestInfo(kind, statement) for kind, statement in interests),
    )


def member_info(record: MemberRecord) -> MemberInfo:
    """A member as the registry aggregate knows them, in the read model's shape
    (roles sorted, as ``RegistryReader.member`` returns them)."""
    return MemberInfo(
        record.id,
        record.name,
        record.email,
        record.subject_id,
        tuple(sorted(role.value for role in record.roles)),
    )
