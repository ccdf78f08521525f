"""Subscription root: a cluster's events, history first, then live."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator

import strawberry
from strawberry.types import Info

from domain.errors import InvalidInput
from graphql_api.context import Context
from graphql_api.types.events import EventType
from services.queries import EVENTS_PAGE_MAX


@strawberry.type
class Subscription:
    @strawberry.subscription(
        description=(
            "Every event of the cluster with position > after, in order, without gaps "
            "or duplicates, then live."
        )
    )
    async def cluster_events(
        self, info: Info[Context, None], cluster_id: strawberry.ID, after: int | None = 0
    ) -> AsyncGenerator[EventType, None]:
        ctx = info.context
        last = 0 if after is None else after
        if last < 0:
            raise InvalidInput("after must be 0 or a position", field="after")
        scope = await asyncio.to_thread(ctx.services.queries.scope, ctx.principal, cluster_id)

        def allowed() -> None:
            # UNAUTHENTICATED once the token or session ended, FORBIDDEN once
            # the member may no longer follow the cluster; either ends the stream.
            principal = ctx.still_signed_in()
            ctx.services.queries.check_still_follows(principal, scope.cluster_id)

        # Each wake-up re-reads the log after the last position delivered, so
        # nothing is skipped or repeated, whether history or live. Wake-ups come
        # at least every few seconds, so access is checked even when idle.
        async for _ in ctx.services.live.changes(scope.cluster_id):
            while True:
                events = await asyncio.to_thread(scope.tail, last, EVENTS_PAGE_MAX)
                # Checked after the read: access still held now covers every
                # event of the batch, which was written before this moment.
                await asyncio.to_thread(allowed)
                for event in events:
                    yield EventType.from_dto(event, scope)
                    last = event.position
                if len(events) < EVENTS_PAGE_MAX:
                    break
