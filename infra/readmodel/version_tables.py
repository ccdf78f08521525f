"""The two read-model tables that are about the read model itself.

``rm_version``: which version of each projection built the tables beside it. It is
one of the tables a blue/green rebuild swaps (infra/readmodel/blue_green.py), so
the versions arrive with the rows they describe, in the same transaction. A
partition made before projections had versions has no such table: every
projection of it is at version 1.

``rm_outbox``: what projections send outward, one row per (projection, key),
written in the projection's batch. It is never swapped, reset or rebuilt: a
rebuild or a replay that meets an event again finds its row there and sends
nothing (docs/operations.md, "Side effects and rebuilds").
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel


class VersionRow(SQLModel, table=True):
    __tablename__ = "rm_version"
    name: str = Field(primary_key=True)  # a projection's name
    version: int


class OutboxRow(SQLModel, table=True):
    __tablename__ = "rm_outbox"
    projection: str = Field(primary_key=True)
    key: str = Field(primary_key=True)  # unique per projection: the event's position by default
    position: int  # the log position of the event that asked for it
    kind: str
    payload: str  # JSON
    sent_at: datetime | None = Field(default=None, index=True)


VERSION_TABLE: sa.Table = SQLModel.metadata.tables["rm_version"]
OUTBOX_TABLE: sa.Table = SQLModel.metadata.tables["rm_outbox"]
