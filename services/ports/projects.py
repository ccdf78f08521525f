"""The projects read model (projects, expected results, milestones): what its
projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any, Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from services.orientation import ExpectedResultInfo, MilestoneInfo, ProjectInfo


class ProjectsView(TrackingRecorder):
    """What the projects projection writes. Each method records the view
    change and the tracking in the same unit of work."""

    @abstractmethod
    def project_launched(
        self,
        tracking: Tracking,
        *,
        project_id: str,
        title: str,
        direction: str,
        kind: str,
        goal_id: str | None,
        lead_id: str,
        partner_ids: list[str],
        expected_results: list[dict[str, Any]],
        at: datetime,
    ) -> None: ...

    @abstractmethod
    def milestone_planned(
        self,
        tracking: Tracking,
        *,
        project_id: str,
        milestone_id: str,
        title: str,
        due: str,
        expected_result: str | None,
    ) -> None: ...

    @abstractmethod
    def milestone_reached(
        self,
        tracking: Tracking,
        *,
        milestone_id: str,
        reached_on: str,
        actual_result: str,
        evidence_url: str | None,
    ) -> None: ...

    @abstractmethod
    def milestone_missed(self, tracking: Tracking, *, milestone_id: str, reason: str) -> None: ...

    @abstractmethod
    def result_recorded(self, tracking: Tracking, *, result_id: str, actual: float) -> None: ...


class ProjectReader(Protocol):
    """Queries over the projects read model."""

    def projects(self, direction: str | None = None) -> list[ProjectInfo]: ...

    def project(self, project_id: str) -> ProjectInfo | None: ...

    def milestone(self, milestone_id: str) -> MilestoneInfo | None: ...

    def result(self, result_id: str) -> ExpectedResultInfo | None: ...
