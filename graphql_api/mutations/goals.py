"""Goal mutations: propose a goal, cast the caller's subject's vote, close it."""

from __future__ import annotations

from datetime import date

import strawberry
from strawberry.types import Info

from domain.goal import AdoptionRule, GoalProposal, GoalVote, VoteChoice
from graphql_api.context import Context
from graphql_api.inputs import value_of
from graphql_api.types.goal import GoalType
from services.goal_model import GoalInfo
from services.goal_queries import find_goal


@strawberry.input
class ProposeGoalInput:
    title: str
    statement: str
    horizon_years: int | None = None
    rule: AdoptionRule | None = AdoptionRule.CONSENSUS
    threshold: float | None = None
    closes_on: date | None = None


def _goal(info: Info[Context, None], cluster_id: str, goal: GoalInfo) -> GoalType:
    scope = info.context.services.queries.scope(info.context.principal, cluster_id)
    found = find_goal(scope, goal.id)
    assert found is not None
    return GoalType.from_dto(found, scope)


@strawberry.type
class GoalMutation:
    @strawberry.mutation(description="Proposes a goal on behalf of the caller's own subject.")
    def propose_goal(
        self, info: Info[Context, None], cluster_id: strawberry.ID, input: ProposeGoalInput
    ) -> GoalType:
        ctx = info.context
        proposal = value_of(GoalProposal, input)
        goal = ctx.services.goals.propose_goal(ctx.principal, cluster_id, proposal)
        return _goal(info, cluster_id, goal)

    @strawberry.mutation(
        description="Votes for the caller's own subject; a second call changes the vote."
    )
    def cast_goal_vote(
        self,
        info: Info[Context, None],
        cluster_id: strawberry.ID,
        goal_id: strawberry.ID,
        choice: VoteChoice,
        interest_link: str | None = None,
    ) -> GoalType:
        ctx = info.context
        vote = GoalVote(choice=choice.value, interest_link=interest_link)
        goal = ctx.services.goals.cast_goal_vote(ctx.principal, cluster_id, goal_id, vote)
        return _goal(info, cluster_id, goal)

    @strawberry.mutation(description="Decides the goal by its rule (COORDINATOR).")
    def close_goal(
        self, info: Info[Context, None], cluster_id: strawberry.ID, goal_id: strawberry.ID
    ) -> GoalType:
        ctx = info.context
        goal = ctx.services.goals.close_goal(ctx.principal, cluster_id, goal_id)
        return _goal(info, cluster_id, goal)
