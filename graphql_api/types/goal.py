"""Goals, the latest vote of each subject, and the totality of the goal."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from domain import goal as g
from graphql_api.types.registry import MemberType, SubjectType
from services.goal_model import GoalTotalityInfo, GoalViewInfo, GoalVoteInfo
from services.queries import ClusterScope

# The contract's enums are the domain's own classes (one source of names);
# strawberry.enum registers each on its class, so fields annotate with g.*.
strawberry.enum(g.VoteChoice, name="VoteChoice")
strawberry.enum(g.GoalStatus, name="GoalStatus")
strawberry.enum(g.AdoptionRule, name="AdoptionRule")


def _subjects(found: tuple, scope: ClusterScope) -> list[SubjectType]:  # type: ignore[type-arg]
    return [SubjectType.from_dto(s, scope) for s in found]


@strawberry.type(name="GoalTotality")
class GoalTotalityType:
    eligible: int
    voted: int
    supporting: int
    objecting: int
    abstaining: int
    missing_voices: list[SubjectType] = strawberry.field(
        description="Eligible subjects that have not voted."
    )
    unlinked_interests: list[SubjectType] = strawberry.field(
        description="Eligible subjects that voted without an interest link."
    )
    index: float = strawberry.field(
        description="Share of eligible subjects that SUPPORT with an interest link, 0..1."
    )
    complete: bool = strawberry.field(description="Every eligible subject has voted.")

    @classmethod
    def from_dto(cls, dto: GoalTotalityInfo, scope: ClusterScope) -> GoalTotalityType:
        return cls(
            eligible=dto.eligible,
            voted=dto.voted,
            supporting=dto.supporting,
            objecting=dto.objecting,
            abstaining=dto.abstaining,
            missing_voices=_subjects(dto.missing_voices, scope),
            unlinked_interests=_subjects(dto.unlinked_interests, scope),
            index=dto.index,
            complete=dto.complete,
        )


@strawberry.type(name="GoalVote")
class GoalVoteType:
    choice: g.VoteChoice
    interest_link: str | None = strawberry.field(
        description="How this subject's private interest relates to the goal."
    )
    cast_at: datetime
    revision: int = strawberry.field(
        description="1 for the first vote of this subject, +1 for every change."
    )
    _dto: strawberry.Private[GoalVoteInfo]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def subject(self) -> SubjectType:
        found = self._scope.subject(self._dto.subject_id)
        assert found is not None, "a vote's subject is always in the registry"
        return SubjectType.from_dto(found, self._scope)

    @strawberry.field
    def cast_by(self) -> MemberType:
        found = self._scope.member(self._dto.cast_by)
        assert found is not None, "a vote's member is always in the registry"
        return MemberType.from_dto(found, self._scope)

    @classmethod
    def from_dto(cls, dto: GoalVoteInfo, scope: ClusterScope) -> GoalVoteType:
        return cls(
            choice=g.VoteChoice(dto.choice),
            interest_link=dto.interest_link,
            cast_at=dto.cast_at,
            revision=dto.revision,
            _dto=dto,
            _scope=scope,
        )


@strawberry.type(name="Goal")
class GoalType:
    id: strawberry.ID
    title: str
    statement: str
    horizon_years: int | None
    rule: g.AdoptionRule
    threshold: float | None = strawberry.field(
        description=(
            "For QUALIFIED_MAJORITY: share of SUPPORT among SUPPORT+OBJECT needed (default 2/3)."
        )
    )
    status: g.GoalStatus = strawberry.field(
        description="After closesOn, the decision the next closeGoal records (see README)."
    )
    closes_on: date | None = strawberry.field(description="The last day that takes votes.")
    proposed_at: datetime
    closed_at: datetime | None = strawberry.field(
        description="When closeGoal recorded the decision; null until then."
    )
    _view: strawberry.Private[GoalViewInfo]
    _scope: strawberry.Private[ClusterScope]

    @strawberry.field
    def proposed_by(self) -> SubjectType:
        found = self._scope.subject(self._view.goal.proposed_by)
        assert found is not None, "a goal's proposer is always in the registry"
        return SubjectType.from_dto(found, self._scope)

    @strawberry.field(description="Latest vote of each subject.")
    def votes(self) -> list[GoalVoteType]:
        votes = self._view.votes
        # Each vote may be asked for its subject and the member who cast it.
        self._scope.announce_members({v.cast_by for v in votes})
        self._scope.announce_subjects({v.subject_id for v in votes})
        return [GoalVoteType.from_dto(v, self._scope) for v in votes]

    @strawberry.field
    def totality(self) -> GoalTotalityType:
        return GoalTotalityType.from_dto(self._view.totality, self._scope)

    @classmethod
    def from_dto(cls, view: GoalViewInfo, scope: ClusterScope) -> GoalType:
        goal = view.goal
        scope.announce_subject(goal.proposed_by)
        return cls(
            id=strawberry.ID(goal.id),
            title=goal.title,
            statement=goal.statement,
            horizon_years=goal.horizon_years,
            rule=g.AdoptionRule(goal.rule),
            threshold=goal.threshold,
            status=g.GoalStatus(view.status),
            closes_on=goal.closes_on,
            proposed_at=goal.proposed_at,
            closed_at=goal.closed_at,
            _view=view,
            _scope=scope,
        )
