"""Read-model tables of projects, expected results and milestones. No schema:
on PostgreSQL each cluster's schema is chosen per connection."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel


class ProjectRow(SQLModel, table=True):
    __tablename__ = "rm_project"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of the launch: the listing order
    title: str
    direction: str = Field(index=True)
    kind: str
    goal_id: str | None = Field(default=None, index=True)
    lead_id: str = Field(index=True)
    launched_at: datetime


class ProjectPartnerRow(SQLModel, table=True):
    __tablename__ = "rm_project_partner"
    project_id: str = Field(primary_key=True)
    subject_id: str = Field(primary_key=True, index=True)
    rank: int  # the order in which the launch named the partners


class ExpectedResultRow(SQLModel, table=True):
    __tablename__ = "rm_expected_result"
    id: str = Field(primary_key=True)
    project_id: str = Field(index=True)
    rank: int  # the order in which the launch listed the results
    indicator: str
    target: float
    unit: str | None = None
    actual: float | None = None


class MilestoneRow(SQLModel, table=True):
    __tablename__ = "rm_milestone"
    id: str = Field(primary_key=True)
    project_id: str = Field(index=True)
    seq: int  # log position of the planning
    title: str
    due: date
    status: str = "PLANNED"  # a MilestoneStatus value
    expected_result: str | None = None
    reached_on: date | None = None
    actual_result: str | None = None
    evidence_url: str | None = None
    missed_reason: str | None = None
    description: str | None = None


PROJECT_TABLES = [
    SQLModel.metadata.tables[name]
    for name in ("rm_project", "rm_project_partner", "rm_expected_result", "rm_milestone")
]
