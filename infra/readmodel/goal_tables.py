"""Goal read-model tables (no schema: PostgreSQL picks the cluster's per connection)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel


def _utc_column(nullable: bool = False) -> Column:  # type: ignore[type-arg]
    # With a time zone: PostgreSQL would otherwise shift instants by the session's zone.
    return Column(DateTime(timezone=True), nullable=nullable)


class GoalRow(SQLModel, table=True):
    __tablename__ = "rm_goal"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of the proposal: the listing order
    title: str
    statement: str
    horizon_years: int | None = None
    rule: str
    threshold: float | None = None
    closes_on: date | None = None
    proposed_by: str
    proposed_at: datetime = Field(sa_column=_utc_column())
    status: str = Field(default="OPEN", index=True)  # as recorded by GoalClosed
    closed_at: datetime | None = Field(default=None, sa_column=_utc_column(nullable=True))


class GoalVoteRow(SQLModel, table=True):
    """The latest vote of a subject on a goal; earlier ones stay in the log."""

    __tablename__ = "rm_goal_vote"
    goal_id: str = Field(primary_key=True)
    subject_id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of this (latest) vote
    choice: str
    interest_link: str | None = None
    cast_by: str
    cast_at: datetime = Field(sa_column=_utc_column())
    revision: int


class GoalEligibleRow(SQLModel, table=True):
    """A subject counted by a closed goal's recorded decision."""

    __tablename__ = "rm_goal_eligible"
    goal_id: str = Field(primary_key=True)
    subject_id: str = Field(primary_key=True)


GOAL_TABLES = [
    SQLModel.metadata.tables[name] for name in ("rm_goal", "rm_goal_vote", "rm_goal_eligible")
]
