"""Privacy mutations: erasing a person (docs/privacy.md)."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graphql_api.context import Context
from graphql_api.types.privacy import ErasureType


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description=(
            "Erases a person: their keys destroyed, PersonErased recorded in every cluster "
            "they were a member of, their directory entries removed and their tokens "
            "refused. Platform operator, or the coordinator of every cluster the person "
            "belongs to. `reason` is a reference (a ticket number), not a name."
        )
    )
    def erase_person(
        self, info: Info[Context, None], person_id: strawberry.ID, reason: str
    ) -> ErasureType:
        ctx = info.context
        return ErasureType.from_dto(
            ctx.services.privacy.erase_person(ctx.principal, str(person_id), reason)
        )
