"""A person's own export, on both backends: everything held about them in every
cluster they belong to, and nothing of anyone else."""

from __future__ import annotations

import json
from typing import Any

import pytest

from domain.errors import InvalidInput, NotFound
from infra.oidc.identities import SqlIdentityLinks
from services.personal_data import PersonalDataService


def export_of(world: Any, person_id: str, **kwargs: Any) -> dict[str, Any]:
    return world.container.personal_data.of_person(person_id, **kwargs)


def test_a_person_in_two_clusters_gets_both_with_roles_identities_and_own_events(
    world: Any,
) -> None:
    container, coordinator = world.container, world.coordinator
    other = container.registry.found_cluster(coordinator, "Altai cluster", "Altai", "GEOGRAPHIC")
    container.registry.admit_subject(coordinator, other.id, "Altai School 1", "SCHOOL", None)
    SqlIdentityLinks(container.directory.engine).link_identity(
        "https://idp.example", "olga-sub-1", coordinator.person_id
    )

    exported = export_of(world, coordinator.person_id)

    assert exported["person"] == {
        "id": coordinator.person_id,
        "name": "Olga Operator",
        "email": "olga@ops.example",
    }
    assert exported["identities"] == [{"issuer": "https://idp.example", "subject": "olga-sub-1"}]
    assert exported["complete"] is True
    by_cluster = {m["clusterId"]: m for m in exported["memberships"]}
    assert set(by_cluster) == {world.cluster_id, other.id}
    here, there = by_cluster[world.cluster_id], by_cluster[other.id]
    assert here["memberId"] == world.coordinator_id
    assert here["member"]["roles"] == ["COORDINATOR"]
    assert here["clusterName"] == "Tomsk cluster" and there["clusterName"] == "Altai cluster"
    assert [e["type"] for e in there["events"]] == [
        "ClusterFounded",
        "MemberAdded",
        "SubjectAdmitted",
    ]
    assert there["readUpTo"] == container.partitions.open(other.id).log.head()
    # Their own MemberAdded is about them and carries their own name, as stored.
    own = next(e for e in here["events"] if e["type"] == "MemberAdded" and e["about"])
    assert own["data"]["name"] == "Olga Operator"
    positions = [e["position"] for e in here["events"]]
    assert positions == sorted(positions)


def test_events_the_person_acted_in_about_others_name_them_by_id_only(world: Any) -> None:
    exported = json.dumps(export_of(world, world.coordinator.person_id))
    here = json.loads(exported)["memberships"][0]
    added = [e for e in here["events"] if e["type"] == "MemberAdded" and not e["about"]]
    assert {e["data"]["member_id"] for e in added} == {world.ivan_id, world.petr_id, world.anna_id}
    assert all("name" not in e["data"] and "email" not in e["data"] for e in added)
    for someone_else in ("Ivan", "ivan@school5.ru", "Petr", "Anna"):
        assert someone_else not in exported


def test_a_member_gets_their_own_events_and_nothing_of_another_person_or_cluster(
    world: Any,
) -> None:
    container = world.container
    container.registry.declare_interest(
        world.ivan, world.cluster_id, world.school_id, "SOCIAL", "Practice places for students"
    )
    container.registry.declare_interest(
        world.petr, world.cluster_id, world.college_id, "LEGAL", "Petr's college statute"
    )
    elsewhere = container.registry.found_cluster(
        world.coordinator, "Altai cluster", "Altai", "GEOGRAPHIC"
    )

    exported = export_of(world, world.ivan.person_id)

    [membership] = exported["memberships"]
    assert membership["clusterId"] == world.cluster_id
    assert membership["member"] == {
        "name": "Ivan",
        "email": "ivan@school5.ru",
        "subjectId": world.school_id,
        "roles": ["MEMBER"],
    }
    events = membership["events"]
    assert [(e["type"], e["actedBy"], e["about"]) for e in events] == [
        ("MemberAdded", False, True),
        ("InterestDeclared", True, False),
    ]
    assert events[1]["data"]["statement"] == "Practice places for students"
    text = json.dumps(exported)
    for foreign in ("Petr's college statute", "Olga Operator", "olga@ops.example", elsewhere.id):
        assert foreign not in text


def test_the_cap_stops_the_export_and_says_how_far_it_read(world: Any) -> None:
    exported = export_of(world, world.coordinator.person_id, events_max=2)
    [membership] = exported["memberships"]
    assert len(membership["events"]) == 2
    assert exported["complete"] is False and membership["eventsComplete"] is False
    assert membership["readUpTo"] == membership["events"][-1]["position"]
    assert exported["eventsMax"] == 2


def test_the_cap_is_shared_by_every_cluster_of_the_person(world: Any) -> None:
    world.container.registry.found_cluster(world.coordinator, "Altai", "Altai", "GEOGRAPHIC")
    first = export_of(world, world.coordinator.person_id)["memberships"][0]
    exported = export_of(world, world.coordinator.person_id, events_max=len(first["events"]))
    assert [m["eventsComplete"] for m in exported["memberships"]] == [True, False]
    assert exported["memberships"][1]["events"] == []
    assert exported["memberships"][1]["readUpTo"] == 0


def test_the_caller_export_is_the_caller_own(world: Any) -> None:
    service: PersonalDataService = world.container.personal_data
    assert service.of_caller(world.petr)["memberships"][0]["memberId"] == world.petr_id
    assert service.of_caller(world.petr)["person"]["id"] == world.petr.person_id


@pytest.mark.parametrize("person_id", ["no-such-person", "7f3a0e4e-0000-4000-8000-000000000000"])
def test_an_unknown_person_is_not_found(world: Any, person_id: str) -> None:
    with pytest.raises(NotFound):
        export_of(world, person_id)


@pytest.mark.parametrize(("person_id", "cap"), [("  ", 10), ("x", 0), ("x", 10**7)])
def test_a_blank_id_or_a_cap_out_of_range_is_bad_input(
    world: Any, person_id: str, cap: int
) -> None:
    with pytest.raises(InvalidInput):
        export_of(world, person_id, events_max=cap)
