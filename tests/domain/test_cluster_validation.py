"""The Cluster aggregate refuses malformed input, names the field, and records nothing."""

from __future__ import annotations

import uuid

import pytest

from domain.cluster import (
    Cluster,
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.errors import InvalidInput
from domain.text import EMAIL_MAX, NAME_MAX, REGION_MAX, STATEMENT_MAX
from domain.vocabulary import ClusterForm, InterestKind, Role, SubjectKind

BLANKS = ["", " ", "\t", " \n\t "]
OUTSIDE_VOCABULARY = ["", "school", "KINDERGARTEN", "SCHOOL ", "1"]


def founded() -> Cluster:
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    cluster.add_member(str(uuid.uuid4()), MemberAddition("Olga", None, None, ["COORDINATOR"]))
    cluster.collect_events()
    return cluster


def with_subject() -> tuple[Cluster, str]:
    cluster = founded()
    subject_id = str(uuid.uuid4())
    cluster.admit(subject_id, SubjectAdmission("School 5", "SCHOOL", "Tomsk"))
    cluster.collect_events()
    return cluster, subject_id


def refuses(call, field: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        call()
    assert caught.value.field == field
    assert caught.value.code == "BAD_USER_INPUT"
    return caught.value


@pytest.mark.parametrize("blank", BLANKS)
def test_a_cluster_cannot_be_founded_with_a_blank_name_or_region(blank: str) -> None:
    refuses(
        lambda: Cluster.found(uuid.uuid4(), ClusterFounding(blank, "Tomsk", "GEOGRAPHIC")), "name"
    )
    refuses(
        lambda: Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", blank, "GEOGRAPHIC")),
        "region",
    )


def test_names_may_use_the_whole_limit_but_not_one_character_more() -> None:
    cluster = Cluster.found(
        uuid.uuid4(), ClusterFounding("n" * NAME_MAX, "r" * REGION_MAX, "VERTICAL")
    )
    assert (len(cluster.name), len(cluster.region)) == (NAME_MAX, REGION_MAX)
    refuses(
        lambda: Cluster.found(
            uuid.uuid4(), ClusterFounding("n" * (NAME_MAX + 1), "Tomsk", "VERTICAL")
        ),
        "name",
    )
    refuses(
        lambda: Cluster.found(
            uuid.uuid4(), ClusterFounding("Tomsk", "r" * (REGION_MAX + 1), "VERTICAL")
        ),
        "region",
    )


def test_surrounding_whitespace_is_stripped_before_the_length_is_checked() -> None:
    cluster = Cluster.found(
        uuid.uuid4(), ClusterFounding("  " + "n" * NAME_MAX + "  ", " Tomsk ", "FOCUSED")
    )
    assert cluster.name == "n" * NAME_MAX
    assert cluster.region == "Tomsk"


def test_control_characters_are_refused_in_names() -> None:
    refuses(
        lambda: Cluster.found(
            uuid.uuid4(), ClusterFounding("Tomsk\x00cluster", "Tomsk", "FOCUSED")
        ),
        "name",
    )


@pytest.mark.parametrize("form", OUTSIDE_VOCABULARY)
def test_a_cluster_form_outside_the_vocabulary_is_refused(form: str) -> None:
    error = refuses(
        lambda: Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk", "Tomsk", form)), "form"
    )
    for allowed in ClusterForm:
        assert allowed.value in error.message


@pytest.mark.parametrize("form", [f.value for f in ClusterForm])
def test_every_cluster_form_of_the_paper_is_accepted(form: str) -> None:
    assert Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk", "Tomsk", form)).form is ClusterForm(
        form
    )


@pytest.mark.parametrize("kind", OUTSIDE_VOCABULARY)
def test_a_subject_kind_outside_the_vocabulary_is_refused(kind: str) -> None:
    cluster = founded()
    refuses(
        lambda: cluster.admit(str(uuid.uuid4()), SubjectAdmission("School 5", kind, None)), "kind"
    )
    assert cluster.subjects == {}
    assert cluster.pending_events == []


@pytest.mark.parametrize("kind", [k.value for k in SubjectKind])
def test_every_subject_kind_can_be_admitted(kind: str) -> None:
    cluster, subject_id = founded(), str(uuid.uuid4())
    cluster.admit(subject_id, SubjectAdmission("Institution", kind, None))
    assert cluster.subjects[subject_id].kind is SubjectKind(kind)


@pytest.mark.parametrize("blank", BLANKS)
def test_a_subject_needs_a_name_but_not_a_region(blank: str) -> None:
    cluster = founded()
    refuses(
        lambda: cluster.admit(str(uuid.uuid4()), SubjectAdmission(blank, "SCHOOL", None)), "name"
    )
    subject_id = str(uuid.uuid4())
    cluster.admit(subject_id, SubjectAdmission("School 5", "SCHOOL", blank))
    assert cluster.subjects[subject_id].region is None


@pytest.mark.parametrize("kind", OUTSIDE_VOCABULARY)
def test_an_interest_kind_outside_the_vocabulary_is_refused(kind: str) -> None:
    cluster, subject_id = with_subject()
    refuses(
        lambda: cluster.declare_interest(subject_id, InterestDeclaration(kind, "Graduates stay")),
        "kind",
    )
    assert cluster.subjects[subject_id].interests == {}


def test_an_interest_statement_must_not_be_blank_or_over_long() -> None:
    cluster, subject_id = with_subject()
    refuses(
        lambda: cluster.declare_interest(subject_id, InterestDeclaration("LEGAL", "  ")),
        "statement",
    )
    refuses(
        lambda: cluster.declare_interest(
            subject_id, InterestDeclaration("LEGAL", "s" * (STATEMENT_MAX + 1))
        ),
        "statement",
    )
    cluster.declare_interest(subject_id, InterestDeclaration("LEGAL", "s" * STATEMENT_MAX))
    assert cluster.subjects[subject_id].interests == {InterestKind.LEGAL: "s" * STATEMENT_MAX}


@pytest.mark.parametrize("roles", [[], ["OWNER"], ["MEMBER", "member"], ["ADMIN", "MEMBER"]])
def test_a_member_needs_roles_from_the_vocabulary(roles: list[str]) -> None:
    cluster, subject_id = with_subject()
    refuses(
        lambda: cluster.add_member(
            str(uuid.uuid4()), MemberAddition("Ivan", None, subject_id, roles)
        ),
        "roles",
    )
    assert len(cluster.members) == 1


def test_a_role_granted_or_revoked_must_come_from_the_vocabulary() -> None:
    cluster = founded()
    (member_id,) = cluster.members
    refuses(lambda: cluster.grant(member_id, RoleChange("SUPERUSER")), "role")
    refuses(lambda: cluster.revoke(member_id, RoleChange("coordinator")), "role")
    assert cluster.members[member_id].roles == {Role.COORDINATOR}


@pytest.mark.parametrize(
    "email",
    [
        "ivan",
        "ivan@",
        "@school5.ru",
        "ivan@school5",
        "iv an@school5.ru",
        "a@b.c" + "c" * (EMAIL_MAX - 4),
    ],
)
def test_a_member_email_must_look_like_an_address(email: str) -> None:
    cluster, subject_id = with_subject()
    refuses(
        lambda: cluster.add_member(
            str(uuid.uuid4()), MemberAddition("Ivan", email, subject_id, ["MEMBER"])
        ),
        "email",
    )


def test_a_blank_email_means_no_email() -> None:
    cluster, subject_id = with_subject()
    member_id = str(uuid.uuid4())
    cluster.add_member(member_id, MemberAddition(" Ivan ", "  ", subject_id, ["MEMBER", "MEMBER"]))
    member = cluster.members[member_id]
    assert (member.name, member.email, member.roles) == ("Ivan", None, {Role.MEMBER})


def test_a_refused_command_leaves_the_aggregate_version_and_pending_events_alone() -> None:
    cluster, subject_id = with_subject()
    version = cluster.version
    for call in (
        lambda: cluster.admit(str(uuid.uuid4()), SubjectAdmission("", "SCHOOL", None)),
        lambda: cluster.declare_interest(subject_id, InterestDeclaration("POLITICAL", "x")),
        lambda: cluster.add_member(
            str(uuid.uuid4()), MemberAddition("Ivan", "nope", subject_id, ["MEMBER"])
        ),
        lambda: cluster.grant(next(iter(cluster.members)), RoleChange("GOD")),
    ):
        with pytest.raises(InvalidInput):
            call()
    assert cluster.version == version
    assert cluster.pending_events == []
