"""Registry mutations: clusters, subjects, interests, members, roles."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.cluster import (
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from graphql_api.context import Context
from graphql_api.enums import ClusterForm, InterestKind, Role, SubjectKind
from graphql_api.inputs import value_of
from graphql_api.types.cluster import ClusterType
from graphql_api.types.registry import MemberType, SubjectType


@strawberry.input
class FoundClusterInput:
    name: str
    region: str
    form: ClusterForm


@strawberry.input
class AdmitSubjectInput:
    name: str
    kind: SubjectKind
    region: str | None = None


@strawberry.input
class AddMemberInput:
    name: str
    roles: list[Role]
    email: str | None = None
    subject_id: strawberry.ID | None = None


def _subject(info: Info[Context, None], cluster_id: str, subject_id: str) -> SubjectType:
    scope = info.context.services.queries.scope(info.context.principal, cluster_id)
    found = scope.subject(subject_id)
    assert found is not None
    return SubjectType.from_dto(found, scope)


def _member(info: Info[Context, None], cluster_id: str, member_id: str) -> MemberType:
    scope = info.context.services.queries.scope(info.context.principal, cluster_id)
    found = scope.member(member_id)
    assert found is not None
    return MemberType.from_dto(found, scope)


@strawberry.type
class RegistryMutation:
    @strawberry.mutation(
        description="Platform operators only (FORBIDDEN otherwise). The caller becomes the first COORDINATOR."
    )
    def found_cluster(self, info: Info[Context, None], input: FoundClusterInput) -> ClusterType:
        ctx = info.context
        founded = ctx.services.registry.found_cluster(
            ctx.principal, value_of(ClusterFounding, input)
        )
        return ClusterType.from_scope(ctx.services.queries.scope(ctx.principal, founded.id))

    @strawberry.mutation
    def admit_subject(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: AdmitSubjectInput
    ) -> SubjectType:
        ctx = info.context
        subject = ctx.services.registry.admit_subject(
            ctx.principal, cluster_id, value_of(SubjectAdmission, input)
        )
        return _subject(info, cluster_id, subject.id)

    @strawberry.mutation
    def withdraw_subject(
        self, info: Info[Context, None], cluster_id: strawberry.ID, subject_id: strawberry.ID
    ) -> SubjectType:
        ctx = info.context
        subject = ctx.services.registry.withdraw_subject(ctx.principal, cluster_id, subject_id)
        return _subject(info, cluster_id, subject.id)

    @strawberry.mutation
    def declare_interest(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        subject_id: strawberry.ID,
        kind: InterestKind,
        statement: str,
    ) -> SubjectType:
        ctx = info.context
        subject = ctx.services.registry.declare_interest(
            ctx.principal, cluster_id, subject_id, InterestDeclaration(kind.value, statement)
        )
        return _subject(info, cluster_id, subject.id)

    @strawberry.mutation
    def add_member(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: AddMemberInput
    ) -> MemberType:
        ctx = info.context
        member = ctx.services.registry.add_member(
            ctx.principal, cluster_id, value_of(MemberAddition, input)
        )
        return _member(info, cluster_id, member.id)

    @strawberry.mutation
    def grant_role(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        member_id: strawberry.ID,
        role: Role,
    ) -> MemberType:
        ctx = info.context
        change = RoleChange(role=role.value)
        member = ctx.services.registry.grant_role(ctx.principal, cluster_id, member_id, change)
        return _member(info, cluster_id, member.id)

    @strawberry.mutation
    def revoke_role(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        member_id: strawberry.ID,
        role: Role,
    ) -> MemberType:
        ctx = info.context
        change = RoleChange(role=role.value)
        member = ctx.services.registry.revoke_role(ctx.principal, cluster_id, member_id, change)
        return _member(info, cluster_id, member.id)
