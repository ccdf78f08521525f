"""What the goal read model holds and how services read it: frozen DTOs and
the reader port (implemented in infra/readmodel/goals.py)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from services.dto import SubjectInfo


@dataclass(frozen=True)
class GoalInfo:
    """A goal as proposed, and the decision once closeGoal recorded one."""

    id: str
    title: str
    statement: str
    horizon_years: int | None
    rule: str
    threshold: float | None
    closes_on: date | None
    proposed_by: str  # subject id
    proposed_at: datetime
    recorded_status: str  # OPEN until GoalClosed
    closed_at: datetime | None
    # The subjects the recorded decision counted (empty while open): a closed
    # goal's totality stays the one it was decided on, whatever happens later.
    decided_eligible: tuple[str, ...] = ()


@dataclass(frozen=True)
class GoalVoteInfo:
    """The latest vote of one subject on one goal."""

    goal_id: str
    subject_id: str
    choice: str
    interest_link: str | None
    cast_by: str  # member id
    cast_at: datetime
    revision: int


@dataclass(frozen=True)
class GoalTotalityInfo:
    eligible: int
    voted: int
    supporting: int
    objecting: int
    abstaining: int
    missing_voices: tuple[SubjectInfo, ...]
    unlinked_interests: tuple[SubjectInfo, ...]
    index: float
    complete: bool


@dataclass(frozen=True)
class GoalViewInfo:
    """A goal as readers see it today: its effective status, votes and totality."""

    goal: GoalInfo
    status: str
    votes: tuple[GoalVoteInfo, ...]
    totality: GoalTotalityInfo


class GoalReader(Protocol):
    """Queries over the goal read model."""

    def goals(self) -> list[GoalInfo]: ...

    def goal(self, goal_id: str) -> GoalInfo | None: ...

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        """The latest vote per subject of each goal, in the order they were cast."""
        ...
