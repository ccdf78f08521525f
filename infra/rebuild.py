"""Blue/green rebuilds: a read model built by other projection versions than the
code declares is rebuilt beside the live one, then switched in.

Every projection declares a ``version`` (services/projections/); ``rm_version``
records the versions that built a cluster's tables. When a process opens a
partition whose versions are older than its code's, it starts a rebuild in the
background: the next version's tables are built from position 1 in a store of
their own (infra/readmodel/blue_green.py) while the live tables keep answering
(and keep being projected, by the new code); once they reach the head, one
transaction switches them in and the old ones are gone. One process at a time
rebuilds a cluster (a lease, released if it dies); a rebuild that stopped part-way
resumes from where its tables stand, and nothing reads them before the switch.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from infra.partitions import ClusterPartition, PostgresPartitions, SqlitePartitions
from services.ports.log import ProjectionLease
from services.projections.projector import Projector

log = logging.getLogger(__name__)

State = Literal["current", "outdated", "rebuilding", "interrupted", "newer"]
PROGRESS_EVERY_S = 5.0
REBUILD_NAMESPACE = uuid.UUID("1f5f1c8e-8a57-4f1b-9d0c-5b7e2f6a9c41")


def compare(stored: dict[str, int] | None, code: dict[str, int]) -> State:
    """``current``; ``outdated`` (some projection's code is newer than its tables);
    ``newer`` (the tables were built by a later release: left alone)."""
    built = stored if stored is not None else dict.fromkeys(code, 1)
    if all(built.get(name) == version for name, version in code.items()):
        return "current"
    if any(built.get(name, 0) > version for name, version in code.items()):
        return "newer"
    return "outdated"


def rebuild_key(cluster_id: str) -> str:
    """The lease a rebuild holds: not the cluster's own, which its projection holds."""
    return str(uuid.uuid5(REBUILD_NAMESPACE, cluster_id))


@dataclass(frozen=True)
class ReadModelStatus:
    cluster_id: str
    state: State
    stored: dict[str, int]
    code: dict[str, int]
    position: int  # where every live projection stands
    head: int
    next_position: int | None  # where the next version's tables stand, while rebuilding

    @property
    def lag(self) -> int:
        return self.head - self.position

    def version(self) -> str:
        """``registry 1→2`` for each projection whose tables lag its code; else ``current``."""
        changed = [
            f"{name} {self.stored.get(name, 0)}→{version}"
            for name, version in sorted(self.code.items())
            if self.stored.get(name) != version
        ]
        return ", ".join(changed) or "current"


class Rebuilds:
    def __init__(
        self,
        partitions: SqlitePartitions | PostgresPartitions,
        projector: Projector,
        lease: ProjectionLease,
        background: bool = True,
        batch_size: int | None = None,
    ) -> None:
        self.partitions = partitions
        self.projector = projector
        self.lease = lease
        self.background = background
        # Its own projector: its batches grow as a replay's do, and a pass over the
        # next tables never waits on the live tables' lock of this process.
        size = batch_size or 500
        self._builder = Projector(
            projector.factories, size, max(size, 4000 if batch_size is None else size)
        )
        self._running: set[str] = set()
        self._guard = threading.Lock()

    def start(self, enabled: bool = True) -> None:
        """Rebuilds in the background from now on (``serve`` and ``worker`` call it),
        beginning with the partitions this process opened already."""
        self.background = enabled
        for partition in self.partitions.opened():
            self.check(partition)

    def check(self, partition: ClusterPartition) -> None:
        """On opening a partition: a rebuild in the background when its read model
        is outdated (and none of this process runs for it)."""
        if not self.background:
            return
        model = partition.read_model
        if compare(model.versions(), self.projector.versions(model)) != "outdated":
            return
        with self._guard:
            if partition.cluster_id in self._running:
                return
            self._running.add(partition.cluster_id)
        threading.Thread(
            target=self._in_background,
            args=(partition,),
            name=f"rebuild-{partition.cluster_id[:8]}",
            daemon=True,
        ).start()

    def _in_background(self, partition: ClusterPartition) -> None:
        try:
            self.rebuild(partition)
        except Exception:
            log.exception(
                "rebuilding the read model of cluster %s failed; the old one keeps answering, "
                "and the next start (or `clusterwork projections rebuild --cluster %s`) resumes",
                partition.cluster_id,
                partition.cluster_id,
            )
        finally:
            with self._guard:
                self._running.discard(partition.cluster_id)

    def rebuild(
        self,
        partition: ClusterPartition,
        on_batch: Callable[[int], None] | None = None,
        restart: bool = False,
    ) -> str:
        """Builds the next version's tables and switches them in. Returns what it did:
        ``switched``, ``current`` (nothing to do), ``newer`` (left alone) or
        ``elsewhere`` (another process is rebuilding)."""
        cluster_id = partition.cluster_id
        with self.lease.hold(rebuild_key(cluster_id)) as held:
            if not held:
                return "elsewhere"
            live = partition.read_model
            code = self.projector.versions(live)
            stored = live.versions()
            state = compare(stored, code)
            following = self.partitions.next_read_model(cluster_id)
            if state != "outdated":
                if state == "current" and following.exists():
                    following.drop()  # left behind by a stop between switch and clean-up
                return state
            if following.exists() and (restart or following.open().versions() != code):
                following.drop()  # built by other versions, or asked to start over
            model = following.open()
            model.create(code)
            head = partition.log.head()
            start = self.projector.reached(model)
            log.info(
                "rebuilding the read model of cluster %s (%s) in %s, from position %d of %d",
                cluster_id,
                _changes(stored, code),
                following.where(),
                start + 1,
                head,
            )
            progress = _Progress(cluster_id, start, head, on_batch)
            self._builder.catch_up(
                f"{cluster_id}#next", partition.log, model, partition.app.mapper, on_batch=progress
            )
            mapper = partition.app.mapper

            def last_events() -> int:  # under the switch's lock: the log stands still
                return self._builder.catch_up(
                    f"{cluster_id}#next", partition.log, model, mapper, on_batch=progress
                )

            switching = time.monotonic()
            following.switch(last_events, code)
            live.switched()
            switched = time.monotonic() - switching
            following.drop()
            log.info(
                "switched the read model of cluster %s to %s at position %d "
                "(%.0f events/s; the switch held the live tables %.0f ms)",
                cluster_id,
                _changes(stored, code),
                progress.position,
                progress.rate(progress.position - start),
                switched * 1000,
            )
            return "switched"

    def status(self, partition: ClusterPartition) -> ReadModelStatus:
        live = partition.read_model
        code = self.projector.versions(live)
        stored = live.versions()
        positions, head = live.positions_and_head(partition.log)
        state = compare(stored, code)
        following = self.partitions.next_read_model(partition.cluster_id)
        next_position = following.position() if state == "outdated" else None
        if next_position is not None:
            # Someone holds the rebuild's lease while building; a free lease with next
            # tables standing means a rebuild stopped part-way (the next one resumes).
            with self.lease.hold(rebuild_key(partition.cluster_id)) as free:
                state = "interrupted" if free else "rebuilding"
        return ReadModelStatus(
            partition.cluster_id,
            state,
            stored if stored is not None else dict.fromkeys(code, 1),
            code,
            self.projector.reached(live, positions),
            head,
            next_position,
        )


def _changes(stored: dict[str, int] | None, code: dict[str, int]) -> str:
    built = stored if stored is not None else dict.fromkeys(code, 1)
    return ", ".join(
        f"{name} {built.get(name, 0)}→{version}"
        for name, version in sorted(code.items())
        if built.get(name) != version
    )


class _Progress:
    """Counts a rebuild's events; logs where it stands every few seconds."""

    def __init__(
        self, cluster_id: str, start: int, head: int, then: Callable[[int], None] | None
    ) -> None:
        self.cluster_id, self.position, self.head, self.then = cluster_id, start, head, then
        self.started = self.logged = time.monotonic()

    def __call__(self, count: int) -> None:
        self.position += count
        now = time.monotonic()
        if now - self.logged >= PROGRESS_EVERY_S:
            self.logged = now
            log.info(
                "rebuilding the read model of cluster %s: position %d of %d",
                self.cluster_id,
                self.position,
                self.head,
            )
        if self.then is not None:
            self.then(count)

    def rate(self, events: int) -> float:
        return events / max(time.monotonic() - self.started, 1e-9)
