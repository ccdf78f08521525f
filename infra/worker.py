"""The projection worker: keeps the read models of the clusters it owns up to their logs.

Workers split clusters between them with leases (infra/leases.py): each owns
about its fair share (clusters ÷ live workers) and projects only those, so no
cluster is projected twice at once. A dead worker's leases free themselves and
the others claim its clusters on their next pass. On PostgreSQL, NOTIFY says
which cluster changed; every pass also looks at every owned cluster.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time

from infra.bootstrap import Container
from infra.leases import AdvisoryOwnership, FileOwnership
from infra.live import PostgresListener
from infra.partitions import SqlitePartitions

log = logging.getLogger(__name__)


class ProjectionWorker:
    def __init__(self, container: Container, pass_seconds: float = 5.0, tick: float = 0.2) -> None:
        self.container = container
        self.pass_seconds = pass_seconds
        self.tick = tick
        self.changed: queue.SimpleQueue[str] = queue.SimpleQueue()
        self.owned: set[str] = set()
        self._stamps: dict[str, tuple[int, ...]] = {}
        # A worker rebuilds outdated read models of the clusters it owns (infra/rebuild.py).
        container.rebuilds.start(container.settings.rebuild_in_background)

    def run(self, stop: threading.Event) -> None:
        url = self.container.settings.database_url
        ownership = (
            AdvisoryOwnership(url)
            if url
            else FileOwnership(self.container.settings.data_dir / "locks")
        )
        listener = PostgresListener(url, self.changed.put).start() if url else None
        log.info("projection worker in slot %s", getattr(ownership, "slot", "?"))
        next_pass = 0.0
        try:
            while not stop.is_set():
                due: set[str] = set()
                if time.monotonic() >= next_pass:
                    self._rebalance(ownership)
                    due, next_pass = set(self.owned), time.monotonic() + self.pass_seconds
                due |= self._collect() & self.owned
                if listener is None:  # SQLite: no NOTIFY; a cluster's file says it changed
                    due |= self._touched()
                for cluster_id in sorted(due):
                    self._project(cluster_id)
        finally:
            if listener is not None:
                listener.stop()
            ownership.close()

    def _rebalance(self, ownership: AdvisoryOwnership | FileOwnership) -> None:
        """Keeps about ⌈clusters ÷ live workers⌉ clusters: releases extras, claims free ones."""
        clusters = self.container.directory.cluster_ids()
        fair = math.ceil(len(clusters) / ownership.workers_alive())
        for cluster_id in sorted(self.owned)[fair:]:
            ownership.release(cluster_id)
            self.owned.discard(cluster_id)
        for cluster_id in clusters:
            if len(self.owned) >= fair:
                break
            if cluster_id not in self.owned and ownership.claim(cluster_id):
                self.owned.add(cluster_id)

    def _project(self, cluster_id: str) -> None:
        try:
            partition = self.container.partitions.open(cluster_id)
            self.container.projector.catch_up(
                cluster_id, partition.log, partition.read_model, partition.app.mapper
            )
        except Exception:  # one broken cluster must not stop the others
            log.exception("projecting cluster %s failed", cluster_id)

    def _touched(self) -> set[str]:
        """Owned clusters whose SQLite files changed since the last look (a commit
        appends to the write-ahead log): a stat per cluster and tick, so that a
        write is projected within a tick rather than at the next pass."""
        partitions = self.container.partitions
        if not isinstance(partitions, SqlitePartitions):
            return set()
        changed = set()
        for cluster_id in self.owned:
            path = partitions.path(cluster_id)
            stamp = tuple(
                p.stat().st_mtime_ns if p.exists() else 0
                for p in (path, path.with_name(path.name + "-wal"))
            )
            if self._stamps.get(cluster_id) != stamp:
                self._stamps[cluster_id] = stamp
                changed.add(cluster_id)
        return changed

    def _collect(self) -> set[str]:
        """Waits up to one tick for notifications, then takes all that came."""
        changed: set[str] = set()
        try:
            changed.add(self.changed.get(timeout=self.tick))
            while True:
                changed.add(self.changed.get_nowait())
        except queue.Empty:
            return changed
