"""The outbox of a cluster's read model: the gate on what projections send outward.

A projection sends through ``SqlOutboxView.send``: one row per (projection, key),
inserted if absent, in the batch that moves the projection's tracking, so it is
recorded exactly when the event is projected and never again. A deliverer reads
``Outbox.pending`` and marks each row sent after delivering it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import sqlalchemy as sa
from eventsourcing.persistence import Tracking
from sqlalchemy import Engine

from infra.readmodel.tracked import Batch, BatchTracked
from infra.readmodel.version_tables import OUTBOX_TABLE


class OutwardBatch(Batch, Protocol):
    def outward(
        self, projection: str, key: str, position: int, kind: str, payload: str
    ) -> None: ...


class SqlOutboxView(BatchTracked):
    store: OutwardBatch

    def __init__(self, store: OutwardBatch) -> None:
        super().__init__(store)

    def send(
        self, tracking: Tracking, kind: str, payload: dict[str, Any], key: str | None = None
    ) -> None:
        self.store.outward(
            tracking.application_name,
            key if key is not None else str(tracking.notification_id),
            tracking.notification_id,
            kind,
            json.dumps(payload, sort_keys=True),
        )
        self.store.track(tracking)


@dataclass(frozen=True)
class Message:
    projection: str
    key: str
    position: int
    kind: str
    payload: dict[str, Any]


class Outbox:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def pending(self, limit: int = 100) -> list[Message]:
        c = OUTBOX_TABLE.c
        query = (
            sa.select(c.projection, c.key, c.position, c.kind, c.payload)
            .where(c.sent_at.is_(None))
            .order_by(c.position, c.projection, c.key)
            .limit(limit)
        )
        with self.engine.connect() as connection:
            return [
                Message(row.projection, row.key, row.position, row.kind, json.loads(row.payload))
                for row in connection.execute(query)
            ]

    def mark_sent(self, message: Message) -> bool:
        """False when it was marked already (another deliverer was first)."""
        c = OUTBOX_TABLE.c
        with self.engine.begin() as connection:
            return bool(
                connection.execute(
                    sa.update(OUTBOX_TABLE)
                    .where(c.projection == message.projection, c.key == message.key)
                    .where(c.sent_at.is_(None))
                    .values(sent_at=datetime.now(UTC))
                ).rowcount
            )

    def count(self) -> int:
        with self.engine.connect() as connection:
            return int(
                connection.execute(
                    sa.select(sa.func.count()).select_from(OUTBOX_TABLE)
                ).scalar_one()
            )
