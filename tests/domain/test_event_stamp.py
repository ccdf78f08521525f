"""Every event carries the stamp of domain.stamp.stamped: who, where, which request."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

from domain.base import STAMP_FIELDS
from domain.cluster import (
    Cluster,
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.stamp import Stamp, current_stamp, stamped


def new_id() -> str:
    return str(uuid.uuid4())


def test_every_kind_of_registry_event_carries_the_stamp_in_force() -> None:
    cluster_id = uuid.uuid4()
    stamp = Stamp(str(cluster_id), new_id(), new_id(), "req-42")
    with stamped(stamp):
        cluster = Cluster.found(cluster_id, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
        coordinator, subject, member = new_id(), new_id(), new_id()
        cluster.add_member(coordinator, MemberAddition("Olga", None, None, ["COORDINATOR"]))
        cluster.admit(subject, SubjectAdmission("School 5", "SCHOOL", None))
        cluster.declare_interest(subject, InterestDeclaration("LEGAL", "A charter"))
        cluster.add_member(member, MemberAddition("Ivan", None, subject, ["MEMBER"]))
        cluster.grant(member, RoleChange("AUDITOR"))
        cluster.revoke(member, RoleChange("AUDITOR"))
        cluster.withdraw(subject)
    events = cluster.collect_events()
    assert len({type(e).__name__ for e in events}) == 7
    for event in events:
        assert (
            event.cluster_id,
            event.actor_member_id,
            event.actor_subject_id,
            event.request_id,
        ) == (stamp.cluster_id, stamp.member_id, stamp.subject_id, stamp.request_id)


def test_events_are_timestamped_in_utc() -> None:
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    (event,) = cluster.collect_events()
    assert event.timestamp.utcoffset() == timedelta(0)


def test_outside_a_stamp_the_fields_are_empty_not_stale() -> None:
    with stamped(Stamp("c", "m", "s", "r")):
        pass
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    (event,) = cluster.collect_events()
    assert (event.cluster_id, event.actor_member_id, event.actor_subject_id, event.request_id) == (
        None,
        None,
        None,
        None,
    )


def test_a_nested_stamp_applies_inside_and_the_outer_one_returns_after() -> None:
    outer, inner = Stamp("c", "m-outer", None, "r-1"), Stamp("c", "m-inner", "s", "r-2")
    cluster_id = uuid.uuid4()
    with stamped(outer):
        cluster = Cluster.found(cluster_id, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
        with stamped(inner):
            cluster.add_member(new_id(), MemberAddition("Olga", None, None, ["COORDINATOR"]))
        cluster.admit(new_id(), SubjectAdmission("School 5", "SCHOOL", None))
        assert current_stamp() == outer
    assert current_stamp() == Stamp()
    founded, added, admitted = cluster.collect_events()
    assert founded.actor_member_id == "m-outer"
    assert (added.actor_member_id, added.request_id) == ("m-inner", "r-2")
    assert (admitted.actor_member_id, admitted.request_id) == ("m-outer", "r-1")


def test_a_stamp_in_one_thread_does_not_leak_into_another() -> None:
    seen: list[Stamp] = []
    with stamped(Stamp("c", "m", "s", "r")):
        worker = threading.Thread(target=lambda: seen.append(current_stamp()))
        worker.start()
        worker.join()
    assert seen == [Stamp()]


def test_the_stamp_is_not_part_of_the_constructor_or_the_fact() -> None:
    # The stamp fields are init=False: a command cannot pass the actor by hand.
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    (event,) = cluster.collect_events()
    fact = {k for k in vars(event) if k not in STAMP_FIELDS}
    assert fact == {"name", "region", "form"}
    assert {"cluster_id", "actor_member_id", "actor_subject_id", "request_id"} <= set(vars(event))
