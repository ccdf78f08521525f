"""Keeps a cluster's live read model up to its log, exactly once.

Only one process projects a cluster at a time: whoever holds its lease (a
PostgreSQL advisory lock, or a file lock on SQLite). An API process either
projects inline under the lease (the embedded default) or, with a separate
worker, waits for the read model to reach the log's head.
"""

from __future__ import annotations

import time
from typing import Protocol

from services.ports import Partition, ProjectionLease
from services.projections.projector import Projector


class ReadModelSync(Protocol):
    def settle(self, partition: Partition) -> int:
        """Returns once the read model reflects the log head (or a timeout passed)."""
        ...

    def project_if_free(self, partition: Partition) -> bool:
        """Projects the cluster unless another process holds its lease."""
        ...


class LeasedProjection:
    def __init__(
        self, projector: Projector, lease: ProjectionLease, inline: bool, wait_seconds: float = 3.0
    ) -> None:
        self.projector = projector
        self.lease = lease
        self.inline = inline
        self.wait_seconds = wait_seconds

    def settle(self, partition: Partition) -> int:
        head = partition.log.head()
        if self.inline and self.project_if_free(partition):
            return head
        reached = self._wait(partition, head)
        # Still behind and nobody holds the lease: the worker is gone or down.
        # Project here rather than leave the caller with a stale answer.
        if reached < head and self.project_if_free(partition):
            return head
        return reached

    def project_if_free(self, partition: Partition) -> bool:
        with self.lease.hold(partition.cluster_id) as held:
            if held:
                self.projector.catch_up(
                    partition.cluster_id, partition.log, partition.read_model, partition.app.mapper
                )
            return held

    def _wait(self, partition: Partition, head: int) -> int:
        """Polls the tracking positions until they reach ``head`` (backing off)."""
        deadline, pause = time.monotonic() + self.wait_seconds, 0.005
        while True:
            reached = min(partition.read_model.positions().values(), default=0)
            if reached >= head or time.monotonic() > deadline:
                return reached
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
