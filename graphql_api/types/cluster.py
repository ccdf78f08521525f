"""The cluster (tenant) and its continuity view."""

from __future__ import annotations

import strawberry

from domain import vocabulary as v
from graphql_api.enums import ClusterForm, SubjectKind
from graphql_api.types.audit import IntegrityType
from graphql_api.types.events import EventPageType
from graphql_api.types.registry import MemberType, SubjectType
from services.dto import ContinuityInfo
from services.ids import normalise_id
from services.queries import ClusterScope


@strawberry.type(name="ContinuityStage")
class ContinuityStageType:
    kind: SubjectKind
    subjects: list[SubjectType]


@strawberry.type(name="Continuity")
class ContinuityType:
    stages: list[ContinuityStageType] = strawberry.field(
        description="The six chain stages in order, with their active subjects."
    )
    gaps: list[SubjectKind] = strawberry.field(description="Chain stages without an active subject.")

    @classmethod
    def from_dto(cls, dto: ContinuityInfo, scope: ClusterScope) -> ContinuityType:
        return cls(
            stages=[
                ContinuityStageType(
                    kind=v.SubjectKind(s.kind),
                    subjects=[SubjectType.from_dto(x, scope) for x in s.subjects],
                )
                for s in dto.stages
            ],
            gaps=[v.SubjectKind(g) for g in dto.gaps],
        )


@strawberry.type(name="Cluster")
class ClusterType:
    id: strawberry.ID
    name: str
    region: str
    form: ClusterForm
    position: int = strawberry.field(description="Log position this view reflects (the head, or asOf).")
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def subjects(self, include_inactive: bool | None = False) -> list[SubjectType]:
        found = self._scope.subjects(bool(include_inactive))
        return [SubjectType.from_dto(s, self._scope) for s in found]

    @strawberry.field
    def subject(self, id: strawberry.ID) -> SubjectType | None:
        key = normalise_id(id, "id")
        found = self._scope.subject(key) if key else None
        return SubjectType.from_dto(found, self._scope) if found else None

    @strawberry.field
    def members(self) -> list[MemberType]:
        return [MemberType.from_dto(m, self._scope) for m in self._scope.members()]

    @strawberry.field
    def continuity(self) -> ContinuityType:
        return ContinuityType.from_dto(self._scope.continuity(), self._scope)

    @strawberry.field(description="The cluster's event log, oldest first. first: 1..500.")
    def events(
        self, after: int | None = 0, first: int | None = 100,
        aggregate_id: strawberry.ID | None = None, types: list[str] | None = None,
    ) -> EventPageType:
        page = self._scope.events(
            0 if after is None else after, 100 if first is None else first,
            normalise_id(aggregate_id, "aggregateId"), types,
        )
        return EventPageType.from_dto(page, self._scope)

    @strawberry.field(description="Hash-chain integrity of this cluster's log (COORDINATOR and AUDITOR).")
    def integrity(self, info: strawberry.Info) -> IntegrityType:
        return IntegrityType.from_dto(info.context.services.audit.integrity(self._scope))

    @classmethod
    def from_scope(cls, scope: ClusterScope) -> ClusterType:
        info = scope.info
        return cls(
            id=strawberry.ID(info.id), name=info.name, region=info.region,
            form=v.ClusterForm(info.form), position=info.position, _scope=scope,
        )
