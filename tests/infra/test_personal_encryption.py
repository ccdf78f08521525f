"""Personal fields are sealed per member in the log and open in every view."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from store_support import close_container, make_container, member_added

from domain.cluster import ClusterFounding, MemberAddition
from infra.bootstrap import Container
from services.dto import ClusterInfo
from services.personal_mapper import SEALED
from services.ports.person_keys import PersonKeyUnavailable
from services.principal import Principal


def member_events(container: Container, cluster_id: str) -> list[bytes]:
    partition = container.partitions.open(cluster_id)
    return [
        entry.stored_event.state
        for entry in partition.log.read(0, 1000)
        if entry.stored_event.topic.endswith("MemberAdded")
    ]


def test_names_and_emails_are_sealed_in_the_log_and_open_in_views(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    registry = container.registry
    one = registry.add_member(
        operator,
        cluster.id,
        MemberAddition("Zinaida Vorobyova", "zina@school.example", None, ["MEMBER"]),
    ).member
    two = registry.add_member(
        operator, cluster.id, MemberAddition("Zinaida Vorobyova", None, None, ["MEMBER"])
    ).member
    states = member_events(container, cluster.id)
    assert len(states) == 3  # the founding coordinator and the two
    for state in states:
        assert SEALED.encode() in state
        assert b"Zinaida" not in state and b"zina@" not in state
        assert b"Olga" not in state  # the coordinator's name, too
    # equal names of two people: different bytes
    assert states[1].split(b'"name"')[1][:80] != states[2].split(b'"name"')[1][:80]
    scope = container.queries.scope(operator, cluster.id)
    names = {m.id: (m.name, m.email) for m in scope.members()}
    assert names[one.id] == ("Zinaida Vorobyova", "zina@school.example")
    assert names[two.id] == ("Zinaida Vorobyova", None)
    # replayed from the log (as of a position), the values open too
    past = container.queries.scope(operator, cluster.id, as_of=cluster.position + 1)
    assert {m.name for m in past.members()} == {"Olga Operator", "Zinaida Vorobyova"}


def test_the_same_value_sealed_twice_gives_different_bytes(
    container: Container, operator: Principal, cluster: ClusterInfo
) -> None:
    member = container.registry.add_member(
        operator, cluster.id, MemberAddition("Pavel Ognev", None, None, ["MEMBER"])
    ).member
    partition = container.partitions.open(cluster.id)
    stored = member_added(partition)
    event = partition.app.mapper.to_domain_event(stored)
    first = partition.app.mapper.to_stored_event(event).state
    again = partition.app.mapper.to_stored_event(event).state
    assert first != again
    assert partition.app.mapper.to_domain_event(stored).name == event.name
    assert member.name == "Pavel Ognev"


def test_a_missing_key_is_a_fault_not_an_erasure(tmp_path: Path, operator: Principal) -> None:
    data = tmp_path / "data"
    container = make_container(data)
    cluster = container.registry.found_cluster(
        operator, ClusterFounding("Keys", "Tomsk", "GEOGRAPHIC")
    )
    with container.directory.engine.begin() as conn:
        conn.execute(text("DELETE FROM dir_person_key"))
    close_container(container)
    reopened = make_container(data)  # nothing remembered: the key is read again
    try:
        partition = reopened.partitions.open(cluster.id)
        stored = member_added(partition)
        with pytest.raises(PersonKeyUnavailable, match="missing"):
            partition.app.mapper.to_domain_event(stored)
    finally:
        close_container(reopened)


def test_another_secret_key_does_not_open_the_keys(tmp_path: Path, operator: Principal) -> None:
    data = tmp_path / "data"
    container = make_container(data)
    cluster = container.registry.found_cluster(
        operator, ClusterFounding("Keys", "Tomsk", "GEOGRAPHIC")
    )
    close_container(container)
    (data / "secret-key").unlink()  # a lost key: the next start makes another
    reopened = make_container(data)
    try:
        partition = reopened.partitions.open(cluster.id)
        stored = member_added(partition)
        with pytest.raises(PersonKeyUnavailable, match="another secret key"):
            partition.app.mapper.to_domain_event(stored)
    finally:
        close_container(reopened)
