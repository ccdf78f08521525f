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
        self._names: list[str] | None = None

    def catch_up(
        self,
        key: str,
        log_: EventLog,
        read_model: ReadModel,
        mapper: Mapper[Any],
        upto: int | None = None,
        on_batch: Callable[[int], None] | None = None,
    ) -> int:
        """Projects every event after the read model's position (up to ``upto``)."""
        projections = [factory(read_model) for factory in self._factories]
        # Bound once: each access to a singledispatchmethod builds a new wrapper,
        # which cost more than the dispatch itself (per event, per projection).
        handlers = [(p.name, p.process_event) for p in projections]
        to_domain_event = mapper.to_domain_event
        conflicts = 0
        with self._lock(key):
            while True:
                stored = read_model.positions()
                positions = {name: stored.get(name, 0) for name, _ in handlers}
                start = min(positions.values())
                entries = log_.read(start, self._batch_size, upto=upto)
                if not entries:
                    return start
                try:
                    with read_model.batch(positions):
                        for entry in entries:
                            event = to_domain_event(entry.stored_event)
                            position = entry.position
                            for name, process_event in handlers:
                                if positions[name] < position:
                                    process_event(event, Tracking(name, position))
                except TrackingConflict:
                    conflicts += 1
                    if conflicts > MAX_CONFLICTS:
                        raise
                    log.info("read model of %s moved on elsewhere; re-reading", key)
                    continue
                if on_batch is not None:
                    on_batch(len(entries))
                if len(entries) < self._batch_size:
                    # A short batch is the end of the log (or of ``upto``) as it was
                    # when read; every projection now stands at its last entry.
                    return entries[-1].position

    def reached(self, read_model: ReadModel) -> int:
        """The position every projection has reached (0 for one that never ran)."""
        if self._names is None:
            self._names = [factory(read_model).name for factory in self._factories]
        stored = read_model.positions()
        return min((stored.get(name, 0) for name in self._names), default=0)

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())
