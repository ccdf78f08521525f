"""What the goal read model holds, as frozen DTOs (its reader port is
services/ports/goals.py, implemented in infra/readmodel/goals.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

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
