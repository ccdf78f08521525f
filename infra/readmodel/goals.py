"""The goal read model: writes (GoalView) and queries (GoalReader)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from domain.goal import Goal
from infra.readmodel.by_name import dto_of, read_columns, row_of, set_facts
from infra.readmodel.goal_tables import GoalEligibleRow, GoalRow, GoalVoteRow
from infra.readmodel.tracked import BatchTracked
from services.goal_model import GoalInfo, GoalVoteInfo
from services.ports.goals import GoalView


class SqlGoalView(BatchTracked, GoalView):
    def goal_proposed(self, tracking: Tracking, proposed: Goal.GoalProposed) -> None:
        row = row_of(
            GoalRow,
            proposed,
            id=str(proposed.originator_id),
            seq=tracking.notification_id,
            proposed_at=proposed.timestamp,
        )
        self.store.session().add(row)
        self.insert_tracking(tracking)

    def goal_vote_cast(self, tracking: Tracking, cast: Goal.GoalVoteCast) -> None:
        goal_id = str(cast.originator_id)
        recorded = {
            "seq": tracking.notification_id,
            "cast_by": cast.actor_member_id or "",
            "cast_at": cast.timestamp,
        }
        session = self.store.session()
        row = session.get(GoalVoteRow, (goal_id, cast.subject_id))
        if row is None:
            row = row_of(GoalVoteRow, cast, goal_id=goal_id, **recorded)
        else:
            set_facts(row, cast, skip=("subject_id",), **recorded)
        session.add(row)
        self.insert_tracking(tracking)

    def goal_closed(self, tracking: Tracking, closed: Goal.GoalClosed) -> None:
        goal_id = str(closed.originator_id)
        session = self.store.session()
        row = session.get(GoalRow, goal_id)
        if row is not None:
            # The counts are not kept: a read recounts the latest votes.
            set_facts(row, closed, skip=GOAL_CLOSED_UNSTORED, closed_at=closed.timestamp)
            session.add(row)
        session.add_all(GoalEligibleRow(goal_id=goal_id, subject_id=s) for s in closed.eligible)
        self.insert_tracking(tracking)


# Facts of GoalClosed without a column of their name: the eligible subjects are
# rows of their own, the counts are recounted from the votes.
GOAL_CLOSED_UNSTORED = ("eligible", "supporting", "objecting", "abstaining")


# Reads through SQLAlchemy Core: plain rows, no ORM session or instances.
_GOAL = GoalRow.__table__.c  # type: ignore[attr-defined]
_VOTE = GoalVoteRow.__table__.c  # type: ignore[attr-defined]
_ELIGIBLE = GoalEligibleRow.__table__.c  # type: ignore[attr-defined]
# The columns of the DTOs' fields, read by name (infra/readmodel/by_name.py).
_GOALS = sa.select(*read_columns(GoalInfo, _GOAL, "status")).order_by(_GOAL.seq)
_VOTES = sa.select(*read_columns(GoalVoteInfo, _VOTE)).order_by(_VOTE.seq)
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
    return dto_of(
        GoalInfo,
        row,
        proposed_at=utc(row.proposed_at),
        recorded_status=row.status,
        closed_at=utc(row.closed_at) if row.closed_at else None,
        decided_eligible=eligible,
    )


def _vote(row: Any) -> GoalVoteInfo:
    return dto_of(GoalVoteInfo, row, cast_at=utc(row.cast_at))


def utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every stored instant is UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
