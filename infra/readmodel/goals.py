"""The goal read model: writes (GoalView) and queries (GoalReader)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from infra.readmodel.goal_tables import GoalEligibleRow, GoalRow, GoalVoteRow
from infra.readmodel.tracked import BatchTracked
from services.goal_model import GoalInfo, GoalVoteInfo
from services.ports.goals import GoalView


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


# Reads through SQLAlchemy Core: plain rows, no ORM session or instances.
_GOAL = GoalRow.__table__.c  # type: ignore[attr-defined]
_VOTE = GoalVoteRow.__table__.c  # type: ignore[attr-defined]
_ELIGIBLE = GoalEligibleRow.__table__.c  # type: ignore[attr-defined]
_GOALS = sa.select(
    _GOAL.id,
    _GOAL.title,
    _GOAL.statement,
    _GOAL.horizon_years,
    _GOAL.rule,
    _GOAL.threshold,
    _GOAL.closes_on,
    _GOAL.proposed_by,
    _GOAL.proposed_at,
    _GOAL.status,
    _GOAL.closed_at,
).order_by(_GOAL.seq)
_VOTES = sa.select(
    _VOTE.goal_id,
    _VOTE.subject_id,
    _VOTE.choice,
    _VOTE.interest_link,
    _VOTE.cast_by,
    _VOTE.cast_at,
    _VOTE.revision,
).order_by(_VOTE.seq)
# Built once, with parameters: a statement built per call costs more Python
# than the query it runs.
_GOAL_BY_ID = _GOALS.where(_GOAL.id == sa.bindparam("goal_id"))
_VOTES_OF = _VOTES.where(_VOTE.goal_id.in_(sa.bindparam("goal_ids", expanding=True)))
_ELIGIBLE_OF = sa.select(_ELIGIBLE.goal_id, _ELIGIBLE.subject_id).where(
    _ELIGIBLE.goal_id.in_(sa.bindparam("goal_ids", expanding=True))
)


class SqlGoalReader:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def goals(self) -> list[GoalInfo]:
        with self.engine.connect() as connection:
            return self._infos(connection, connection.execute(_GOALS).all())

    def goal(self, goal_id: str) -> GoalInfo | None:
        with self.engine.connect() as connection:
            rows = connection.execute(_GOAL_BY_ID, {"goal_id": goal_id}).all()
            return self._infos(connection, rows)[0] if rows else None

    def votes(self, goal_ids: Sequence[str]) -> list[GoalVoteInfo]:
        if not goal_ids:
            return []
        with self.engine.connect() as connection:
            rows = connection.execute(_VOTES_OF, {"goal_ids": list(goal_ids)}).all()
        return [_vote(r) for r in rows]

    @staticmethod
    def _infos(connection: sa.Connection, rows: Sequence[Any]) -> list[GoalInfo]:
        closed = [r.id for r in rows if r.status != "OPEN"]
        eligible: dict[str, list[str]] = {}
        if closed:
            for goal_id, subject_id in connection.execute(_ELIGIBLE_OF, {"goal_ids": closed}):
                eligible.setdefault(goal_id, []).append(subject_id)
        return [_goal(r, tuple(sorted(eligible.get(r.id, ())))) for r in rows]


def _goal(row: Any, eligible: tuple[str, ...]) -> GoalInfo:
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


def _vote(row: Any) -> GoalVoteInfo:
    goal_id, subject_id, choice, interest_link, cast_by, cast_at, revision = row
    return GoalVoteInfo(goal_id, subject_id, choice, interest_link, cast_by, utc(cast_at), revision)


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
