"""Plain, frozen results of read services. Never aggregates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class ClusterInfo:
    id: str
    name: str
    region: str
    form: str
    position: int


@dataclass(frozen=True)
class InterestInfo:
    kind: str
    statement: str


@dataclass(frozen=True)
class SubjectInfo:
    id: str
    name: str
    kind: str
    region: str | None
    active: bool
    interests: tuple[InterestInfo, ...] = ()


@dataclass(frozen=True)
class MemberInfo:
    id: str
    name: str
    email: str | None
    subject_id: str | None
    roles: tuple[str, ...]


@dataclass(frozen=True)
class RoleChangeInfo:
    """A role granted or revoked after the member was added."""

    position: int
    member_id: str
    role: str
    granted: bool  # False: revoked
    changed_at: datetime
    changed_by: str | None  # member id; None for a platform operator


@dataclass(frozen=True)
class CallerInfo:
    """The cluster and one member of it (the caller), as one read of the registry
    sees them: ``member`` is None when there is no such member."""

    cluster: ClusterInfo | None
    member: MemberInfo | None
    subject_active: bool  # the member's subject is active (False without one)


@dataclass(frozen=True)
class ContinuityStageInfo:
    kind: str
    subjects: tuple[SubjectInfo, ...]


@dataclass(frozen=True)
class ContinuityInfo:
    stages: tuple[ContinuityStageInfo, ...]
    gaps: tuple[str, ...]


@dataclass(frozen=True)
class EventInfo:
    position: int
    aggregate_id: str
    version: int
    type: str
    occurred_at: datetime
    actor_member_id: str | None
    data: dict[str, Any]
    hash: str


@dataclass(frozen=True)
class EventPageInfo:
    events: tuple[EventInfo, ...]
    has_more: bool


@dataclass(frozen=True)
class MembershipInfo:
    cluster_id: str
    member_id: str


@dataclass(frozen=True)
class PersonInfo:
    id: str
    name: str | None
    email: str | None


@dataclass(frozen=True)
class ViewerInfo:
    id: str
    name: str | None
    email: str | None
    memberships: tuple[MembershipInfo, ...]


@dataclass(frozen=True)
class CheckpointInfo:
    position: int
    head_hash: str
    signed_at: datetime
    jws: str


@dataclass(frozen=True)
class IntegrityInfo:
    head: int
    head_hash: str
    verified: bool
    first_bad_position: int | None
    checkpoints: tuple[CheckpointInfo, ...]
