"""Signed checkpoints, stored in the cluster's partition beside its log.

Not read-model tables: rebuilding projections never touches them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Field, Session, SQLModel, col, select

from services.dto import CheckpointInfo


class CheckpointRow(SQLModel, table=True):
    __tablename__ = "audit_checkpoint"
    position: int = Field(primary_key=True)
    head_hash: str
    signed_at: datetime
    jws: str


AUDIT_TABLES = [SQLModel.metadata.tables["audit_checkpoint"]]


class SqlCheckpointStore:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def create(self) -> None:
        SQLModel.metadata.create_all(self.engine, tables=AUDIT_TABLES)

    def add(self, checkpoint: CheckpointInfo) -> bool:
        with Session(self.engine) as session:
            session.add(CheckpointRow(**vars(checkpoint)))
            try:
                session.commit()
            except IntegrityError:  # another process signed this position first
                return False
        return True

    def all(self) -> list[CheckpointInfo]:
        with Session(self.engine) as session:
            rows = session.exec(select(CheckpointRow).order_by(col(CheckpointRow.position)))
            return [_info(r) for r in rows]

    def last(self) -> CheckpointInfo | None:
        query = select(CheckpointRow).order_by(col(CheckpointRow.position).desc()).limit(1)
        with Session(self.engine) as session:
            row = session.exec(query).first()
            return _info(row) if row else None


def _info(row: CheckpointRow) -> CheckpointInfo:
    return CheckpointInfo(row.position, row.head_hash, row.signed_at, row.jws)
