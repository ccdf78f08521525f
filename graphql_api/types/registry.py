"""Subjects, their interests, and members."""

from __future__ import annotations

from datetime import datetime

import strawberry

from domain import vocabulary as v
from graphql_api.enums import InterestKind, Role, SubjectKind
from services.dto import InterestInfo, MemberInfo, RoleChangeInfo, SubjectInfo
from services.queries import ClusterScope


@strawberry.type(name="Interest")
class InterestType:
    kind: InterestKind
    statement: str

    @classmethod
    def from_dto(cls, dto: InterestInfo) -> InterestType:
        return cls(kind=v.InterestKind(dto.kind), statement=dto.statement)


@strawberry.type(name="Subject")
class SubjectType:
    id: strawberry.ID
    name: str
    kind: SubjectKind
    region: str | None
    active: bool
    interests: list[InterestType]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def members(self) -> list[MemberType]:
        return MemberType.list_from(self._scope.members(self.id), self._scope)

    @classmethod
    def from_dto(cls, dto: SubjectInfo, scope: ClusterScope) -> SubjectType:
        scope.announce_members_of(dto.id)
        return cls(
            id=strawberry.ID(dto.id),
            name=dto.name,
            kind=v.SubjectKind(dto.kind),
            region=dto.region,
            active=dto.active,
            interests=[InterestType.from_dto(i) for i in dto.interests],
            _scope=scope,
        )


@strawberry.type(name="Member")
class MemberType:
    id: strawberry.ID
    name: str
    email: str | None
    roles: list[Role]
    _subject_id: strawberry.Private[str | None]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field(
        description="The institution this person acts for; null for e.g. an external auditor."
    )
    def subject(self) -> SubjectType | None:
        found = self._scope.subject(self._subject_id) if self._subject_id else None
        return SubjectType.from_dto(found, self._scope) if found else None

    @strawberry.field(
        description="Every role granted or revoked since the member was added, oldest "
        "first; the roles given when the member was added are not changes."
    )
    def role_changes(self) -> list[RoleChangeType]:
        changes = self._scope.role_changes(str(self.id))
        return [RoleChangeType.from_dto(c, self._scope) for c in changes]

    @classmethod
    def from_dto(cls, dto: MemberInfo, scope: ClusterScope) -> MemberType:
        scope.announce_subject(dto.subject_id)
        scope.announce_role_changes(dto.id)
        return cls._built(dto, scope)

    @classmethod
    def list_from(cls, dtos: list[MemberInfo], scope: ClusterScope) -> list[MemberType]:
        """``from_dto`` of each, their lookups announced together (a list of members is
        built on most reads of a cluster, and an announcement per item was a call each)."""
        scope.announce_subjects(d.subject_id for d in dtos)
        scope.announce_role_changes_of(d.id for d in dtos)
        return [cls._built(d, scope) for d in dtos]

    @classmethod
    def _built(cls, dto: MemberInfo, scope: ClusterScope) -> MemberType:
        return cls(
            id=strawberry.ID(dto.id),
            name=dto.name,
            email=dto.email,
            roles=[v.ROLE_BY_VALUE[r] for r in dto.roles],
            _subject_id=dto.subject_id,
            _scope=scope,
        )


@strawberry.type(name="RoleChange")
class RoleChangeType:
    role: Role
    granted: bool = strawberry.field(description="True for a grant, false for a revocation.")
    changed_at: datetime
    position: int = strawberry.field(description="The change's position in the cluster's log.")
    _changed_by: strawberry.Private[str | None]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field(description="The member who changed the role; null for a platform operator.")
    def changed_by(self) -> MemberType | None:
        found = self._scope.member(self._changed_by) if self._changed_by else None
        return MemberType.from_dto(found, self._scope) if found else None

    @classmethod
    def from_dto(cls, dto: RoleChangeInfo, scope: ClusterScope) -> RoleChangeType:
        scope.announce_members([dto.changed_by])
        return cls(
            role=v.ROLE_BY_VALUE[dto.role],
            granted=dto.granted,
            changed_at=dto.changed_at,
            position=dto.position,
            _changed_by=dto.changed_by,
            _scope=scope,
        )
