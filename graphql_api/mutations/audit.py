"""Audit mutations: signed checkpoints."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from graphql_api.context import Context
from graphql_api.types.audit import CheckpointType


@strawberry.type
class AuditMutation:
    @strawberry.mutation(
        description="Signs a checkpoint of the current head (COORDINATOR or AUDITOR)."
    )
    def sign_checkpoint(
        self, info: Info[Context, None], cluster_id: strawberry.ID
    ) -> CheckpointType:
        ctx = info.context
        return CheckpointType.from_dto(
            ctx.services.audit.sign_checkpoint(ctx.principal, cluster_id)
        )
