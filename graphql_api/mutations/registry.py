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
from services.registry import RegisteredMember, RegisteredSubject


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


def _subject(done: RegisteredSubject) -> SubjectType:
    """The command's own answer and the caller's view right after it (no read back)."""
    return SubjectType.from_dto(done.subject, done.scope)


def _member(done: RegisteredMember) -> MemberType:
    return MemberType.from_dto(done.member, done.scope)


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
        done = ctx.services.registry.admit_subject(
            ctx.principal, cluster_id, value_of(SubjectAdmission, input)
        )
        return _subject(done)

    @strawberry.mutation
    def withdraw_subject(
        self, info: Info[Context, None], cluster_id: strawberry.ID, subject_id: strawberry.ID
    ) -> SubjectType:
        ctx = info.context
        done = ctx.services.registry.withdraw_subject(ctx.principal, cluster_id, subject_id)
        return _subject(done)

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
        done = ctx.services.registry.declare_interest(
            ctx.principal, cluster_id, subject_id, InterestDeclaration(kind.value, statement)
        )
        return _subject(done)

    @strawberry.mutation
    def add_member(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: AddMemberInput
    ) -> MemberType:
        ctx = info.context
        done = ctx.services.registry.add_member(
            ctx.principal, cluster_id, value_of(MemberAddition, input)
        )
        return _member(done)

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
        done = ctx.services.registry.grant_role(ctx.principal, cluster_id, member_id, change)
        return _member(done)

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
        done = ctx.services.registry.revoke_role(ctx.principal, cluster_id, member_id, change)
        return _member(done)
