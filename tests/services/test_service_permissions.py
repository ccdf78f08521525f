"""The permission table of docs/architecture.md, command by command, on both backends.

| command                                    | COORDINATOR | MEMBER           | AUDITOR   |
|--------------------------------------------|-------------|------------------|-----------|
| admit/withdraw subject, addMember, roles   | yes         | FORBIDDEN        | FORBIDDEN |
| declareInterest                            | any subject | own subject only | FORBIDDEN |
| read the cluster's views and events        | yes         | yes              | yes       |

A refused command records nothing: the log head stays where it was.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.cluster import (
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.errors import Forbidden, NotFound, Unauthenticated
from services.principal import Principal

Command = Callable[[Any, Principal], Any]

# Each administrative command, as `world, principal -> call`.
ADMIN_COMMANDS: dict[str, Command] = {
    "admitSubject": lambda w, p: (
        w.container.registry.admit_subject(
            p, w.cluster_id, SubjectAdmission("Kindergarten 3", "PRESCHOOL", None)
        ).subject
    ),
    "withdrawSubject": lambda w, p: (
        w.container.registry.withdraw_subject(p, w.cluster_id, w.college_id).subject
    ),
    "addMember": lambda w, p: (
        w.container.registry.add_member(
            p, w.cluster_id, MemberAddition("Maria", None, w.school_id, ["MEMBER"])
        ).member
    ),
    "grantRole": lambda w, p: (
        w.container.registry.grant_role(p, w.cluster_id, w.petr_id, RoleChange("AUDITOR")).member
    ),
    "revokeRole": lambda w, p: (
        w.container.registry.revoke_role(p, w.cluster_id, w.petr_id, RoleChange("MEMBER")).member
    ),
}


def declare(world, principal: Principal, subject_id: str, text: str = "Graduates stay"):
    return world.container.registry.declare_interest(
        principal, world.cluster_id, subject_id, InterestDeclaration("SOCIAL", text)
    ).subject


def test_only_coordinators_administer_the_registry(world, subtests: pytest.Subtests) -> None:
    # One world for every refusal (each its own subtest): a refused command records nothing.
    head = world.head()
    for role in ("MEMBER", "AUDITOR"):
        for command in sorted(ADMIN_COMMANDS):
            with subtests.test(role=role, command=command):
                with pytest.raises(Forbidden) as caught:
                    ADMIN_COMMANDS[command](world, world.principal(role))
                assert caught.value.code == "FORBIDDEN"
                assert world.head() == head


@pytest.mark.parametrize("command", sorted(ADMIN_COMMANDS))
def test_a_coordinator_administers_the_registry_and_each_command_records_one_event(
    world, command: str
) -> None:
    head = world.head()
    ADMIN_COMMANDS[command](world, world.coordinator)
    assert world.head() == head + 1


def test_a_member_declares_interests_for_their_own_subject(world) -> None:
    head = world.head()
    subject = declare(world, world.ivan, world.school_id, "Graduates stay in the region")
    assert [(i.kind, i.statement) for i in subject.interests] == [
        ("SOCIAL", "Graduates stay in the region")
    ]
    assert world.head() == head + 1


def test_a_member_may_not_declare_interests_for_another_subject(world) -> None:
    head = world.head()
    with pytest.raises(Forbidden):
        declare(world, world.ivan, world.college_id)
    assert world.head() == head
    scope = world.container.queries.scope(world.coordinator, world.cluster_id)
    assert scope.subject(world.college_id).interests == ()


def test_an_auditor_may_not_declare_interests(world) -> None:
    head = world.head()
    for subject_id in (world.school_id, world.college_id):
        with pytest.raises(Forbidden):
            declare(world, world.anna, subject_id)
    assert world.head() == head


def test_a_coordinator_declares_interests_for_any_subject(world) -> None:
    declare(world, world.coordinator, world.school_id, "One")
    declare(world, world.coordinator, world.college_id, "Two")
    scope = world.container.queries.scope(world.petr, world.cluster_id)
    statements = {s.id: [i.statement for i in s.interests] for s in scope.subjects()}
    assert statements == {world.school_id: ["One"], world.college_id: ["Two"]}


def test_declaring_for_an_unknown_subject_is_not_found_even_for_a_member(world) -> None:
    head = world.head()
    with pytest.raises(NotFound):
        declare(world, world.ivan, "00000000-0000-4000-8000-000000000000")
    assert world.head() == head


def test_a_withdrawn_subject_cannot_declare_interests(world) -> None:
    world.container.registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    head = world.head()
    with pytest.raises(Forbidden) as caught:
        declare(world, world.ivan, world.school_id)
    assert "withdrawn" in caught.value.message
    assert world.head() == head


def test_a_member_of_a_withdrawn_subject_can_still_read(world) -> None:
    world.container.registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    assert scope.actor.subject_active is False
    assert [s.id for s in scope.subjects()] == [world.college_id]
    assert scope.subject(world.school_id).active is False
    assert scope.events(first=500).events[-1].type == "SubjectWithdrawn"


def test_a_coordinator_acting_for_a_withdrawn_subject_keeps_read_access_only(world) -> None:
    registry = world.container.registry
    registry.grant_role(
        world.coordinator, world.cluster_id, world.ivan_id, RoleChange("COORDINATOR")
    )
    registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    head = world.head()
    with pytest.raises(Forbidden):
        ADMIN_COMMANDS["admitSubject"](world, world.ivan)
    assert world.head() == head
    assert world.container.queries.scope(world.ivan, world.cluster_id).info.position == head


def test_every_role_reads_the_cluster(world, subtests: pytest.Subtests) -> None:
    for role in ("COORDINATOR", "MEMBER", "AUDITOR"):
        with subtests.test(role=role):
            scope = world.container.queries.scope(world.principal(role), world.cluster_id)
            assert scope.info.id == world.cluster_id
            assert scope.info.position == world.head()
            assert {s.id for s in scope.subjects()} == {world.school_id, world.college_id}
            assert {m.id for m in scope.members()} == {
                world.coordinator_id,
                world.ivan_id,
                world.petr_id,
                world.anna_id,
            }


def test_people_who_are_not_members_get_not_found_for_reads_and_commands(world, outsider) -> None:
    head = world.head()
    with pytest.raises(NotFound):
        world.container.queries.scope(outsider, world.cluster_id)
    for command in ADMIN_COMMANDS.values():
        with pytest.raises(NotFound):
            command(world, outsider)
    with pytest.raises(NotFound):
        declare(world, outsider, world.school_id)
    assert world.head() == head


def test_an_operator_who_is_not_a_member_gets_not_found_too(world) -> None:
    stranger = Principal("another-operator", "Oleg", None, operator=True)
    with pytest.raises(NotFound):
        world.container.queries.scope(stranger, world.cluster_id)
    with pytest.raises(NotFound):
        ADMIN_COMMANDS["admitSubject"](world, stranger)


def test_without_a_principal_everything_is_unauthenticated(world) -> None:
    head = world.head()
    with pytest.raises(Unauthenticated):
        world.container.queries.scope(None, world.cluster_id)
    with pytest.raises(Unauthenticated):
        world.container.queries.viewer(None)
    with pytest.raises(Unauthenticated):
        ADMIN_COMMANDS["admitSubject"](world, None)
    with pytest.raises(Forbidden):
        world.container.registry.found_cluster(None, ClusterFounding("X", "Y", "GEOGRAPHIC"))
    assert world.head() == head


def test_only_platform_operators_found_clusters(container, world) -> None:
    same_person_without_the_claim = Principal(world.coordinator.person_id, "Olga", None, False)
    for principal in (same_person_without_the_claim, world.ivan):
        with pytest.raises(Forbidden):
            container.registry.found_cluster(
                principal, ClusterFounding("Another", "Omsk", "GEOGRAPHIC")
            )
    assert len(container.directory.cluster_ids()) == 1


def test_a_member_stripped_of_every_role_no_longer_sees_the_cluster(world) -> None:
    world.container.registry.revoke_role(
        world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER")
    )
    with pytest.raises(NotFound):
        world.container.queries.scope(world.petr, world.cluster_id)
    with pytest.raises(NotFound):
        declare(world, world.petr, world.college_id)


def test_an_open_stream_asks_the_read_rule_again_and_learns_forbidden(world) -> None:
    """check_still_follows (for clusterEvents) uses the rule of scope, and a
    withdrawn subject's members stop following; a caller who was shown the
    cluster learns FORBIDDEN, not NOT_FOUND, once it is gone."""
    queries, registry = world.container.queries, world.container.registry
    for reader in (world.ivan, world.petr, world.anna, world.coordinator):
        queries.check_still_follows(reader, world.cluster_id)
    registry.withdraw_subject(world.coordinator, world.cluster_id, world.school_id)
    queries.scope(world.ivan, world.cluster_id)  # read access stays
    with pytest.raises(Forbidden) as withdrawn:
        queries.check_still_follows(world.ivan, world.cluster_id)
    assert "withdrawn" in withdrawn.value.message
    registry.revoke_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER"))
    with pytest.raises(Forbidden) as caught:
        queries.check_still_follows(world.petr, world.cluster_id)
    assert caught.value.code == "FORBIDDEN"
    with pytest.raises(Unauthenticated):
        queries.check_still_follows(None, world.cluster_id)
