"""Malformed or unknown ids and bad input: always a domain error with a contract
code (NOT_FOUND or BAD_USER_INPUT), never another exception, never an event."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from domain.cluster import InterestDeclaration, MemberAddition, RoleChange, SubjectAdmission
from domain.errors import Conflict, DomainError, InvalidInput, NotFound

MALFORMED_IDS = [
    "",
    " ",
    "not-a-uuid",
    "123",
    "0" * 33,
    "'; DROP TABLE stored_events; --",
    "тест",
    "\x00",
    "g" * 36,
    "00000000-0000-0000-0000-00000000000Z",
]


def expect_code(call, *codes: str) -> DomainError:
    """The call fails with a domain error carrying one of ``codes``."""
    try:
        call()
    except DomainError as error:
        assert error.code in codes, f"{type(error).__name__}: {error}"
        return error
    except Exception as error:  # the point: anything else escaping
        pytest.fail(f"{type(error).__name__} escaped instead of a domain error: {error!r}")
    pytest.fail("the call succeeded")


def each_malformed_id(subtests: pytest.Subtests, check: Callable[[str], None]) -> None:
    """``check`` of every malformed id, each its own subtest, all in one world: none
    of them may record anything, so they need no world of their own."""
    for bad in MALFORMED_IDS:
        with subtests.test(bad=bad):
            check(bad)


def test_a_malformed_cluster_id_is_not_found_for_reads_and_commands(
    world, subtests: pytest.Subtests
) -> None:
    each_malformed_id(subtests, lambda bad: malformed_cluster_id_is_not_found(world, bad))


def malformed_cluster_id_is_not_found(world, bad: str) -> None:
    registry, queries = world.container.registry, world.container.queries
    head = world.head()
    for call in (
        lambda: queries.scope(world.coordinator, bad),
        lambda: registry.admit_subject(
            world.coordinator, bad, SubjectAdmission("School 9", "SCHOOL", None)
        ),
        lambda: registry.withdraw_subject(world.coordinator, bad, world.school_id),
        lambda: registry.declare_interest(
            world.coordinator, bad, world.school_id, InterestDeclaration("LEGAL", "x")
        ),
        lambda: registry.add_member(
            world.coordinator, bad, MemberAddition("Maria", None, None, ["AUDITOR"])
        ),
        lambda: registry.grant_role(world.coordinator, bad, world.ivan_id, RoleChange("AUDITOR")),
        lambda: registry.revoke_role(world.coordinator, bad, world.ivan_id, RoleChange("MEMBER")),
    ):
        expect_code(call, "NOT_FOUND")
    assert world.head() == head


def test_an_unknown_cluster_id_is_not_found(world) -> None:
    unknown = str(uuid.uuid4())
    expect_code(lambda: world.container.queries.scope(world.coordinator, unknown), "NOT_FOUND")
    expect_code(
        lambda: world.container.registry.admit_subject(
            world.coordinator, unknown, SubjectAdmission("S", "SCHOOL", None)
        ),
        "NOT_FOUND",
    )


def test_the_cluster_id_may_be_written_in_any_uuid_spelling(world) -> None:
    spelled = world.cluster_id.upper().replace("-", "")
    assert world.container.queries.scope(world.ivan, spelled).info.id == world.cluster_id


def test_malformed_target_ids_are_not_found_and_a_malformed_reference_is_bad_input(
    world, subtests: pytest.Subtests
) -> None:
    each_malformed_id(subtests, lambda bad: malformed_target_ids_are_not_found(world, bad))


def malformed_target_ids_are_not_found(world, bad: str) -> None:
    registry, c, op = world.container.registry, world.cluster_id, world.coordinator
    head = world.head()
    expect_code(lambda: registry.withdraw_subject(op, c, bad), "NOT_FOUND")
    expect_code(
        lambda: registry.declare_interest(op, c, bad, InterestDeclaration("LEGAL", "x")),
        "NOT_FOUND",
    )
    expect_code(
        lambda: registry.declare_interest(world.ivan, c, bad, InterestDeclaration("LEGAL", "x")),
        "NOT_FOUND",
    )
    expect_code(lambda: registry.grant_role(op, c, bad, RoleChange("AUDITOR")), "NOT_FOUND")
    expect_code(lambda: registry.revoke_role(op, c, bad, RoleChange("MEMBER")), "NOT_FOUND")
    error = expect_code(
        lambda: registry.add_member(op, c, MemberAddition("Maria", None, bad, ["MEMBER"])),
        "BAD_USER_INPUT",
    )
    assert error.field == "subjectId"
    assert world.head() == head


def test_a_malformed_aggregate_id_filter_is_bad_input(world, subtests: pytest.Subtests) -> None:
    scope = world.container.queries.scope(world.anna, world.cluster_id)

    def check(bad: str) -> None:
        error = expect_code(lambda: scope.events(aggregate_id=bad), "BAD_USER_INPUT")
        assert error.field == "aggregateId"

    each_malformed_id(subtests, check)


def test_well_formed_but_unknown_targets_are_not_found(world) -> None:
    registry, c, op, unknown = (
        world.container.registry,
        world.cluster_id,
        world.coordinator,
        str(uuid.uuid4()),
    )
    head = world.head()
    for call in (
        lambda: registry.withdraw_subject(op, c, unknown),
        lambda: registry.declare_interest(op, c, unknown, InterestDeclaration("LEGAL", "x")),
        lambda: registry.grant_role(op, c, unknown, RoleChange("AUDITOR")),
        lambda: registry.revoke_role(op, c, unknown, RoleChange("MEMBER")),
    ):
        expect_code(call, "NOT_FOUND")
    error = expect_code(
        lambda: registry.add_member(op, c, MemberAddition("Maria", None, unknown, ["MEMBER"])),
        "BAD_USER_INPUT",
    )
    assert error.field == "subjectId"
    assert world.head() == head


def test_refused_input_names_the_field_and_records_nothing(world) -> None:
    registry, c, op = world.container.registry, world.cluster_id, world.coordinator
    head = world.head()
    cases = [
        (lambda: registry.admit_subject(op, c, SubjectAdmission("  ", "SCHOOL", None)), "name"),
        (
            lambda: registry.admit_subject(op, c, SubjectAdmission("School 9", "GYMNASIUM", None)),
            "kind",
        ),
        (
            lambda: registry.admit_subject(
                op, c, SubjectAdmission("School 9", "SCHOOL", "r" * 201)
            ),
            "region",
        ),
        (
            lambda: registry.declare_interest(
                op, c, world.school_id, InterestDeclaration("POLITICAL", "x")
            ),
            "kind",
        ),
        (
            lambda: registry.declare_interest(
                op, c, world.school_id, InterestDeclaration("LEGAL", "")
            ),
            "statement",
        ),
        (lambda: registry.add_member(op, c, MemberAddition("", None, None, ["AUDITOR"])), "name"),
        (
            lambda: registry.add_member(op, c, MemberAddition("Maria", "maria", None, ["AUDITOR"])),
            "email",
        ),
        (lambda: registry.add_member(op, c, MemberAddition("Maria", None, None, [])), "roles"),
        (
            lambda: registry.add_member(op, c, MemberAddition("Maria", None, None, ["OWNER"])),
            "roles",
        ),
        (lambda: registry.grant_role(op, c, world.ivan_id, RoleChange("OWNER")), "role"),
    ]
    for call, field in cases:
        error = expect_code(call, "BAD_USER_INPUT")
        assert error.field == field, (field, error)
    assert world.head() == head


def test_conflicts_record_nothing(world) -> None:
    registry, c, op = world.container.registry, world.cluster_id, world.coordinator
    registry.withdraw_subject(op, c, world.college_id)
    head = world.head()
    with pytest.raises(Conflict):
        registry.withdraw_subject(op, c, world.college_id)
    with pytest.raises(Conflict):
        registry.revoke_role(op, c, world.coordinator_id, RoleChange("COORDINATOR"))
    assert world.head() == head


def test_granting_a_held_role_and_revoking_a_missing_one_record_nothing(world) -> None:
    registry, c, op = world.container.registry, world.cluster_id, world.coordinator
    head = world.head()
    assert registry.grant_role(op, c, world.ivan_id, RoleChange("MEMBER")).member.roles == (
        "MEMBER",
    )
    assert registry.revoke_role(op, c, world.ivan_id, RoleChange("AUDITOR")).member.roles == (
        "MEMBER",
    )
    assert world.head() == head


def test_events_paging_input_is_checked(world) -> None:
    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    for first in (0, -1, 501, 10**9):
        assert expect_code(lambda f=first: scope.events(first=f), "BAD_USER_INPUT").field == "first"
    assert expect_code(lambda: scope.events(after=-1), "BAD_USER_INPUT").field == "after"
    too_many = [f"Type{i}" for i in range(51)]
    assert expect_code(lambda: scope.events(types=too_many), "BAD_USER_INPUT").field == "types"
    assert len(scope.events(first=1).events) == 1
    assert len(scope.events(first=500).events) == world.head()


def test_invalid_input_is_invalid_input_not_a_subclass_surprise() -> None:
    # The codes the API maps are fixed by the contract.
    assert (InvalidInput.code, NotFound.code, Conflict.code) == (
        "BAD_USER_INPUT",
        "NOT_FOUND",
        "CONFLICT",
    )
