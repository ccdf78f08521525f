"""A projection lease is held by one holder at a time, and is free again after."""

from __future__ import annotations

import threading

from infra.bootstrap import Container
from services.dto import ClusterInfo


def held_elsewhere(container: Container, cluster_id: str) -> bool:
    """Whether another thread (another holder) can take the lease now."""
    answer: list[bool] = []

    def other() -> None:
        with container.sync.lease.hold(cluster_id) as held:
            answer.append(held)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    return not answer[0]


def test_one_holder_at_a_time(container: Container, cluster: ClusterInfo) -> None:
    lease = container.sync.lease
    assert not held_elsewhere(container, cluster.id)
    with lease.hold(cluster.id) as held:
        assert held
        assert held_elsewhere(container, cluster.id)
    assert not held_elsewhere(container, cluster.id)
