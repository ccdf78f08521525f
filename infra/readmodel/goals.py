"""The goal read model: writes (GoalView) and queries (GoalReader)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from eventsourcing.persistence import Tracking
from sqlalchemy import Engine
from sqlmodel import Session, col, select

from infra.readmodel.goal_tables import GoalEligibleRow, GoalRow, GoalVoteRow
from infra.readmodel.tracked import BatchTracked
from services.goal_model import GoalInfo, GoalVoteInfo
from services.projections.goals import GoalView


class SqlGoalView(BatchTracked, GoalView):
    def goal_proposed(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        title: str,
        statement: str,
        horizon_years: int | None,
        rule: str,
        threshold: float | None,
        closes_on: str | None,
        proposed_by: str,
        at: datetime,
    ) -> None:
        self.store.session().add(
            GoalRow(
                id=goal_id,
                seq=tracking.notification_id,
                title=title,
                statement=statement,
                horizon_years=horizon_years,
                rule=rule,
                threshold=threshold,
                closes_on=date.fromisoformat(closes_on) if closes_on else None,
                proposed_by=proposed_by,
                proposed_at=at,
            )
        )
        self.insert_tracking(tracking)

    def goal_vote_cast(
        self,
        tracking: Tracking,
        *,
        goal_id: str,
        subject_id: str,
        choice: str,
        interest_link: str | None,
        revision: int,
        cast_by: str,
        at: datetime,
    ) -> None:
        session = self.store.session()
        row = session.get(GoalVoteRow, (goal_id, subject_id))
        if row is None:
            row = GoalVoteRow(
                goal_id=goal_id,
                subject_id=subject_id,
                seq=0,
                choice=choice,
                cast_by=cast_by,
                cast_at=at,
                revision=revision,
            )
        row.seq, row.choice, row.interest_link = tracking.notification_id, choice, interest_link
        row.cast_by, row.cast_at, row.revision = cast_by, at, revision
        session.add(row)
        self.insert_tracking(tracking)

    def goal_closed(
        self, tracking: Tracking, *, goal_id: str, status: str, eligible: list[str], at: datetime
    ) -> None:
        session = self.store.session()
        row = session.get(GoalRow, goal_id)
        if row is not None:
            row.status, row.closed_at = status, at
            session.add(row)
        session.add_all(GoalEligibleRow(goal_id=goal_id, subject_id=s) for s in eligible)
        self.insert_tracking(tracking)


class SqlGoalReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def goals(self) -> list[GoalInfo]:
        with Session(self.engine) as session:
            rows = session.exec(select(GoalRow).order_by(col(GoalRow.seq))).all()
            return self._infos(session, list(rows))

    def goal(self, goal_id: str) -> GoalInfo | None:
        with Session(self.engine) as session:
            row = session.get(GoalRow, goal_id)
            return self._infos(session, [row])[0] if row else None

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        if not goal_ids:
            return []
        query = (
            select(GoalVoteRow)
            .where(col(GoalVoteRow.goal_id).in_(list(goal_ids)))
            .order_by(col(GoalVoteRow.seq))
        )
        with Session(self.engine) as session:
            return [_vote(r) for r in session.exec(query).all()]

    @staticmethod
    def _infos(session: Session, rows: list[GoalRow]) -> list[GoalInfo]:
        closed = [r.id for r in rows if r.status != "OPEN"]
        eligible: dict[str, list[str]] = {}
        if closed:
            query = select(GoalEligibleRow).where(col(GoalEligibleRow.goal_id).in_(closed))
            for e in session.exec(query).all():
                eligible.setdefault(e.goal_id, []).append(e.subject_id)
        return [_goal(r, tuple(sorted(eligible.get(r.id, ())))) for r in rows]


def _goal(row: GoalRow, eligible: tuple[str, ...]) -> GoalInfo:
    return GoalInfo(
        row.id,
        row.title,
        row.statement,
        row.horizon_years,
        row.rule,
        row.threshold,
        row.closes_on,
        row.proposed_by,
        utc(row.proposed_at),
        row.status,
        utc(row.closed_at) if row.closed_at else None,
        eligible,
    )


def _vote(row: GoalVoteRow) -> GoalVoteInfo:
    return GoalVoteInfo(
        row.goal_id,
        row.subject_id,
        row.choice,
        row.interest_link,
        row.cast_by,
        utc(row.cast_at),
        row.revision,
    )


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
