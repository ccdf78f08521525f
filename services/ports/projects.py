"""The projects read model (projects, expected results, milestones): what its
projection writes and what queries read."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from eventsourcing.persistence import Tracking, TrackingRecorder

from domain.project import Project
from services.orientation import ExpectedResultInfo, MilestoneInfo, ProjectInfo


class ProjectsView(TrackingRecorder):
    """What the projects projection writes. Each method records the view
    change and the tracking in the same unit of work."""

    @abstractmethod
    def project_launched(self, tracking: Tracking, launched: Project.ProjectLaunched) -> None: ...

    @abstractmethod
    def milestone_planned(self, tracking: Tracking, planned: Project.MilestonePlanned) -> None:
        """Records the planned milestone from the event's fields, by name: a field
        added to the event reaches the view without an edit here or in the projection."""

    @abstractmethod
    def milestone_reached(self, tracking: Tracking, reached: Project.MilestoneReached) -> None: ...

    @abstractmethod
    def milestone_missed(self, tracking: Tracking, missed: Project.MilestoneMissed) -> None: ...

    @abstractmethod
    def result_recorded(self, tracking: Tracking, recorded: Project.ResultRecorded) -> None: ...


class ProjectReader(Protocol):
    """Queries over the projects read model."""

    def projects(self, direction: str | None = None) -> list[ProjectInfo]: ...

    def project(self, project_id: str) -> ProjectInfo | None: ...

    def milestone(self, milestone_id: str) -> MilestoneInfo | None: ...

    def result(self, result_id: str) -> ExpectedResultInfo | None: ...
