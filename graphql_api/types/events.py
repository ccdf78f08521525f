"""The cluster's log as clients page through it."""

from __future__ import annotations

from datetime import datetime
from typing import cast

import strawberry
from strawberry.scalars import JSON

from graphql_api.types.registry import MemberType
from services.dto import EventInfo, EventPageInfo
from services.queries import ClusterScope


@strawberry.type(name="Event")
class EventType:
    position: int
    aggregate_id: strawberry.ID
    version: int
    type: str = strawberry.field(description="Past-tense event name, e.g. GoalVoteCast.")
    occurred_at: datetime
    data: JSON
    hash: str = strawberry.field(description="Hex SHA-256 chain hash after this event.")
    _actor_id: strawberry.Private[str | None]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def actor(self) -> MemberType | None:
        member = self._scope.member(self._actor_id) if self._actor_id else None
        return MemberType.from_dto(member, self._scope) if member else None

    @classmethod
    def from_dto(cls, dto: EventInfo, scope: ClusterScope) -> EventType:
        return cls(
            position=dto.position,
            aggregate_id=strawberry.ID(dto.aggregate_id),
            version=dto.version,
            type=dto.type,
            occurred_at=dto.occurred_at,
            data=cast(JSON, dto.data),
            hash=dto.hash,
            _actor_id=dto.actor_member_id,
            _scope=scope,
        )


@strawberry.type(name="EventPage")
class EventPageType:
    events: list[EventType]
    has_more: bool

    @classmethod
    def from_dto(cls, dto: EventPageInfo, scope: ClusterScope) -> EventPageType:
        scope.announce_members({e.actor_member_id for e in dto.events})
        return cls(events=[EventType.from_dto(e, scope) for e in dto.events], has_more=dto.has_more)
