"""Orientation mutations: launch projects, plan/reach/miss milestones, record results."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import strawberry
from strawberry.types import Info

from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    ProjectLaunch,
    ResultMeasurement,
    ResultSpec,
)
from graphql_api.context import Context
from graphql_api.enums import Direction, ProjectKind
from graphql_api.inputs import value_of
from graphql_api.types.project import ExpectedResultType, MilestoneType, ProjectType


@strawberry.input
class ExpectedResultInput:
    indicator: str
    target: float
    unit: str | None = None


@strawberry.input
class LaunchProjectInput:
    title: str
    direction: Direction
    kind: ProjectKind
    goal_id: strawberry.ID | None = None
    lead_id: strawberry.ID | None = None
    partner_ids: list[strawberry.ID] | None = strawberry.field(default_factory=list)
    expected_results: list[ExpectedResultInput] | None = strawberry.field(default_factory=list)

    def to_launch(self) -> ProjectLaunch:
        # By name like every other input; only the nested results need their value type.
        launch = value_of(ProjectLaunch, self)
        specs = [value_of(ResultSpec, r) for r in self.expected_results or []]
        return replace(launch, partner_ids=list(self.partner_ids or []), expected_results=specs)


@strawberry.input
class PlanMilestoneInput:
    title: str
    due: date
    expected_result: str | None = None
    description: str | None = strawberry.field(
        default=None, description="What the milestone delivers (at most 4000 characters)."
    )

    def to_plan(self) -> MilestonePlan:
        return value_of(MilestonePlan, self)


@strawberry.input
class ReachMilestoneInput:
    reached_on: date
    actual_result: str
    evidence_url: str | None = None

    def to_reach(self) -> MilestoneReach:
        return value_of(MilestoneReach, self)


@strawberry.type
class ProjectMutation:
    @strawberry.mutation(
        description="Leads default to the caller's subject; a COORDINATOR may name another."
    )
    def launch_project(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: LaunchProjectInput
    ) -> ProjectType:
        ctx = info.context
        project = ctx.services.projects.launch_project(ctx.principal, cluster_id, input.to_launch())
        return ProjectType.from_dto(project, ctx.services.queries.scope(ctx.principal, cluster_id))

    @strawberry.mutation
    def plan_milestone(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        project_id: strawberry.ID,
        input: PlanMilestoneInput,
    ) -> MilestoneType:
        ctx = info.context
        return MilestoneType.from_dto(
            ctx.services.projects.plan_milestone(
                ctx.principal, cluster_id, project_id, input.to_plan()
            )
        )

    @strawberry.mutation
    def reach_milestone(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        project_id: strawberry.ID,
        milestone_id: strawberry.ID,
        input: ReachMilestoneInput,
    ) -> MilestoneType:
        ctx = info.context
        return MilestoneType.from_dto(
            ctx.services.projects.reach_milestone(
                ctx.principal,
                cluster_id,
                project_id,
                milestone_id,
                input.to_reach(),
            )
        )

    @strawberry.mutation
    def miss_milestone(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        project_id: strawberry.ID,
        milestone_id: strawberry.ID,
        reason: str,
    ) -> MilestoneType:
        ctx = info.context
        return MilestoneType.from_dto(
            ctx.services.projects.miss_milestone(
                ctx.principal, cluster_id, project_id, milestone_id, MilestoneMiss(reason=reason)
            )
        )

    @strawberry.mutation
    def record_result(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        project_id: strawberry.ID,
        result_id: strawberry.ID,
        actual: float,
    ) -> ExpectedResultType:
        ctx = info.context
        return ExpectedResultType.from_dto(
            ctx.services.projects.record_result(
                ctx.principal, cluster_id, project_id, result_id, ResultMeasurement(actual=actual)
            )
        )
