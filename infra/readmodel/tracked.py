"""What every SQL view shares: it writes in the read model's current batch,
and its tracking is the batch's (committed with the view rows)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from eventsourcing.persistence import Tracking

if TYPE_CHECKING:
    from infra.readmodel.store import SqlReadModel


class BatchTracked:
    def __init__(self, store: SqlReadModel) -> None:
        self.store = store

    def insert_tracking(self, tracking: Tracking) -> None:
        self.store.track(tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.store.tracked(application_name)
