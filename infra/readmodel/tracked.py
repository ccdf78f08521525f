"""What every SQL view shares: it writes in the read model's current batch,
and its tracking is the batch's (committed with the view rows)."""

from __future__ import annotations

from typing import Protocol

from eventsourcing.persistence import Tracking
from sqlmodel import Session

from infra.readmodel.upserts import PendingUpserts


class Batch(Protocol):
    """The part of the read model a view writes through (``SqlReadModel`` is one),
    named here so the views need not import the store that builds them."""

    def session(self) -> Session: ...

    def upserts(self) -> PendingUpserts: ...

    def track(self, tracking: Tracking) -> None: ...

    def tracked(self, name: str) -> int | None: ...


class BatchTracked:
    def __init__(self, store: Batch) -> None:
        self.store = store

    def insert_tracking(self, tracking: Tracking) -> None:
        self.store.track(tracking)

    def max_tracking_id(self, application_name: str) -> int | None:
        return self.store.tracked(application_name)
