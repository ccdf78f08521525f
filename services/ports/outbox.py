"""What a projection that sends something outward (a notification, an e-mail, a
webhook) writes through: the send is recorded, keyed, in the projection's batch,
and delivered later by whoever reads the outbox. Replaying history (a rebuild, a
replay) meets the same keys again and records nothing new, so nothing is sent
twice (docs/operations.md, "Side effects and rebuilds")."""

from __future__ import annotations

from typing import Any, Protocol

from eventsourcing.persistence import Tracking


class OutwardView(Protocol):
    def send(
        self, tracking: Tracking, kind: str, payload: dict[str, Any], key: str | None = None
    ) -> None:
        """Queues ``payload`` once per ``key`` (default: the event's position)."""

    def insert_tracking(self, tracking: Tracking) -> None: ...

    def max_tracking_id(self, application_name: str) -> int | None: ...
