"""Mutual-control read-model tables (no schema: see tables.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel


class NormRow(SQLModel, table=True):
    __tablename__ = "rm_norm"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of adoption: the listing order
    name: str
    description: str | None = None
    scale_min: int
    scale_max: int
    weight: float


class RoundRow(SQLModel, table=True):
    __tablename__ = "rm_assessment_round"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)
    title: str
    is_open: bool = True


class RoundNormRow(SQLModel, table=True):
    """A norm of a round with the terms the round copied when it opened."""

    __tablename__ = "rm_round_norm"
    round_id: str = Field(primary_key=True)
    norm_id: str = Field(primary_key=True)
    ord: int
    scale_min: int
    scale_max: int
    weight: float


class AssessmentRow(SQLModel, table=True):
    """The latest revision of one (round, assessor, assessee, norm).

    The primary key leads with the round, so a round's rows, and one
    assessor's rows within it, are one index range each; on SQLite the table
    is stored in that order (WITHOUT ROWID), so a round is read in one pass.
    ``weighted`` and ``weight`` carry the norm's terms as the round fixed them
    (weight x normalised score, and the weight, from the projection), so a
    pair's totals are read with no join.
    """

    __tablename__ = "rm_assessment"
    __table_args__ = (
        Index("ix_rm_assessment_assessee", "round_id", "assessee_id"),
        {"sqlite_with_rowid": False},
    )
    round_id: str = Field(primary_key=True)
    assessor_id: str = Field(primary_key=True)
    assessee_id: str = Field(primary_key=True)
    norm_id: str = Field(primary_key=True)
    seq: int  # log position of the latest revision
    score: float
    weighted: float
    weight: float
    rationale: str | None = None
    revision: int
    recorded_by: str | None = None
    recorded_at: datetime


MUTUAL_CONTROL_TABLES = [
    SQLModel.metadata.tables[name]
    for name in ("rm_norm", "rm_assessment_round", "rm_round_norm", "rm_assessment")
]
