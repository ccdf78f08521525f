"""The projects read model: writes (ProjectsView) and queries (ProjectReader)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.vocabulary import MilestoneStatus
from infra.readmodel.project_tables import (
    ExpectedResultRow,
    MilestoneRow,
    ProjectPartnerRow,
    ProjectRow,
)
from infra.readmodel.tracked import BatchTracked
from services.orientation import ExpectedResultInfo, MilestoneInfo, ProjectInfo
from services.ports.projects import ProjectsView


class SqlProjectsView(BatchTracked, ProjectsView):
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
    ) -> None:
        session = self.store.session()
        session.add(
            ProjectRow(
                id=project_id,
                seq=tracking.notification_id,
                title=title,
                direction=direction,
                kind=kind,
                goal_id=goal_id,
                lead_id=lead_id,
                launched_at=at,
            )
        )
        session.add_all(_launch_rows(project_id, partner_ids, expected_results))
        self.insert_tracking(tracking)

    def milestone_planned(
        self,
        tracking: Tracking,
        *,
        project_id: str,
        milestone_id: str,
        title: str,
        due: str,
        expected_result: str | None,
    ) -> None:
        self.store.session().add(
            MilestoneRow(
                id=milestone_id,
                project_id=project_id,
                seq=tracking.notification_id,
                title=title,
                due=date.fromisoformat(due),
                expected_result=expected_result,
            )
        )
        self.insert_tracking(tracking)

    def milestone_reached(
        self,
        tracking: Tracking,
        *,
        milestone_id: str,
        reached_on: str,
        actual_result: str,
        evidence_url: str | None,
    ) -> None:
        self._update(
            MilestoneRow,
            milestone_id,
            status=MilestoneStatus.REACHED.value,
            reached_on=date.fromisoformat(reached_on),
            actual_result=actual_result,
            evidence_url=evidence_url,
        )
        self.insert_tracking(tracking)

    def milestone_missed(self, tracking: Tracking, *, milestone_id: str, reason: str) -> None:
        self._update(
            MilestoneRow, milestone_id, status=MilestoneStatus.MISSED.value, missed_reason=reason
        )
        self.insert_tracking(tracking)

    def result_recorded(self, tracking: Tracking, *, result_id: str, actual: float) -> None:
        self._update(ExpectedResultRow, result_id, actual=actual)
        self.insert_tracking(tracking)

    def _update(self, table: type[Any], key: str, **values: Any) -> None:
        session = self.store.session()
        row = session.get(table, key)
        if row is not None:
            for name, value in values.items():
                setattr(row, name, value)
            session.add(row)


class SqlProjectsReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def projects(self, direction: str | None = None) -> list[ProjectInfo]:
        query = select(ProjectRow).order_by(col(ProjectRow.seq))
        if direction is not None:
            query = query.where(ProjectRow.direction == direction)
        with Session(self.engine) as session:
            return _assemble(session, session.exec(query).all())

    def project(self, project_id: str) -> ProjectInfo | None:
        with Session(self.engine) as session:
            row = session.get(ProjectRow, project_id)
            return _assemble(session, [row])[0] if row else None

    def milestone(self, milestone_id: str) -> MilestoneInfo | None:
        with Session(self.engine) as session:
            row = session.get(MilestoneRow, milestone_id)
            return _milestone(row) if row else None

    def result(self, result_id: str) -> ExpectedResultInfo | None:
        with Session(self.engine) as session:
            row = session.get(ExpectedResultRow, result_id)
            return _result(row) if row else None


def _launch_rows(
    project_id: str, partner_ids: list[str], expected_results: list[dict[str, Any]]
) -> list[ProjectPartnerRow | ExpectedResultRow]:
    """The partner and expected-result rows of a launch, in the order it named them."""
    partners = [
        ProjectPartnerRow(project_id=project_id, subject_id=s, rank=rank)
        for rank, s in enumerate(partner_ids)
    ]
    # An expected result as the event stores it: id, indicator, target, unit.
    results = [
        ExpectedResultRow(project_id=project_id, rank=rank, **r)
        for rank, r in enumerate(expected_results)
    ]
    return [*partners, *results]


def _assemble(session: Session, rows: Sequence[ProjectRow]) -> list[ProjectInfo]:
    """The projects with their partners, results and milestones: four queries in all."""
    ids = [r.id for r in rows]
    if not ids:
        return []
    partners = _grouped(session, ProjectPartnerRow, ids, ProjectPartnerRow.rank)
    results = _grouped(session, ExpectedResultRow, ids, ExpectedResultRow.rank)
    milestones = _grouped(session, MilestoneRow, ids, MilestoneRow.seq)
    return [
        ProjectInfo(
            id=r.id,
            title=r.title,
            direction=r.direction,
            kind=r.kind,
            goal_id=r.goal_id,
            lead_id=r.lead_id,
            partner_ids=tuple(p.subject_id for p in partners[r.id]),
            expected_results=tuple(_result(x) for x in results[r.id]),
            milestones=tuple(_milestone(m) for m in milestones[r.id]),
        )
        for r in rows
    ]


def _grouped(
    session: Session, table: type[Any], ids: list[str], order: Any
) -> dict[str, list[Any]]:
    query = select(table).where(col(table.project_id).in_(ids)).order_by(col(order))
    found: dict[str, list[Any]] = defaultdict(list)
    for row in session.exec(query).all():
        found[row.project_id].append(row)
    return found


def _result(row: ExpectedResultRow) -> ExpectedResultInfo:
    return ExpectedResultInfo(row.id, row.indicator, row.target, row.unit, row.actual)


def _milestone(row: MilestoneRow) -> MilestoneInfo:
    return MilestoneInfo(
        id=row.id,
        project_id=row.project_id,
        title=row.title,
        due=row.due,
        status=row.status,
        expected_result=row.expected_result,
        reached_on=row.reached_on,
        actual_result=row.actual_result,
        evidence_url=row.evidence_url,
        missed_reason=row.missed_reason,
    )
