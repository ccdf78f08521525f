"""Projects goals, the latest vote per subject, and recorded decisions."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.goal import Goal
from services.ports.goals import GoalView


class GoalProjection(Projection[GoalView]):
    name = "goals"
    version = 1  # raise when a change needs its tables rebuilt (docs/operations.md)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: Goal.GoalProposed, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.goal_proposed(
            tracking,
            goal_id=str(e.originator_id),
            title=e.title,
            statement=e.statement,
            horizon_years=e.horizon_years,
            rule=e.rule,
            threshold=e.threshold,
            closes_on=e.closes_on,
            proposed_by=e.proposed_by,
            at=e.timestamp,
        )

    @process_event.register
    def _(self, e: Goal.GoalVoteCast, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.goal_vote_cast(
            tracking,
            goal_id=str(e.originator_id),
            subject_id=e.subject_id,
            choice=e.choice,
            interest_link=e.interest_link,
            revision=e.revision,
            cast_by=e.actor_member_id or "",
            at=e.timestamp,
        )

    @process_event.register
    def _(self, e: Goal.GoalClosed, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.goal_closed(
            tracking,
            goal_id=str(e.originator_id),
            status=e.status,
            eligible=e.eligible,
            at=e.timestamp,
        )
