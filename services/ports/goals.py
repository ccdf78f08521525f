"""The goal read model: what its projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.goal import Goal
from services.goal_model import GoalInfo, GoalVoteInfo


class GoalView(TrackingRecorder):
    """What the goal projection writes; each method also records the tracking.
    The views write each event's facts by name (infra/readmodel/by_name.py)."""

    @abstractmethod
    def goal_proposed(self, tracking: Tracking, proposed: Goal.GoalProposed) -> None: ...

    @abstractmethod
    def goal_vote_cast(self, tracking: Tracking, cast: Goal.GoalVoteCast) -> None:
        """Replaces the subject's earlier vote: the view keeps the latest only."""

    @abstractmethod
    def goal_closed(self, tracking: Tracking, closed: Goal.GoalClosed) -> None: ...


class GoalReader(Protocol):
    """Queries over the goal read model."""

    def goals(self) -> list[GoalInfo]: ...

    def goal(self, goal_id: str) -> GoalInfo | None: ...

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        """The latest vote per subject of each goal, in the order they were cast."""
        ...
