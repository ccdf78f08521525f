"""Keeps a cluster's live read model up to its log, exactly once.

Only one process projects a cluster at a time: whoever holds its lease. With
``clusterwork worker`` processes, a worker owns (holds) the clusters it
projects, and API processes wait for it. A cluster no worker owns (none runs,
or its worker died and nobody has taken over yet) is projected by the API
process that needs it, so no caller is ever answered from a stale view.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence

from services.ports.log import ProjectionLease
from services.ports.storage import Partition
from services.projections.projector import Fresh, Projector

log = logging.getLogger(__name__)


class LeasedProjection:
    def __init__(
        self, projector: Projector, lease: ProjectionLease, inline: bool, wait_seconds: float = 10.0
    ) -> None:
        self.projector = projector
        self.lease = lease
        self.inline = inline  # False: workers are expected to project
        self.wait_seconds = wait_seconds
        self._warned: set[str] = set()
        # Wakes this process's waiters as soon as this process projected a batch,
        # instead of leaving them to their next poll.
        self._progress = threading.Condition()
        self._batches = 0  # counts projected batches, so that no wake-up is missed

    def settle(self, partition: Partition, fresh: Sequence[Fresh] = ()) -> int:
        """Returns once the read model reflects the log head (or the wait timed
        out). After a command, ``fresh`` are the events it saved: the read model
        must reach the last of them (every earlier position was committed before
        them), and they can be projected as they are (Projector.catch_up)."""
        seen = self._batches
        read_model = partition.read_model
        if fresh:
            stored, head = read_model.positions(), fresh[-1].position
        else:
            # The head and where the projections stand, in one statement when the
            # read model lives beside the log: every read of a view starts here.
            stored, head = read_model.positions_and_head(partition.log)
        reached = self.projector.reached(read_model, stored)
        deadline, pause, before = time.monotonic() + self.wait_seconds, 0.002, -1
        while True:
            if before >= 0:  # after a pause: look again
                seen = self._batches
                stored = read_model.positions()
                reached = self.projector.reached(read_model, stored)
            if reached >= head:  # nothing (left) to project: no lease, no log read
                return reached
            if reached == before or before < 0:
                # Nobody made progress since we last looked: whoever held the lease
                # may have finished before our events were committed. Take it over.
                with self.lease.hold(partition.cluster_id) as held:
                    if held:
                        return self._catch_up(partition, fresh, stored)
            if time.monotonic() > deadline:
                return reached
            with self._progress:  # a batch projected here ends the pause early
                if self._batches == seen:
                    self._progress.wait(pause)
            pause, before = min(pause * 2, 0.05), reached

    def _catch_up(self, partition: Partition, fresh: Sequence[Fresh], known: dict[str, int]) -> int:
        self._note_unowned(partition.cluster_id)
        try:
            return self.projector.catch_up(
                partition.cluster_id,
                partition.log,
                partition.read_model,
                partition.app.mapper,
                on_batch=lambda _: self._notify(),
                fresh=fresh,
                known=known,
            )
        finally:
            self._notify()

    def _notify(self) -> None:
        with self._progress:
            self._batches += 1
            self._progress.notify_all()

    def _note_unowned(self, cluster_id: str) -> None:
        if not self.inline and cluster_id not in self._warned:
            self._warned.add(cluster_id)
            log.warning("no worker owns cluster %s; projecting it in this process", cluster_id)
