"""Goal read services: goals with their effective status, votes and totality.

Everything is computed from the read model (goal rows, the latest vote per
subject, the active subjects), never by replaying events. The decision of a
goal past its closing date comes from the same ``domain.goal.decide`` that
closeGoal records, so the view and the later record agree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.goal import AdoptionRule, GoalStatus, VoteChoice, decide, past_closing, tally
from services.batches import Batched
from services.dto import SubjectInfo
from services.goal_model import GoalInfo, GoalTotalityInfo, GoalViewInfo, GoalVoteInfo
from services.queries import ClusterScope


def list_goals(scope: ClusterScope, status: str | None = None) -> list[GoalViewInfo]:
    """Every goal of the cluster in proposal order, optionally of one effective status."""
    views = _views(scope, scope.read_model.goal_reader.goals())
    return [v for v in views if status is None or v.status == status]


def find_goal(scope: ClusterScope, goal_id: str) -> GoalViewInfo | None:
    """One goal, or None when the cluster has no such goal. Goals announced
    before (``announce_goal``) are read with it, in one batch."""
    return _goals(scope).get(goal_id)  # type: ignore[no-any-return]


def announce_goal(scope: ClusterScope, goal_id: str | None) -> None:
    """A goal an item just built may look up (a project's goal)."""
    if goal_id:
        _goals(scope).announce(goal_id)


def _goals(scope: ClusterScope) -> Batched[str, GoalViewInfo | None]:
    def one(goal_id: str) -> GoalViewInfo | None:
        found = scope.read_model.goal_reader.goal(goal_id)
        return _views(scope, [found])[0] if found else None

    def many(goal_ids: set[str]) -> dict[str, GoalViewInfo | None]:
        # Every goal row (few, and one statement), the votes of those asked only.
        asked = [g for g in scope.read_model.goal_reader.goals() if g.id in goal_ids]
        return {view.goal.id: view for view in _views(scope, asked)}

    return scope.batched("goal", lambda: Batched(one, many, None))


def _views(scope: ClusterScope, goals: Sequence[GoalInfo]) -> list[GoalViewInfo]:
    # One query for the votes and one for the subjects, however many goals.
    if not goals:
        return []
    by_goal: dict[str, list[GoalVoteInfo]] = {g.id: [] for g in goals}
    for vote in scope.read_model.goal_reader.votes(list(by_goal)):
        by_goal[vote.goal_id].append(vote)
    subjects = scope.subjects(include_inactive=True)
    today = scope.clock.today()
    return [goal_view(g, by_goal[g.id], subjects, today) for g in goals]


def goal_view(
    goal: GoalInfo, votes: Sequence[GoalVoteInfo], subjects: Sequence[SubjectInfo], today: date
) -> GoalViewInfo:
    """The goal as of ``today``: open, recorded as decided, or decided as if closed."""
    closed = goal.recorded_status != GoalStatus.OPEN.value
    eligible_ids = set(goal.decided_eligible) if closed else {s.id for s in subjects if s.active}
    eligible = [s for s in subjects if s.id in eligible_ids]
    totality = goal_totality(eligible, votes)
    return GoalViewInfo(goal, _status(goal, votes, eligible, today), tuple(votes), totality)


def _status(
    goal: GoalInfo, votes: Sequence[GoalVoteInfo], eligible: Sequence[SubjectInfo], today: date
) -> str:
    if goal.recorded_status != GoalStatus.OPEN.value or not past_closing(goal.closes_on, today):
        return goal.recorded_status
    choices = {v.subject_id: VoteChoice(v.choice) for v in votes}
    counts = tally((s.id for s in eligible), choices)
    return decide(AdoptionRule(goal.rule), goal.threshold, counts).value


def goal_totality(
    eligible: Sequence[SubjectInfo], votes: Sequence[GoalVoteInfo]
) -> GoalTotalityInfo:
    """docs/architecture.md "Totality": only eligible subjects count; index = linked support / eligible."""
    latest = {v.subject_id: v for v in votes}
    counted = [latest[s.id] for s in eligible if s.id in latest]
    choices = [v.choice for v in counted]
    linked_support = sum(
        v.choice == VoteChoice.SUPPORT.value and bool(v.interest_link) for v in counted
    )
    return GoalTotalityInfo(
        eligible=len(eligible),
        voted=len(counted),
        supporting=choices.count(VoteChoice.SUPPORT.value),
        objecting=choices.count(VoteChoice.OBJECT.value),
        abstaining=choices.count(VoteChoice.ABSTAIN.value),
        missing_voices=tuple(s for s in eligible if s.id not in latest),
        unlinked_interests=tuple(
            s for s in eligible if s.id in latest and not latest[s.id].interest_link
        ),
        index=linked_support / len(eligible) if eligible else 0.0,
        complete=len(counted) == len(eligible),
    )
