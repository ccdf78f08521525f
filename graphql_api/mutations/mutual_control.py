"""Mutual-control mutations: adopt norms, open and close rounds, record assessments."""

from __future__ import annotations

import strawberry
from strawberry.types import Info

from domain.assessment_round import RoundOpening
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from graphql_api.context import Context
from graphql_api.inputs import value_of
from graphql_api.types.mutual_control import (
    AssessmentRefs,
    AssessmentRoundType,
    AssessmentType,
    NormType,
)
from services.mutual_control_dto import RoundInfo
from services.queries import ClusterScope


@strawberry.input
class NormInput:
    name: str
    description: str | None = None
    scale_min: int | None = 1
    scale_max: int | None = 5
    weight: float | None = 1.0


def _scope(info: Info[Context, None], cluster_id: str) -> ClusterScope:
    return info.context.services.queries.scope(info.context.principal, cluster_id)


def _round(
    info: Info[Context, None], cluster_id: str, round_info: RoundInfo
) -> AssessmentRoundType:
    return AssessmentRoundType.from_dto(round_info, _scope(info, cluster_id))


@strawberry.type
class MutualControlMutation:
    @strawberry.mutation
    def adopt_norm(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: NormInput
    ) -> NormType:
        ctx = info.context
        norm = ctx.services.mutual_control.adopt_norm(
            ctx.principal, cluster_id, value_of(NormAdoption, input)
        )
        return NormType.from_dto(norm)

    @strawberry.mutation
    def open_assessment_round(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        title: str,
        norm_ids: list[strawberry.ID],
    ) -> AssessmentRoundType:
        ctx = info.context
        opening = RoundOpening(title=title, norm_ids=list(norm_ids))
        opened = ctx.services.mutual_control.open_assessment_round(
            ctx.principal, cluster_id, opening
        )
        return _round(info, cluster_id, opened)

    @strawberry.mutation(
        description=(
            "Assessor is the caller's own subject; a second call for the same (assessee, norm) "
            "is a revision."
        )
    )
    def record_assessment(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        round_id: strawberry.ID,
        assessee_id: strawberry.ID,
        norm_id: strawberry.ID,
        score: float,
        rationale: str | None = None,
    ) -> AssessmentType:
        ctx = info.context
        # Answered from the command itself (its event, and the registry and round it
        # ran with): no second lookup of the caller, and no read-model round trips.
        assessment = Assessment(
            assessee_id=assessee_id, norm_id=norm_id, score=score, rationale=rationale
        )
        done = ctx.services.mutual_control.record_assessment(
            ctx.principal, cluster_id, round_id, assessment
        )
        return AssessmentType.from_dto(done.assessment, AssessmentRefs.recorded(done))

    @strawberry.mutation
    def close_assessment_round(
        self, info: Info[Context, None], cluster_id: strawberry.ID, round_id: strawberry.ID
    ) -> AssessmentRoundType:
        ctx = info.context
        closed = ctx.services.mutual_control.close_assessment_round(
            ctx.principal, cluster_id, round_id
        )
        return _round(info, cluster_id, closed)
