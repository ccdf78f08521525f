"""The signed-in person and their memberships."""

from __future__ import annotations

import strawberry

from domain.errors import NotFound
from graphql_api.types.cluster import ClusterType
from graphql_api.types.registry import MemberType
from services.dto import ViewerInfo
from services.principal import Principal
from services.queries import ClusterQueries


@strawberry.type(name="Membership")
class MembershipType:
    cluster: ClusterType
    member: MemberType


@strawberry.type(name="Viewer")
class ViewerType:
    id: strawberry.ID
    name: str | None
    email: str | None
    _info: strawberry.Private[ViewerInfo]
    _principal: strawberry.Private[Principal]
    _queries: strawberry.Private[ClusterQueries]

    @strawberry.field
    def memberships(self) -> list[MembershipType]:
        found = []
        for membership in self._info.memberships:
            try:
                scope = self._queries.scope(self._principal, membership.cluster_id)
            except NotFound:  # every role revoked: no longer a membership that counts
                continue
            member = scope.member(membership.member_id)
            if member is not None:
                found.append(
                    MembershipType(
                        cluster=ClusterType.from_scope(scope),
                        member=MemberType.from_dto(member, scope),
                    )
                )
        return found
