"""The projection worker: keeps every cluster's read model up to its log.

Workers split clusters through leases (infra/leases.py): a cluster is projected
by whichever worker takes its lease, never by two at once, and a dead worker's
leases free themselves. On PostgreSQL, NOTIFY says which cluster changed; a
full pass now and then catches anything a notification missed.
"""

from __future__ import annotations

import logging
import queue
import threading
import time

from infra.bootstrap import Container
from infra.live import PostgresListener

log = logging.getLogger(__name__)


class ProjectionWorker:
    def __init__(self, container: Container, full_pass_seconds: float = 30.0, tick: float = 0.5) -> None:
        self.container = container
        self.full_pass_seconds = full_pass_seconds if container.settings.database_url else tick
        self.tick = tick
        self.changed: queue.SimpleQueue[str] = queue.SimpleQueue()

    def run(self, stop: threading.Event) -> None:
        url = self.container.settings.database_url
        listener = PostgresListener(url, self.changed.put).start() if url else None
        pending: set[str] = set()
        next_full_pass = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_full_pass:
                    pending |= set(self.container.directory.cluster_ids())
                    next_full_pass = time.monotonic() + self.full_pass_seconds
                pending = {c for c in pending if not self._project(c)}
                self._collect(pending, stop)
        finally:
            if listener is not None:
                listener.stop()

    def _project(self, cluster_id: str) -> bool:
        """True when done; False when another process holds the lease (try again)."""
        try:
            partition = self.container.partitions.open(cluster_id)
            return self.container.sync.project_if_free(partition)
        except Exception:  # one broken cluster must not stop the others
            log.exception("projecting cluster %s failed", cluster_id)
            return True

    def _collect(self, pending: set[str], stop: threading.Event) -> None:
        """Waits up to one tick for notifications, then takes all that came."""
        try:
            pending.add(self.changed.get(timeout=self.tick))
            while True:
                pending.add(self.changed.get_nowait())
        except queue.Empty:
            pass
        if stop.is_set():
            pending.clear()


def start_in_thread(container: Container) -> threading.Event:
    """The embedded default: projections run inside the serving process."""
    stop = threading.Event()
    worker = ProjectionWorker(container)
    threading.Thread(target=worker.run, args=(stop,), name="projection-worker", daemon=True).start()
    return stop
