"""Goal read services: goals with their effective status, votes and totality.

Everything is computed from the read model (goal rows, the latest vote per
subject, the active subjects), never by replaying events. The votes are
counted by ``domain.goal.tally`` and a goal past its closing date is decided
by ``domain.goal.decide``, the same rules closeGoal records with, so the view
and the later record agree.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

from domain.goal import AdoptionRule, GoalStatus, Tally, VoteChoice, decide, past_closing, tally
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
    latest = {v.subject_id: v for v in votes}  # the read model lists votes oldest first
    counts = tally(
        (s.id for s in eligible),
        {s: VoteChoice(v.choice) for s, v in latest.items()},
        {s for s, v in latest.items() if v.interest_link},
    )
    return GoalViewInfo(
        goal, _status(goal, counts, today), tuple(votes), goal_totality(eligible, latest, counts)
    )


def _status(goal: GoalInfo, counts: Tally, today: date) -> str:
    if goal.recorded_status != GoalStatus.OPEN.value or not past_closing(goal.closes_on, today):
        return goal.recorded_status
    return decide(AdoptionRule(goal.rule), goal.threshold, counts).value


def goal_totality(
    eligible: Sequence[SubjectInfo], latest: Mapping[str, GoalVoteInfo], counts: Tally
) -> GoalTotalityInfo:
    """docs/architecture.md "Totality", counted by ``domain.goal.tally``; this
    names the eligible subjects who are silent or whose vote links no interest."""
    return GoalTotalityInfo(
        eligible=len(counts.eligible),
        voted=counts.voted,
        supporting=counts.supporting,
        objecting=counts.objecting,
        abstaining=counts.abstaining,
        missing_voices=tuple(s for s in eligible if s.id not in latest),
        unlinked_interests=tuple(
            s for s in eligible if s.id in latest and not latest[s.id].interest_link
        ),
        index=counts.index,
        complete=counts.complete,
    )
