"""Tenants are isolated: one cluster's people, events and positions never reach another."""

from __future__ import annotations

import uuid

import pytest

from domain.cluster import ClusterFounding, InterestDeclaration, MemberAddition, SubjectAdmission
from domain.errors import NotFound
from services.chain import genesis
from services.principal import Principal


@pytest.fixture
def other(world):
    """Cluster B, founded by another operator, with one subject."""
    founder = Principal(f"op-b-{uuid.uuid4().hex[:8]}", "Boris", None, True)
    info = world.container.registry.found_cluster(
        founder, ClusterFounding("Omsk cluster", "Omsk", "HORIZONTAL")
    )
    world.container.registry.admit_subject(
        founder, info.id, SubjectAdmission("Omsk school", "SCHOOL", None)
    )
    return founder, info.id


def test_members_of_one_cluster_get_not_found_for_another(world, other) -> None:
    _, b = other
    b_log = world.container.partitions.open(b).log
    head = b_log.head()
    for person in (world.coordinator, world.ivan, world.anna):
        with pytest.raises(NotFound):
            world.container.queries.scope(person, b)
        with pytest.raises(NotFound):
            world.container.registry.admit_subject(
                person, b, SubjectAdmission("Intruder", "SCHOOL", None)
            )
    assert b_log.head() == head


def test_the_error_for_a_foreign_cluster_is_the_same_as_for_a_missing_one(world, other) -> None:
    _, b = other
    missing = str(uuid.uuid4())
    errors = []
    for cluster_id in (b, missing):
        with pytest.raises(NotFound) as caught:
            world.container.queries.scope(world.ivan, cluster_id)
        errors.append(caught.value.message.replace(cluster_id, "<id>"))
    assert errors[0] == errors[1]


def test_each_cluster_has_its_own_log_from_position_one(world, other) -> None:
    founder, b = other
    a_head = world.head()
    world.container.registry.withdraw_subject(founder, b, _subject_of(world, founder, b))
    b_entries = world.container.partitions.open(b).log.read(0, 100)
    assert [e.position for e in b_entries] == [1, 2, 3, 4]
    assert [e.type for e in b_entries] == [
        "ClusterFounded",
        "MemberAdded",
        "SubjectAdmitted",
        "SubjectWithdrawn",
    ]
    assert world.head() == a_head  # A's log did not move
    mapper = world.container.partitions.open(b).app.mapper
    assert {mapper.to_domain_event(e.stored_event).cluster_id for e in b_entries} == {b}
    assert {str(mapper.to_domain_event(e.stored_event).originator_id) for e in b_entries} == {b}


def test_each_cluster_has_its_own_hash_chain(world, other) -> None:
    _, b = other
    a_first = world.partition.log.read(0, 1)[0]
    b_first = world.container.partitions.open(b).log.read(0, 1)[0]
    assert genesis(world.cluster_id) != genesis(b)
    assert a_first.position == b_first.position == 1
    assert a_first.hash != b_first.hash


def test_a_directory_link_to_a_member_the_cluster_does_not_have_grants_nothing(
    world, other, member_principal
) -> None:
    _, b = other
    # Ivan's member id is real, but in cluster A; linking it to B must not open B.
    forged = member_principal(world.ivan_id, cluster_id=b)
    with pytest.raises(NotFound):
        world.container.queries.scope(forged, b)
    with pytest.raises(NotFound):
        world.container.registry.admit_subject(
            forged, b, SubjectAdmission("Intruder", "SCHOOL", None)
        )


def test_one_person_in_two_clusters_acts_as_a_different_member_in_each(world, other) -> None:
    founder, b = other
    registry, queries = world.container.registry, world.container.queries
    b_subject = _subject_of(world, founder, b)
    in_b = registry.add_member(
        founder, b, MemberAddition("Ivan", None, b_subject, ["MEMBER"])
    ).member
    world.container.directory.link(world.ivan.person_id, b, in_b.id)
    registry.declare_interest(world.ivan, b, b_subject, InterestDeclaration("LEGAL", "In Omsk"))
    registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    # Withdrawn in A, Ivan still acts in B, and each scope sees its own member.
    assert queries.scope(world.ivan, world.cluster_id).actor.member_id == world.ivan_id
    assert queries.scope(world.ivan, b).actor.member_id == in_b.id
    registry.declare_interest(
        world.ivan, b, b_subject, InterestDeclaration("LEGAL", "Still in Omsk")
    )
    interests = queries.scope(world.ivan, b).subject(b_subject).interests
    assert [(i.kind, i.statement) for i in interests] == [("LEGAL", "Still in Omsk")]
    a_subjects = queries.scope(world.ivan, world.cluster_id).subjects(include_inactive=True)
    assert all(s.interests == () for s in a_subjects)
    memberships = {m.cluster_id: m.member_id for m in queries.viewer(world.ivan).memberships}
    assert memberships == {world.cluster_id: world.ivan_id, b: in_b.id}


def _subject_of(world, founder: Principal, cluster_id: str) -> str:
    (subject,) = world.container.queries.scope(founder, cluster_id).subjects()
    return subject.id
