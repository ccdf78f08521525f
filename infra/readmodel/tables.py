"""Read-model tables. They carry no schema: on PostgreSQL each cluster's
schema is chosen per connection with SQLAlchemy's schema_translate_map."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class ClusterRow(SQLModel, table=True):
    __tablename__ = "rm_cluster"
    id: str = Field(primary_key=True)
    name: str
    region: str
    form: str


class SubjectRow(SQLModel, table=True):
    __tablename__ = "rm_subject"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)  # log position of admission: the listing order
    name: str
    kind: str = Field(index=True)
    region: str | None = None
    active: bool = Field(default=True, index=True)
    admitted_at: datetime


class InterestRow(SQLModel, table=True):
    __tablename__ = "rm_interest"
    subject_id: str = Field(primary_key=True)
    kind: str = Field(primary_key=True)
    statement: str


class MemberRow(SQLModel, table=True):
    __tablename__ = "rm_member"
    id: str = Field(primary_key=True)
    seq: int = Field(index=True)
    name: str
    email: str | None = None
    subject_id: str | None = Field(default=None, index=True)
    roles: str = ""  # sorted role names joined by ","; a member has at most three
    added_at: datetime


class RoleChangeRow(SQLModel, table=True):
    """One row per role granted or revoked after the member was added, with the
    event's facts by name: the member's roles themselves are MemberRow.roles."""

    __tablename__ = "rm_role_change"
    position: int = Field(primary_key=True)  # the event's log position
    member_id: str = Field(index=True)
    role: str
    granted: bool  # False: revoked
    changed_at: datetime
    changed_by: str | None = None  # member id; None for a platform operator


class TrackingRow(SQLModel, table=True):
    """Position of each projection; committed with the view rows it covers."""

    __tablename__ = "rm_tracking"
    name: str = Field(primary_key=True)
    position: int = 0


CLUSTER_TABLES = [
    SQLModel.metadata.tables[name]
    for name in (
        "rm_cluster",
        "rm_subject",
        "rm_interest",
        "rm_member",
        "rm_role_change",
        "rm_tracking",
    )
]
