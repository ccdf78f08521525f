"""The goal read model: what its projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from services.goal_model import GoalInfo, GoalVoteInfo


class GoalView(TrackingRecorder):
    """What the goal projection writes; each method also records the tracking."""

    @abstractmethod
    def goal_proposed(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        title: str,
        statement: str,
        horizon_years: int | None,
        rule: str,
        threshold: float | None,
        closes_on: str | None,
        proposed_by: str,
        at: datetime,
    ) -> None: ...

    @abstractmethod
    def goal_vote_cast(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        subject_id: str,
        choice: str,
        interest_link: str | None,
        revision: int,
        cast_by: str,
        at: datetime,
    ) -> None:
        """Replaces the subject's earlier vote: the view keeps the latest only."""

    @abstractmethod
    def goal_closed(
        self, tracking: Tracking, *, goal_id: str, status: str, eligible: list[str], at: datetime
    ) -> None: ...


class GoalReader(Protocol):
    """Queries over the goal read model."""

    def goals(self) -> list[GoalInfo]: ...

    def goal(self, goal_id: str) -> GoalInfo | None: ...

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        """The latest vote per subject of each goal, in the order they were cast."""
        ...
