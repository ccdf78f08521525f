"""Registry commands on the fakes: founding, admitting and withdrawing subjects,
members and their roles, and what each refusal says (and that it records nothing)."""

from __future__ import annotations

import uuid

import pytest
from fast_world import FastWorld, empty_world, refused

from domain.cluster import (
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.errors import DomainError
from services.principal import Principal


def test_the_founding_operator_is_the_first_coordinator() -> None:
    w = empty_world()
    founded = w.registry.found_cluster(
        w.operator, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    )
    assert (founded.name, founded.region, founded.form, founded.position) == (
        "Tomsk cluster",
        "Tomsk",
        "GEOGRAPHIC",
        2,  # ClusterFounded, then MemberAdded: both projected before the answer
    )
    member_id = w.directory.member_of(w.operator.person_id, founded.id)
    scope = w.queries.scope(w.operator, founded.id)
    [coordinator] = scope.members()
    assert (coordinator.id, coordinator.name, coordinator.roles) == (
        member_id,
        "Olga Operator",
        ("COORDINATOR",),
    )
    assert [type(e).__name__ for e in _events(w, founded.id)] == ["ClusterFounded", "MemberAdded"]


def test_only_an_operator_founds_a_cluster() -> None:
    w = empty_world()
    person = Principal("someone", "Someone", None, False)
    with pytest.raises(DomainError) as caught:
        w.registry.found_cluster(person, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    assert caught.value.code == "FORBIDDEN"
    assert w.directory.cluster_ids() == []


def test_admitted_subjects_are_listed_in_order_and_make_the_continuity(world: FastWorld) -> None:
    scope = world.queries.scope(world.ivan, world.cluster_id)
    assert [(s.name, s.kind, s.region) for s in scope.subjects()] == [
        ("School 5", "SCHOOL", "Tomsk"),
        ("Tomsk College", "COLLEGE", None),
    ]
    continuity = scope.continuity()
    assert "SCHOOL" not in continuity.gaps and "COLLEGE" not in continuity.gaps
    assert continuity.gaps == ("PRESCHOOL", "UNIVERSITY", "RESEARCH_INSTITUTE", "ENTERPRISE")


@pytest.mark.parametrize(
    ("name", "kind", "field"),
    [("School 6", "CIRCUS", "kind"), ("  ", "SCHOOL", "name")],
)
def test_a_bad_subject_is_bad_user_input(
    world: FastWorld, name: str, kind: str, field: str
) -> None:
    w = world
    refused(
        w,
        lambda: w.registry.admit_subject(
            w.operator, w.cluster_id, SubjectAdmission(name, kind, None)
        ),
        "BAD_USER_INPUT",
        field,
    )


def test_only_a_coordinator_admits_withdraws_and_adds_members(world: FastWorld) -> None:
    w = world
    for who in (w.ivan, w.anna):
        refused(
            w,
            lambda p=who: (
                w.registry.admit_subject(
                    p, w.cluster_id, SubjectAdmission("School 6", "SCHOOL", None)
                ).subject
            ),
            "FORBIDDEN",
        )
        refused(
            w,
            lambda p=who: w.registry.withdraw_subject(p, w.cluster_id, w.school_id).subject,
            "FORBIDDEN",
        )
        refused(
            w,
            lambda p=who: (
                w.registry.add_member(
                    p, w.cluster_id, MemberAddition("X", None, None, ["MEMBER"])
                ).member
            ),
            "FORBIDDEN",
        )


def test_an_outsider_and_an_unknown_cluster_are_not_found(world: FastWorld) -> None:
    w = world
    outsider = Principal("nobody", "Nobody", None, False)
    admit = w.registry.admit_subject
    school = SubjectAdmission("S", "SCHOOL", None)
    refused(w, lambda: admit(outsider, w.cluster_id, school), "NOT_FOUND")
    with pytest.raises(DomainError) as caught:
        admit(w.operator, str(uuid.uuid4()), school)
    assert caught.value.code == "NOT_FOUND"


def test_no_principal_is_unauthenticated(world: FastWorld) -> None:
    w = world
    refused(
        w,
        lambda: w.registry.admit_subject(None, w.cluster_id, SubjectAdmission("S", "SCHOOL", None)),
        "UNAUTHENTICATED",
    )


def test_a_withdrawn_subject_leaves_the_list_and_its_members_only_read(world: FastWorld) -> None:
    w = world
    withdrawn = w.registry.withdraw_subject(w.operator, w.cluster_id, w.college_id).subject
    assert (withdrawn.id, withdrawn.active) == (w.college_id, False)
    scope = w.queries.scope(w.petr, w.cluster_id)  # reading is still allowed
    assert [s.id for s in scope.subjects()] == [w.school_id]
    assert [s.id for s in scope.subjects(include_inactive=True)] == [w.school_id, w.college_id]
    refused(
        w,
        lambda: w.registry.declare_interest(
            w.petr, w.cluster_id, w.college_id, InterestDeclaration("LEGAL", "Law")
        ),
        "FORBIDDEN",
    )
    refused(
        w,
        lambda: w.registry.withdraw_subject(w.operator, w.cluster_id, w.college_id),
        "CONFLICT",
    )


def test_withdrawing_an_unknown_subject_is_not_found(world: FastWorld) -> None:
    w = world
    refused(
        w,
        lambda: w.registry.withdraw_subject(w.operator, w.cluster_id, str(uuid.uuid4())),
        "NOT_FOUND",
    )


def test_a_member_declares_an_interest_for_their_own_subject_only(world: FastWorld) -> None:
    w = world
    w.registry.declare_interest(
        w.ivan, w.cluster_id, w.school_id, InterestDeclaration("SOCIAL", "Teachers")
    )
    subject = w.queries.scope(w.ivan, w.cluster_id).subject(w.school_id)
    assert subject is not None
    assert [(i.kind, i.statement) for i in subject.interests] == [("SOCIAL", "Teachers")]
    refused(
        w,
        lambda: w.registry.declare_interest(
            w.ivan, w.cluster_id, w.college_id, InterestDeclaration("SOCIAL", "X")
        ),
        "FORBIDDEN",
    )


def test_roles_are_granted_and_revoked(world: FastWorld) -> None:
    w = world
    granted = w.registry.grant_role(
        w.operator, w.cluster_id, w.ivan_id, RoleChange("AUDITOR")
    ).member
    assert granted.roles == ("AUDITOR", "MEMBER")
    revoked = w.registry.revoke_role(
        w.operator, w.cluster_id, w.ivan_id, RoleChange("MEMBER")
    ).member
    assert revoked.roles == ("AUDITOR",)
    scope = w.queries.scope(w.operator, w.cluster_id)
    assert {m.name: m.roles for m in scope.members()} == {
        "Olga Operator": ("COORDINATOR",),
        "Ivan": ("AUDITOR",),
        "Petr": ("MEMBER",),
        "Anna": ("AUDITOR",),
    }
    # Ivan is an auditor now: no longer a participant, so he may not act for his subject.
    refused(
        w,
        lambda: w.registry.declare_interest(
            w.ivan, w.cluster_id, w.school_id, InterestDeclaration("SOCIAL", "X")
        ),
        "FORBIDDEN",
    )


def test_a_bad_role_is_bad_user_input_and_an_unknown_member_not_found(world: FastWorld) -> None:
    w = world
    refused(
        w,
        lambda: w.registry.grant_role(w.operator, w.cluster_id, w.ivan_id, RoleChange("KING")),
        "BAD_USER_INPUT",
        "role",
    )
    refused(
        w,
        lambda: w.registry.grant_role(
            w.operator, w.cluster_id, str(uuid.uuid4()), RoleChange("AUDITOR")
        ),
        "NOT_FOUND",
    )


def test_a_member_of_an_unknown_subject_is_refused(world: FastWorld) -> None:
    w = world
    refused(
        w,
        lambda: w.registry.add_member(
            w.operator, w.cluster_id, MemberAddition("Nina", None, str(uuid.uuid4()), ["MEMBER"])
        ),
        "BAD_USER_INPUT",
        "subjectId",
    )


def _events(w: FastWorld, cluster_id: str) -> list[object]:
    partition = w.partitions.open(cluster_id)
    return [partition.app.mapper.to_domain_event(e.stored_event) for e in partition.log.read(0, 99)]
