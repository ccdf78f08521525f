"""A command's own events are projected as they are, without reading the log,
only when they are exactly what the read model lacks; otherwise from the log."""

from __future__ import annotations

import uuid

import pytest

from domain.cluster import SubjectAdmission
from domain.stamp import Stamp, stamped
from infra.bootstrap import Container
from services.dto import ClusterInfo
from services.projections.projector import Fresh


def admit(container: Container, cluster_id: str, name: str) -> list[Fresh]:
    """Saves one SubjectAdmitted without projecting it; returns it as the runner does."""
    partition = container.partitions.open(cluster_id)
    cluster = partition.app.repository.get(uuid.UUID(cluster_id))
    with stamped(Stamp(cluster_id, None, None, "fresh-test")):
        cluster.admit(str(uuid.uuid4()), SubjectAdmission(name, "SCHOOL", None))
    saved = container.runner.save(partition, [cluster], attempt=1)
    assert saved is not None and len(saved) == 1
    return saved


def names(container: Container, cluster_id: str) -> list[str]:
    reader = container.partitions.open(cluster_id).read_model.registry_reader
    return sorted(s.name for s in reader.subjects(include_inactive=True))


def test_fresh_events_that_come_next_are_projected_without_the_log(
    container: Container, cluster: ClusterInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    partition = container.partitions.open(cluster.id)
    fresh = admit(container, cluster.id, "School One")
    assert fresh[0].position == partition.log.head()

    def no_log_read(*_: object, **__: object) -> None:
        raise AssertionError("the log was read")

    monkeypatch.setattr(type(partition.log), "read", no_log_read)
    reached = container.sync.settle(partition, fresh)
    assert reached == fresh[-1].position
    assert "School One" in names(container, cluster.id)


def test_fresh_events_behind_others_are_projected_from_the_log_with_the_others(
    container: Container, cluster: ClusterInfo
) -> None:
    partition = container.partitions.open(cluster.id)
    admit(container, cluster.id, "School One")  # saved, not projected
    fresh = admit(container, cluster.id, "School Two")
    reached = container.sync.settle(partition, fresh)
    assert reached == partition.log.head() == fresh[-1].position
    assert {"School One", "School Two"} <= set(names(container, cluster.id))


def test_a_fresh_view_equals_a_rebuilt_one(container: Container, cluster: ClusterInfo) -> None:
    partition = container.partitions.open(cluster.id)
    for n in range(3):
        container.sync.settle(partition, admit(container, cluster.id, f"School {n}"))
    live = names(container, cluster.id)
    partition.read_model.reset()
    container.sync.settle(partition)
    assert names(container, cluster.id) == live


def test_a_pass_after_one_of_this_process_starts_from_where_that_one_left(
    container: Container, cluster: ClusterInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    partition = container.partitions.open(cluster.id)
    container.sync.settle(partition, admit(container, cluster.id, "School One"))
    read_model = partition.read_model

    def no_positions_read() -> dict[str, int]:
        raise AssertionError("the positions were read")

    monkeypatch.setattr(read_model, "positions", no_positions_read)
    fresh = admit(container, cluster.id, "School Two")
    assert container.sync.settle(partition, fresh) == fresh[-1].position
    monkeypatch.undo()
    assert set(read_model.positions().values()) == {fresh[-1].position}
    assert "School Two" in names(container, cluster.id)
