"""The signed-in person and their memberships.

Each field reads only what it needs, when the selection asks for it: ``id`` is
the token's own (no read at all), ``name`` and ``email`` one directory read
between them, ``memberships`` the directory's links and each cluster's view."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from domain.errors import NotFound
from graphql_api.cost import MAX_COST
from graphql_api.types.cluster import ClusterType
from graphql_api.types.registry import MemberType
from services.dto import PersonInfo
from services.personal_data import EVENTS_MAX, PersonalDataService
from services.principal import Principal
from services.queries import ClusterQueries


@strawberry.type(name="Membership")
class MembershipType:
    cluster: ClusterType
    member: MemberType


@strawberry.type(name="Viewer")
class ViewerType:
    id: strawberry.ID
    _principal: strawberry.Private[Principal]
    _queries: strawberry.Private[ClusterQueries]
    _personal_data: strawberry.Private[PersonalDataService]
    # name and email come from one read, made by whichever is resolved first.
    _person: strawberry.Private[PersonInfo | None] = None

    @strawberry.field
    def name(self) -> str | None:
        return self._known().name

    @strawberry.field
    def email(self) -> str | None:
        return self._known().email

    @strawberry.field
    def memberships(self) -> list[MembershipType]:
        found = []
        for membership in self._queries.memberships(self._principal):
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

    @strawberry.field(
        description=(
            "Everything Clusterwork holds about the caller, as one JSON document: the "
            "directory entry, sign-in identities, memberships with roles, and per cluster "
            "the events the caller acted in or that are about them, oldest first. At most "
            f"{EVENTS_MAX} events; past that `complete` is false and each membership's "
            "`readUpTo` says how far its log was read. Also at GET /me/personal-data. "
            f"Costs {MAX_COST // 4} toward the query cost limit."
        )
    )
    def personal_data(self) -> JSON:
        return cast(JSON, self._personal_data.of_caller(self._principal))

    def _known(self) -> PersonInfo:
        if self._person is None:
            self._person = self._queries.person(self._principal)
        return self._person
