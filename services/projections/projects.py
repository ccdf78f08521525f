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
    def _(self, e: Project.ProjectLaunched, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.project_launched(
            tracking,
            project_id=str(e.originator_id),
            title=e.title,
            direction=e.direction,
            kind=e.kind,
            goal_id=e.goal_id,
            lead_id=e.lead_id,
            partner_ids=e.partner_ids,
            expected_results=e.expected_results,
            at=e.timestamp,
        )

    @process_event.register
    def _(self, e: Project.MilestonePlanned, tracking: Tracking) -> None:
        self.view.milestone_planned(tracking, e)

    @process_event.register
    def _(self, e: Project.MilestoneReached, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.milestone_reached(
            tracking,
            milestone_id=e.milestone_id,
            reached_on=e.reached_on,
            actual_result=e.actual_result,
            evidence_url=e.evidence_url,
        )

    @process_event.register
    def _(self, e: Project.MilestoneMissed, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.milestone_missed(tracking, milestone_id=e.milestone_id, reason=e.reason)

    @process_event.register
    def _(self, e: Project.ResultRecorded, tracking: Tracking) -> None:  # type: ignore[name-defined]
        self.view.result_recorded(tracking, result_id=e.result_id, actual=e.actual)
