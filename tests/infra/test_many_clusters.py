"""docs/architecture.md: connections stay bounded however many clusters exist (>= 1,000 clusters
on one PostgreSQL with max_connections=100).

Founds CLUSTERS clusters from several threads (more threads than either pool
holds), writes to each, and samples pg_stat_activity all along: this process
may never hold more than its two pools allow.

Why 120 clusters prove what 1,000 would: the bound does not depend on how many
clusters exist, only on whether a cluster costs a connection of its own. Every
cluster founded here stays open in the partition cache (fewer than its slots),
which is when a per-cluster connection would be held, and 120 is more than the
server's max_connections: had each cluster kept even one connection, the peak
would pass the bound and the server would refuse the 101st. At 1,000 the test
takes minutes for no extra evidence; `make bench` measures the full 1,000
(docs/performance.md, "1,000 clusters on one database"), and
CLUSTERWORK_TEST_MANY_CLUSTERS=1000 runs this test at that size.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest

from domain.cluster import ClusterFounding, SubjectAdmission
from infra.bootstrap import bootstrap
from infra.settings import Settings
from services.principal import Principal

CLUSTERS = int(os.environ.get("CLUSTERWORK_TEST_MANY_CLUSTERS", "120"))
WORKERS = 12  # more than pool_size + max_overflow of either pool
MARGIN = 2  # e.g. a pool replacing a connection it just closed
SETTLE_SECONDS = 5.0  # how long closed backends may take to leave pg_stat_activity

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


class ConnectionSampler(threading.Thread):
    """Counts this database's client connections (but its own) every few ms."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.peak = 0
        self.samples = 0
        self._halt = threading.Event()

    def count(self, conn: psycopg.Connection) -> int:
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        ).fetchone()
        return int(row[0]) if row else 0

    def run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self._halt.is_set():
                self.peak = max(self.peak, self.count(conn))
                self.samples += 1
                time.sleep(0.02)

    def stop(self) -> None:
        self._halt.set()
        self.join(timeout=10)


def test_more_clusters_than_the_server_has_connections_are_served_within_a_bounded_number(
    own_postgres_url: str, tmp_path: Path
) -> None:
    with psycopg.connect(own_postgres_url) as conn:
        (setting,) = conn.execute("SHOW max_connections").fetchone() or ("?",)
        max_connections = int(setting)
    assert max_connections <= 100, "run this against a server at the default max_connections"

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path,
        database_url=own_postgres_url,
        log_level="WARNING",
    )
    bound = 2 * settings.pg_pool_size + 2 * settings.pg_max_overflow + MARGIN
    assert bound < max_connections
    # The size proves the bound only if a connection per cluster could not fit
    # the server, and only while every founded cluster stays open.
    assert max_connections < CLUSTERS <= settings.partitions_open
    container = bootstrap(settings)
    operator = Principal(f"op-{uuid.uuid4().hex[:8]}", "Olga", None, True)
    sampler = ConnectionSampler(own_postgres_url)
    sampler.start()

    def found_and_write(n: int) -> str:
        info = container.registry.found_cluster(
            operator, ClusterFounding(f"Cluster {n}", f"Region {n}", "GEOGRAPHIC")
        )
        container.registry.admit_subject(
            operator, info.id, SubjectAdmission(f"School of {n}", "SCHOOL", None)
        )
        return info.id

    started = time.monotonic()
    try:
        with ThreadPoolExecutor(WORKERS) as pool:
            ids = list(pool.map(found_and_write, range(CLUSTERS)))
        elapsed = time.monotonic() - started
        # Every cluster is readable and holds exactly its own three events.
        for cluster_id in ids[:: max(1, CLUSTERS // 100)]:
            scope = container.queries.scope(operator, cluster_id)
            assert [e.position for e in scope.events().events] == [1, 2, 3]
            assert [s.name for s in scope.subjects()] == [f"School of {ids.index(cluster_id)}"]
        with psycopg.connect(own_postgres_url) as conn:
            schemas = conn.execute(
                "SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'cluster\\_%%'"
            ).fetchone()[0]  # type: ignore[index]
        assert schemas == CLUSTERS
        assert len(set(ids)) == CLUSTERS == len(container.directory.cluster_ids())
    finally:
        sampler.stop()
        container.close()

    # A backend leaves pg_stat_activity a moment after its client hung up (the
    # server process exits asynchronously), so closed connections may linger
    # briefly; one the container really kept open stays for the whole wait.
    with psycopg.connect(own_postgres_url, autocommit=True) as conn:
        deadline = time.monotonic() + SETTLE_SECONDS
        while (left := sampler.count(conn)) and time.monotonic() < deadline:
            time.sleep(0.05)
    print(
        f"\n{CLUSTERS} clusters founded and written in {elapsed:.1f}s "
        f"with {WORKERS} threads; peak connections {sampler.peak} (bound {bound}), "
        f"{sampler.samples} samples"
    )
    assert sampler.samples > 10, "the sampler did not watch the run"
    assert 0 < sampler.peak <= bound
    assert left == 0, "closing the container left connections open"
