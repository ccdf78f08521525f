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
    def _(self, e: Goal.GoalProposed, tracking: Tracking) -> None:
        self.view.goal_proposed(tracking, e)

    @process_event.register
    def _(self, e: Goal.GoalVoteCast, tracking: Tracking) -> None:
        self.view.goal_vote_cast(tracking, e)

    @process_event.register
    def _(self, e: Goal.GoalClosed, tracking: Tracking) -> None:
        self.view.goal_closed(tracking, e)
