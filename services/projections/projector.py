"""Brings a cluster's read model up to its log, exactly once per event."""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Mapper, StoredEvent, Tracking
from eventsourcing.projection import Projection
from eventsourcing.utils import resolve_topic

from services.ports.log import EventLog, LogEntry, TrackingConflict
from services.ports.storage import ReadModel

log = logging.getLogger(__name__)

MAX_CONFLICTS = 100  # each one means another process made progress; this bounds a livelock

ProjectionFactory = Callable[[ReadModel], Projection[Any]]


@dataclass(frozen=True)
class Fresh:
    """An event a command has just saved: where and as what it was stored, and
    the domain event itself (so it needs no decoding)."""

    position: int
    stored_event: StoredEvent
    event: Any


class Projector:
    """Feeds the log, in batches, to every projection that has not seen it yet."""

    def __init__(
        self, factories: list[ProjectionFactory], batch_size: int = 500, max_batch: int = 4000
    ) -> None:
        self._factories = factories
        self._batch_size = batch_size
        self._max_batch = max(max_batch, batch_size)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._names: list[str] | None = None
        self._versions: dict[str, int] | None = None

    def catch_up(
        self,
        key: str,
        log_: EventLog,
        read_model: ReadModel,
        mapper: Mapper[Any],
        upto: int | None = None,
        on_batch: Callable[[int], None] | None = None,
        fresh: Sequence[Fresh] = (),
        known: dict[str, int] | None = None,
    ) -> int:
        """Projects every event after the read model's position (up to ``upto``).

        ``fresh``: events a command just saved, at their positions, with the
        domain events it holds; when they are exactly what comes next, they are
        projected without reading the log or decoding. ``known``: the positions
        as the caller last knew them, tried before reading them; the call leaves
        in it the positions as they stand when it returns. Either being stale
        costs nothing but a detour: the batch's tracking update checks every
        position it moves from, and a conflict re-reads both (never re-applies)."""
        projections = [factory(read_model) for factory in self._factories]
        routes = _Routes(projections)
        to_domain_event = mapper.to_domain_event
        conflicts = 0
        size = self._batch_size
        guess = known or None  # read before the call rewrites it on return
        with self._lock(key):
            while True:
                guessed = guess is not None
                stored = guess if guess is not None else read_model.positions()
                guess = None  # a second pass (a conflict, a full batch) reads them
                positions = {p.name: stored.get(p.name, 0) for p in projections}
                start = min(positions.values())
                entries: Sequence[LogEntry | Fresh]
                decoded: dict[int, Any]
                # Fresh events the read model already has (another pass or process
                # projected them from the log) are skipped, not applied again.
                fresh = [f for f in fresh if f.position > start]
                if fresh and fresh[0].position == start + 1:
                    entries = fresh
                    decoded = {f.position: f.event for f in fresh}
                else:
                    entries = log_.read(start, size, upto=upto)
                    decoded = {}
                fresh = ()  # used at most once
                if not entries:
                    if guessed:  # nothing to write checks a guess: read the positions
                        continue
                    _leave(known, positions)
                    return start
                try:
                    with read_model.batch(positions):
                        for entry in entries:
                            handlers = routes.of(entry.stored_event.topic)
                            if not handlers:
                                continue  # nobody's: not even decoded
                            position = entry.position
                            event = decoded.get(position)
                            if event is None:
                                event = to_domain_event(entry.stored_event)
                            for projection, name, handler in handlers:
                                if positions[name] < position:
                                    handler(projection, event, Tracking(name, position))
                        # Every projection has now seen the whole batch; what it did
                        # not handle only moves its position, once, to the end.
                        last = entries[-1].position
                        for projection in projections:
                            if positions[projection.name] < last:
                                projection.view.insert_tracking(Tracking(projection.name, last))
                except TrackingConflict:
                    conflicts += 1
                    if conflicts > MAX_CONFLICTS:
                        raise
                    log.info("read model of %s moved on elsewhere; re-reading", key)
                    continue
                if on_batch is not None:
                    on_batch(len(entries))
                positions = {name: max(position, last) for name, position in positions.items()}
                if len(entries) < size or decoded:
                    # A short batch is the end of the log (or of ``upto``) as it was
                    # when read, and fresh events were what the caller waits for;
                    # every projection now stands at the last entry.
                    _leave(known, positions)
                    return last
                # A full batch: far behind (a rebuild, an as-of view). Each batch has
                # a fixed cost (positions, the terms, the tracking, the commit), so
                # the next ones grow, up to a bound on memory and on how long one
                # transaction holds the read model's write lock.
                size = min(size * 2, self._max_batch)

    @property
    def factories(self) -> list[ProjectionFactory]:
        return list(self._factories)

    def versions(self, read_model: ReadModel) -> dict[str, int]:
        """Each projection's declared version (its class's ``version``; 1 when it
        declares none): a read model built by other versions is rebuilt."""
        if self._versions is None:
            projections = [factory(read_model) for factory in self._factories]
            self._versions = {p.name: int(getattr(p, "version", 1)) for p in projections}
        return dict(self._versions)

    def reached(self, read_model: ReadModel, positions: dict[str, int] | None = None) -> int:
        """The position every projection has reached (0 for one that never ran),
        from ``positions`` when the caller has just read them."""
        if self._names is None:
            self._names = [factory(read_model).name for factory in self._factories]
        stored = read_model.positions() if positions is None else positions
        return min((stored.get(name, 0) for name in self._names), default=0)

    def _lock(self, key: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(key, threading.Lock())


def _leave(known: dict[str, int] | None, positions: dict[str, int]) -> None:
    if known is not None:
        known.clear()
        known.update(positions)


class _Routes:
    """For each event class, the projections that handle it, and their handlers.

    A projection's default handler only moves its tracking (docs/contributing.md),
    so an event it does not handle is not passed to it at all: the batch moves its
    position once at the end. An event no projection handles is not even decoded.
    The handler is the function ``singledispatchmethod`` would pick, found once per
    class: the dispatch wrapper, per event and projection, cost more than most
    handlers.
    """

    def __init__(self, projections: list[Projection[Any]]) -> None:
        self._projections = projections
        self._by_topic: dict[str, list[tuple[Projection[Any], str, Callable[..., None]]]] = {}

    def of(self, topic: str) -> list[tuple[Projection[Any], str, Callable[..., None]]]:
        found = self._by_topic.get(topic)
        if found is None:
            cls = resolve_topic(topic)
            found = []
            for projection in self._projections:
                projection.process_event  # noqa: B018 (the access registers deferred handlers)
                dispatcher = inspect.getattr_static(projection, "process_event").dispatcher
                handler = dispatcher.dispatch(cls)
                if handler is not dispatcher.dispatch(object):
                    found.append((projection, projection.name, handler))
            self._by_topic[topic] = found
        return found
