"""The cluster (tenant) and its continuity view."""

from __future__ import annotations

import strawberry

from domain import goal as g
from domain import vocabulary as v
from graphql_api.enums import ClusterForm, Direction, SubjectKind
from graphql_api.types.audit import IntegrityType
from graphql_api.types.events import EventPageType
from graphql_api.types.goal import GoalType
from graphql_api.types.identity import IdentityProviderType
from graphql_api.types.mutual_control import AssessmentRoundType, NormType
from graphql_api.types.project import ProjectType
from graphql_api.types.registry import MemberType, SubjectType
from services import mutual_control_queries
from services.dto import ContinuityInfo
from services.goal_queries import find_goal, list_goals
from services.ids import normalise_id
from services.projects import project_in, projects_in
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
    gaps: list[SubjectKind] = strawberry.field(
        description="Chain stages without an active subject."
    )

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
    position: int = strawberry.field(
        description="Log position this view reflects (the head, or asOf)."
    )
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
        return MemberType.list_from(self._scope.members(), self._scope)

    @strawberry.field
    def identity_providers(self, info: strawberry.Info) -> list[IdentityProviderType]:
        found = info.context.services.identity.providers(self._scope)
        return [IdentityProviderType.from_dto(p, self._scope) for p in found]

    @strawberry.field(description="Goals in proposal order; status filters by the status shown.")
    def goals(self, status: g.GoalStatus | None = None) -> list[GoalType]:
        found = list_goals(self._scope, status.value if status else None)
        return [GoalType.from_dto(view, self._scope) for view in found]

    @strawberry.field
    def goal(self, id: strawberry.ID) -> GoalType | None:
        key = normalise_id(id, "id")
        found = find_goal(self._scope, key) if key else None
        return GoalType.from_dto(found, self._scope) if found else None

    @strawberry.field
    def projects(self, direction: Direction | None = None) -> list[ProjectType]:
        found = projects_in(self._scope, direction.value if direction else None)
        return [ProjectType.from_dto(p, self._scope) for p in found]

    @strawberry.field
    def project(self, id: strawberry.ID) -> ProjectType | None:
        found = project_in(self._scope, id)
        return ProjectType.from_dto(found, self._scope) if found else None

    @strawberry.field
    def norms(self) -> list[NormType]:
        return [NormType.from_dto(n) for n in mutual_control_queries.norms(self._scope)]

    @strawberry.field
    def assessment_rounds(self) -> list[AssessmentRoundType]:
        found = mutual_control_queries.rounds(self._scope)
        return [AssessmentRoundType.from_dto(r, self._scope) for r in found]

    @strawberry.field
    def assessment_round(self, id: strawberry.ID) -> AssessmentRoundType | None:
        key = normalise_id(id, "id")
        found = mutual_control_queries.round_(self._scope, key) if key else None
        return AssessmentRoundType.from_dto(found, self._scope) if found else None

    @strawberry.field
    def continuity(self) -> ContinuityType:
        return ContinuityType.from_dto(self._scope.continuity(), self._scope)

    @strawberry.field(description="The cluster's event log, oldest first. first: 1..500.")
    def events(
        self,
        after: int | None = 0,
        first: int | None = 100,
        aggregate_id: strawberry.ID | None = None,
        types: list[str] | None = None,
    ) -> EventPageType:
        page = self._scope.events(
            0 if after is None else after,
            100 if first is None else first,
            normalise_id(aggregate_id, "aggregateId"),
            types,
        )
        return EventPageType.from_dto(page, self._scope)

    @strawberry.field(
        description="Hash-chain integrity of this cluster's log (COORDINATOR and AUDITOR)."
    )
    def integrity(self, info: strawberry.Info) -> IntegrityType:
        return IntegrityType.from_dto(info.context.services.audit.integrity(self._scope))

    @classmethod
    def from_scope(cls, scope: ClusterScope) -> ClusterType:
        info = scope.info
        return cls(
            id=strawberry.ID(info.id),
            name=info.name,
            region=info.region,
            form=v.ClusterForm(info.form),
            position=info.position,
            _scope=scope,
        )
