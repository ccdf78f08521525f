"""Writes to several clusters interleave on one process's shared pool.

Every cluster schema has a composite type of the same name. Before each schema
got its own Python class, a pooled connection dumped events as the type of the
schema it had served last, and the next write to another cluster failed with
"cannot cast type cluster_a.stored_event_uuid[] to cluster_b…". A small pool
makes the clusters' writes and reads share its connections.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from domain.cluster import ClusterFounding, SubjectAdmission
from infra.bootstrap import Container, bootstrap


@pytest.fixture
def small_pool(container: Container) -> Iterator[Container]:
    """The suite's stores, composed again with a pool of two connections."""
    settings = container.settings.model_copy(update={"pg_pool_size": 2, "pg_max_overflow": 0})
    built = bootstrap(settings)
    yield built
    built.close()


def test_writes_to_two_clusters_interleave_on_a_small_pool(small_pool, operator) -> None:  # type: ignore[no-untyped-def]
    registry = small_pool.registry
    first = registry.found_cluster(
        operator, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    )
    second = registry.found_cluster(operator, ClusterFounding("Omsk cluster", "Omsk", "VERTICAL"))
    for round_ in range(3):
        for cluster in (first, second, first):
            registry.admit_subject(
                operator, cluster.id, SubjectAdmission(f"School {round_}", "SCHOOL", None)
            )
    heads = [small_pool.partitions.open(c.id).log.head() for c in (first, second)]
    assert heads == [2 + 6, 2 + 3]  # founded with its coordinator, then the admissions
