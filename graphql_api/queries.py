"""Query root."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graphql_api.context import Context
from graphql_api.types.cluster import ClusterType
from graphql_api.types.viewer import ViewerType


@strawberry.type
class Query:
    @strawberry.field(
        description="The authenticated caller. UNAUTHENTICATED without a valid token."
    )
    def viewer(self, info: Info[Context, None]) -> ViewerType:
        # The token check is all that identifying the caller takes; what the
        # person's fields need is read by those fields, if selected.
        principal = info.context.principal
        return ViewerType(
            id=strawberry.ID(principal.person_id),
            _principal=principal,
            _queries=info.context.services.queries,
            _personal_data=info.context.services.personal_data,
        )

    @strawberry.field(
        description=(
            "One cluster (tenant). A cluster the caller does not belong to behaves exactly "
            "like one that does not exist: NOT_FOUND. asOf: the view as it was right after "
            "log position asOf (COORDINATOR and AUDITOR only; BAD_USER_INPUT past the head)."
        )
    )
    def cluster(
        self, info: Info[Context, None], id: strawberry.ID, as_of: int | None = None
    ) -> ClusterType:
        scope = info.context.services.queries.scope(info.context.principal, id, as_of)
        return ClusterType.from_scope(scope)
