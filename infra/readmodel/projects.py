"""The projects read model: writes (ProjectsView) and queries (ProjectReader)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from typing import Any

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from domain.project import Project
from domain.vocabulary import MilestoneStatus
from infra.readmodel.by_name import dto_of, row_of, set_facts
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
    def project_launched(self, tracking: Tracking, launched: Project.ProjectLaunched) -> None:
        project_id = str(launched.originator_id)
        session = self.store.session()
        session.add(
            row_of(
                ProjectRow,
                launched,
                id=project_id,
                seq=tracking.notification_id,
                launched_at=launched.timestamp,
            )
        )
        session.add_all(_launch_rows(project_id, launched.partner_ids, launched.expected_results))
        self.insert_tracking(tracking)

    def milestone_planned(self, tracking: Tracking, planned: Project.MilestonePlanned) -> None:
        # Validated: the ISO ``due`` becomes a date; the columns the event has no
        # field for (status, the report) keep their defaults.
        row = row_of(
            MilestoneRow,
            planned,
            id=planned.milestone_id,
            project_id=str(planned.originator_id),
            seq=tracking.notification_id,
        )
        self.store.session().add(row)
        self.insert_tracking(tracking)

    def milestone_reached(self, tracking: Tracking, reached: Project.MilestoneReached) -> None:
        self._update(
            MilestoneRow,
            reached.milestone_id,
            reached,
            status=MilestoneStatus.REACHED.value,
            reached_on=date.fromisoformat(reached.reached_on),
        )
        self.insert_tracking(tracking)

    def milestone_missed(self, tracking: Tracking, missed: Project.MilestoneMissed) -> None:
        self._update(
            MilestoneRow,
            missed.milestone_id,
            missed,
            skip=MISSED_RENAMED,
            status=MilestoneStatus.MISSED.value,
            missed_reason=missed.reason,
        )
        self.insert_tracking(tracking)

    def result_recorded(self, tracking: Tracking, recorded: Project.ResultRecorded) -> None:
        self._update(ExpectedResultRow, recorded.result_id, recorded)
        self.insert_tracking(tracking)

    def _update(
        self, table: type[Any], key: str, event: object, skip: tuple[str, ...] = (), **columns: Any
    ) -> None:
        """Writes the event's facts (less its key, ``id`` in the table) into the row."""
        session = self.store.session()
        row = session.get(table, key)
        if row is not None:
            set_facts(row, event, skip=(*_KEY_FACTS, *skip), **columns)
            session.add(row)


# The facts that name the row an event changes: its key, not a column to write.
_KEY_FACTS = ("milestone_id", "result_id")
# A missed milestone's ``reason`` is the ``missed_reason`` column (the reached
# milestone's report sits beside it).
MISSED_RENAMED = ("reason",)


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
        dto_of(
            ProjectInfo,
            r,
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
    return dto_of(ExpectedResultInfo, row)


def _milestone(row: MilestoneRow) -> MilestoneInfo:
    return dto_of(MilestoneInfo, row)
