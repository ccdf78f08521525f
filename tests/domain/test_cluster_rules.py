"""The registry's rules: withdrawal, coordinators, roles, interests, member references."""

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
from domain.errors import Conflict, InvalidInput, NotFound
from domain.vocabulary import InterestKind, Role


def new_id() -> str:
    return str(uuid.uuid4())


@pytest.fixture
def registry() -> tuple[Cluster, str, str]:
    """A cluster with one coordinator and one subject; events already collected."""
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC"))
    coordinator, subject = new_id(), new_id()
    cluster.add_member(coordinator, MemberAddition("Olga", None, None, ["COORDINATOR"]))
    cluster.admit(subject, SubjectAdmission("School 5", "SCHOOL", "Tomsk"))
    cluster.collect_events()
    return cluster, coordinator, subject


def event_names(cluster: Cluster) -> list[str]:
    return [type(e).__name__ for e in cluster.collect_events()]


def test_founding_records_cluster_founded_with_the_checked_values() -> None:
    cluster_id = uuid.uuid4()
    cluster = Cluster.found(cluster_id, ClusterFounding(" Tomsk cluster ", " Tomsk ", "QUALITY"))
    (founded,) = cluster.collect_events()
    assert type(founded).__name__ == "ClusterFounded"
    assert founded.originator_id == cluster_id
    assert (founded.name, founded.region, founded.form) == ("Tomsk cluster", "Tomsk", "QUALITY")


def test_a_subject_is_admitted_active_and_withdrawn_once(registry) -> None:
    cluster, _, subject = registry
    assert cluster.subjects[subject].active
    cluster.withdraw(subject)
    assert not cluster.subjects[subject].active
    assert event_names(cluster) == ["SubjectWithdrawn"]


def test_withdrawing_a_subject_twice_is_a_conflict_that_records_nothing(registry) -> None:
    cluster, _, subject = registry
    cluster.withdraw(subject)
    cluster.collect_events()
    with pytest.raises(Conflict) as caught:
        cluster.withdraw(subject)
    assert caught.value.code == "CONFLICT"
    assert cluster.pending_events == []


def test_withdrawing_an_unknown_subject_is_not_found(registry) -> None:
    cluster, _, _ = registry
    with pytest.raises(NotFound):
        cluster.withdraw(new_id())
    assert cluster.pending_events == []


def test_the_last_coordinator_cannot_be_revoked(registry) -> None:
    cluster, coordinator, _ = registry
    with pytest.raises(Conflict):
        cluster.revoke(coordinator, RoleChange("COORDINATOR"))
    assert Role.COORDINATOR in cluster.members[coordinator].roles
    assert cluster.pending_events == []


def test_a_coordinator_can_step_down_once_another_one_exists(registry) -> None:
    cluster, first, subject = registry
    second = new_id()
    cluster.add_member(second, MemberAddition("Pavel", None, subject, ["MEMBER"]))
    assert cluster.grant(second, RoleChange("COORDINATOR")) is True
    assert cluster.revoke(first, RoleChange("COORDINATOR")) is True
    assert cluster.members[first].roles == set()
    # Now `second` is the last one, and keeps the role.
    with pytest.raises(Conflict):
        cluster.revoke(second, RoleChange("COORDINATOR"))
    assert event_names(cluster) == ["MemberAdded", "RoleGranted", "RoleRevoked"]


def test_granting_a_role_already_held_records_nothing(registry) -> None:
    cluster, coordinator, _ = registry
    version = cluster.version
    assert cluster.grant(coordinator, RoleChange("COORDINATOR")) is False
    assert cluster.version == version
    assert cluster.pending_events == []
    assert cluster.grant(coordinator, RoleChange("AUDITOR")) is True
    assert cluster.grant(coordinator, RoleChange("AUDITOR")) is False
    assert event_names(cluster) == ["RoleGranted"]
    assert cluster.members[coordinator].roles == {Role.COORDINATOR, Role.AUDITOR}


def test_revoking_a_role_not_held_records_nothing(registry) -> None:
    cluster, coordinator, _ = registry
    assert cluster.revoke(coordinator, RoleChange("AUDITOR")) is False
    assert cluster.pending_events == []


def test_roles_of_an_unknown_member_are_not_found(registry) -> None:
    cluster, _, _ = registry
    with pytest.raises(NotFound):
        cluster.grant(new_id(), RoleChange("MEMBER"))
    with pytest.raises(NotFound):
        cluster.revoke(new_id(), RoleChange("MEMBER"))


def test_a_new_interest_replaces_the_earlier_one_of_the_same_kind_only(registry) -> None:
    cluster, _, subject = registry
    cluster.declare_interest(subject, InterestDeclaration("SOCIAL", "Graduates stay in the region"))
    cluster.declare_interest(subject, InterestDeclaration("LEGAL", "A joint charter"))
    cluster.declare_interest(subject, InterestDeclaration("SOCIAL", "Teachers train locally"))
    assert cluster.subjects[subject].interests == {
        InterestKind.SOCIAL: "Teachers train locally",
        InterestKind.LEGAL: "A joint charter",
    }
    # Every declaration is a fact of the history, even the replaced one.
    assert event_names(cluster) == ["InterestDeclared"] * 3


def test_a_withdrawn_subject_cannot_declare_interests(registry) -> None:
    cluster, _, subject = registry
    cluster.withdraw(subject)
    cluster.collect_events()
    with pytest.raises(InvalidInput) as caught:
        cluster.declare_interest(subject, InterestDeclaration("SOCIAL", "Still here"))
    assert caught.value.field == "subjectId"
    assert cluster.pending_events == []


@pytest.mark.parametrize("withdrawn", [False, True])
def test_a_member_must_reference_an_active_subject_of_this_cluster(registry, withdrawn) -> None:
    cluster, _, subject = registry
    target = subject if withdrawn else new_id()
    if withdrawn:
        cluster.withdraw(subject)
        cluster.collect_events()
    with pytest.raises(InvalidInput) as caught:
        cluster.add_member(new_id(), MemberAddition("Ivan", None, target, ["MEMBER"]))
    assert caught.value.field == "subjectId"
    assert len(cluster.members) == 1
    assert cluster.pending_events == []


def test_a_member_may_act_for_no_subject_at_all(registry) -> None:
    cluster, _, _ = registry
    auditor = new_id()
    cluster.add_member(
        auditor, MemberAddition("Anna Auditor", "anna@audit.example", None, ["AUDITOR"])
    )
    assert cluster.members[auditor].subject_id is None
    assert cluster.members[auditor].roles == {Role.AUDITOR}


def test_the_events_alone_rebuild_the_same_registry() -> None:
    cluster = Cluster.found(uuid.uuid4(), ClusterFounding("Tomsk cluster", "Tomsk", "LATERAL"))
    coordinator, school, college, ivan = new_id(), new_id(), new_id(), new_id()
    cluster.add_member(coordinator, MemberAddition("Olga", None, None, ["COORDINATOR"]))
    cluster.admit(school, SubjectAdmission("School 5", "SCHOOL", "Tomsk"))
    cluster.admit(college, SubjectAdmission("College 2", "COLLEGE", None))
    cluster.add_member(ivan, MemberAddition("Ivan", "ivan@school5.ru", school, ["MEMBER"]))
    cluster.declare_interest(school, InterestDeclaration("ECONOMIC", "Jobs"))
    cluster.grant(ivan, RoleChange("AUDITOR"))
    cluster.withdraw(college)
    events = cluster.collect_events()
    rebuilt = None
    for domain_event in events:
        rebuilt = domain_event.mutate(rebuilt)
    assert isinstance(rebuilt, Cluster)
    assert rebuilt.version == cluster.version == len(events)
    assert rebuilt.subjects == cluster.subjects
    assert rebuilt.members == cluster.members
    assert (rebuilt.name, rebuilt.region, rebuilt.form) == (
        cluster.name,
        cluster.region,
        cluster.form,
    )
