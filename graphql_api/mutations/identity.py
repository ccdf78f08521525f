"""registerIdentityProvider: a coordinator connects an institution's OIDC provider."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.identity_provider import ProviderRegistration
from graphql_api.context import Context
from graphql_api.inputs import value_of
from graphql_api.types.identity import IdentityProviderType


@strawberry.input
class IdentityProviderInput:
    name: str
    subject_id: strawberry.ID
    issuer: str
    client_id: str
    client_secret: str
    enrol_new_members: bool | None = strawberry.field(
        default=True,
        description=(
            "Whether a person unknown to the cluster who signs in through this provider "
            "becomes a MEMBER of its subject (default true). Either way, a member the "
            "coordinator added to that subject with the e-mail the provider has verified "
            "is that person; with false, nobody else may sign in."
        ),
    )


@strawberry.type
class IdentityMutation:
    @strawberry.mutation(
        description=(
            "Registers an institution's OpenID Connect provider (COORDINATOR). The issuer's "
            "discovery document must be reachable and name the same issuer (BAD_USER_INPUT "
            "otherwise). The client secret is stored encrypted and never returned."
        )
    )
    def register_identity_provider(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: IdentityProviderInput
    ) -> IdentityProviderType:
        ctx = info.context
        registration = value_of(ProviderRegistration, input)
        registered = ctx.services.identity.register_identity_provider(
            ctx.principal, cluster_id, registration
        )
        scope = ctx.services.queries.scope(ctx.principal, cluster_id)
        return IdentityProviderType.from_dto(registered, scope)
