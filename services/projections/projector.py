"""Brings a cluster's read model up to its log, exactly once per event."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from eventsourcing.persistence import Mapper, Tracking
from eventsourcing.projection import Projection

from services.ports import EventLog, ReadModel, TrackingConflict

log = logging.getLogger(__name__)

MAX_CONFLICTS = 100  # each one means another process made progress; this bounds a livelock

ProjectionFactory = Callable[[ReadModel], Projection[Any]]


class Projector:
    """Feeds the log, in batches, to every projection that has not seen it yet."""

    def __init__(self, factories: list[ProjectionFactory], batch_size: int = 500) -> None:
        self._factories = factories
        self._batch_size = batch_size
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    def catch_up(
        self, key: str, log_: EventLog, read_model: ReadModel, mapper: Mapper[Any],
        upto: int | None = None, on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Projects every event after the read model's position (up to ``upto``)."""
        projections = [factory(read_model) for factory in self._factories]
        conflicts = 0
        with self._lock(key):
            while True:
                stored = read_model.positions()
                positions = {p.name: stored.get(p.name, 0) for p in projections}
                start = min(positions.values())
                entries = log_.read(start, self._batch_size, upto=upto)
                if not entries:
                    return start
                try:
                    with read_model.batch(positions):
                        for entry in entries:
                            event = mapper.to_domain_event(entry.stored_event)
                            for projection in projections:
                                if positions[projection.name] < entry.position:
                                    tracking = Tracking(projection.name, entry.position)
                                    projection.process_event(event, tracking)
                except TrackingConflict:
                    conflicts += 1
                    if conflicts > MAX_CONFLICTS:
                        raise
                    log.info("read model of %s moved on elsewhere; re-reading", key)
                    continue
                if on_batch is not None:
                    on_batch(len(entries))

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())
