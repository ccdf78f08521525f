"""Projects projects, their expected results and milestones (the orientation view)."""

from __future__ import annotations

from typing import Any

from eventsourcing.dispatch import singledispatchmethod
from eventsourcing.persistence import Tracking
from eventsourcing.projection import Projection

from domain.project import Project
from services.ports.projects import ProjectsView


class ProjectsProjection(Projection[ProjectsView]):
    name = "projects"
    version = 1  # raise when a change needs its tables rebuilt (docs/operations.md)

    @singledispatchmethod
    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        self.view.insert_tracking(tracking)  # not ours: only move the position on

    @process_event.register
    def _(self, e: Project.ProjectLaunched, tracking: Tracking) -> None:
        self.view.project_launched(tracking, e)

    @process_event.register
    def _(self, e: Project.MilestonePlanned, tracking: Tracking) -> None:
        self.view.milestone_planned(tracking, e)

    @process_event.register
    def _(self, e: Project.MilestoneReached, tracking: Tracking) -> None:
        self.view.milestone_reached(tracking, e)

    @process_event.register
    def _(self, e: Project.MilestoneMissed, tracking: Tracking) -> None:
        self.view.milestone_missed(tracking, e)

    @process_event.register
    def _(self, e: Project.ResultRecorded, tracking: Tracking) -> None:
        self.view.result_recorded(tracking, e)
