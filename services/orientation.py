"""The orientation view: project DTOs and the metrics (the reader port is in
services/ports/projects.py).

The metrics are computed from the read model's rows at query time, because
"overdue" depends on today: no event marks the day a due date passes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.vocabulary import MilestoneStatus


@dataclass(frozen=True)
class ExpectedResultInfo:
    id: str
    indicator: str
    target: float
    unit: str | None
    actual: float | None


@dataclass(frozen=True)
class MilestoneInfo:
    id: str
    project_id: str
    title: str
    due: date
    status: str
    expected_result: str | None
    reached_on: date | None
    actual_result: str | None
    evidence_url: str | None
    missed_reason: str | None


@dataclass(frozen=True)
class ProjectInfo:
    id: str
    title: str
    direction: str
    kind: str
    goal_id: str | None
    lead_id: str
    partner_ids: tuple[str, ...]
    expected_results: tuple[ExpectedResultInfo, ...]
    milestones: tuple[MilestoneInfo, ...]


@dataclass(frozen=True)
class OrientationInfo:
    planned: int
    reached: int
    missed: int
    overdue: int
    on_time_rate: float | None
    result_attainment: float | None


def orientation(project: ProjectInfo, today: date) -> OrientationInfo:
    """The metrics of docs/architecture.md ("Orientation") as they stand on ``today``."""
    milestones = project.milestones
    reached = [m for m in milestones if m.status == MilestoneStatus.REACHED.value]
    missed = sum(m.status == MilestoneStatus.MISSED.value for m in milestones)
    overdue = sum(is_overdue(m, today) for m in milestones)
    on_time = sum(m.reached_on is not None and m.reached_on <= m.due for m in reached)
    # A milestone counts once it is settled: reached, missed, or late without news.
    settled = len(reached) + missed + overdue
    ratios = [
        min(r.actual / r.target, 1.0) for r in project.expected_results if r.actual is not None
    ]
    return OrientationInfo(
        planned=len(milestones),
        reached=len(reached),
        missed=missed,
        overdue=overdue,
        on_time_rate=on_time / settled if settled else None,
        result_attainment=sum(ratios) / len(ratios) if ratios else None,
    )


def is_overdue(milestone: MilestoneInfo, today: date) -> bool:
    """Still PLANNED and its due date has passed (a milestone due today is not late yet)."""
    return milestone.status == MilestoneStatus.PLANNED.value and milestone.due < today
