"""Keeps a cluster's live read model up to its log, exactly once.

Only one process projects a cluster at a time: whoever holds its lease. With
``clusterwork worker`` processes, a worker owns (holds) the clusters it
projects, and API processes wait for it. A cluster no worker owns (none runs,
or its worker died and nobody has taken over yet) is projected by the API
process that needs it, so no caller is ever answered from a stale view.
"""

from __future__ import annotations

import logging
import time

from services.ports import Partition, ProjectionLease
from services.projections.projector import Projector

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

    def settle(self, partition: Partition) -> int:
        """Returns once the read model reflects the log head (or the wait timed out)."""
        head = partition.log.head()
        with self.lease.hold(partition.cluster_id) as held:
            if held:
                self._note_unowned(partition.cluster_id)
                return self.projector.catch_up(
                    partition.cluster_id, partition.log, partition.read_model, partition.app.mapper
                )
        return self._wait(partition, head)

    def _note_unowned(self, cluster_id: str) -> None:
        if not self.inline and cluster_id not in self._warned:
            self._warned.add(cluster_id)
            log.warning("no worker owns cluster %s; projecting it in this process", cluster_id)

    def _wait(self, partition: Partition, head: int) -> int:
        """Polls the tracking positions until they reach ``head`` (backing off)."""
        deadline, pause = time.monotonic() + self.wait_seconds, 0.002
        while True:
            reached = min(partition.read_model.positions().values(), default=0)
            if reached >= head or time.monotonic() > deadline:
                return reached
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
