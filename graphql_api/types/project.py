"""Projects, their expected results, milestones and the orientation view."""

from __future__ import annotations

from datetime import date

import strawberry

from domain import vocabulary as v
from graphql_api.enums import Direction, MilestoneStatus, ProjectKind
from graphql_api.types.goal import GoalType
from graphql_api.types.registry import SubjectType
from services.goal_queries import announce_goal, find_goal
from services.orientation import ExpectedResultInfo, MilestoneInfo, OrientationInfo, ProjectInfo
from services.projects import orientation_of
from services.queries import ClusterScope


@strawberry.type(name="ExpectedResult")
class ExpectedResultType:
    id: strawberry.ID
    indicator: str
    target: float
    unit: str | None
    actual: float | None

    @classmethod
    def from_dto(cls, dto: ExpectedResultInfo) -> ExpectedResultType:
        return cls(
            id=strawberry.ID(dto.id),
            indicator=dto.indicator,
            target=dto.target,
            unit=dto.unit,
            actual=dto.actual,
        )


@strawberry.type(name="Milestone")
class MilestoneType:
    id: strawberry.ID
    title: str
    due: date
    status: MilestoneStatus
    expected_result: str | None
    reached_on: date | None
    actual_result: str | None
    evidence_url: str | None
    missed_reason: str | None = strawberry.field(
        description="Why the milestone was missed (MISSED only)."
    )
    description: str | None = strawberry.field(
        description="What the milestone delivers (null when its planner gave none)."
    )

    @classmethod
    def from_dto(cls, dto: MilestoneInfo) -> MilestoneType:
        return cls(
            id=strawberry.ID(dto.id),
            title=dto.title,
            due=dto.due,
            status=v.MilestoneStatus(dto.status),
            expected_result=dto.expected_result,
            reached_on=dto.reached_on,
            actual_result=dto.actual_result,
            evidence_url=dto.evidence_url,
            missed_reason=dto.missed_reason,
            description=dto.description,
        )


@strawberry.type(name="Orientation")
class OrientationType:
    planned: int = strawberry.field(
        description="Every milestone ever planned, whatever its status."
    )
    reached: int
    missed: int
    overdue: int = strawberry.field(description="PLANNED milestones whose due date has passed.")
    on_time_rate: float | None = strawberry.field(
        description="Reached on or before due / (reached + missed + overdue); null when that is 0."
    )
    result_attainment: float | None = strawberry.field(
        description="Mean over results with an actual of min(actual / target, 1); null if none."
    )

    @classmethod
    def from_dto(cls, dto: OrientationInfo) -> OrientationType:
        return cls(
            planned=dto.planned,
            reached=dto.reached,
            missed=dto.missed,
            overdue=dto.overdue,
            on_time_rate=dto.on_time_rate,
            result_attainment=dto.result_attainment,
        )


@strawberry.type(name="Project")
class ProjectType:
    id: strawberry.ID
    title: str
    direction: Direction
    kind: ProjectKind
    goal_id: strawberry.ID | None = strawberry.field(
        description="The id of the goal (null without a goal)."
    )
    _info: strawberry.Private[ProjectInfo]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field(description="The goal of the cluster that the project serves.")
    def goal(self) -> GoalType | None:
        found = find_goal(self._scope, self._info.goal_id) if self._info.goal_id else None
        return GoalType.from_dto(found, self._scope) if found else None

    @strawberry.field
    def lead(self) -> SubjectType:
        found = self._scope.subject(self._info.lead_id)
        assert found is not None, "a project's lead is a subject of its cluster"
        return SubjectType.from_dto(found, self._scope)

    @strawberry.field
    def partners(self) -> list[SubjectType]:
        found = (self._scope.subject(p) for p in self._info.partner_ids)
        return [SubjectType.from_dto(s, self._scope) for s in found if s is not None]

    @strawberry.field
    def expected_results(self) -> list[ExpectedResultType]:
        return [ExpectedResultType.from_dto(r) for r in self._info.expected_results]

    @strawberry.field
    def milestones(self) -> list[MilestoneType]:
        return [MilestoneType.from_dto(m) for m in self._info.milestones]

    @strawberry.field
    def orientation(self) -> OrientationType:
        return OrientationType.from_dto(orientation_of(self._scope, self._info))

    @classmethod
    def from_dto(cls, dto: ProjectInfo, scope: ClusterScope) -> ProjectType:
        scope.announce_subject(dto.lead_id)
        for partner in dto.partner_ids:
            scope.announce_subject(partner)
        announce_goal(scope, dto.goal_id)
        return cls(
            id=strawberry.ID(dto.id),
            title=dto.title,
            direction=v.Direction(dto.direction),
            kind=v.ProjectKind(dto.kind),
            goal_id=strawberry.ID(dto.goal_id) if dto.goal_id else None,
            _info=dto,
            _scope=scope,
        )
