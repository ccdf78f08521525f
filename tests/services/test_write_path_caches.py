"""What the write path remembers, on both backends: the directory keeps
the member a person was found to be in a cluster, and recordAssessment answers
from the command itself. A revoked role and a member stripped of every role take
effect at once, also when another process changed them; a person is a member
only where they are linked; the answer is what the read model says afterwards."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from mutual_control_world import close

from domain.assessment_round import RoundOpening
from domain.cluster import (
    ClusterFounding,
    InterestDeclaration,
    MemberAddition,
    RoleChange,
    SubjectAdmission,
)
from domain.errors import Forbidden, NotFound
from domain.norm import NormAdoption
from domain.scorecard import Assessment
from infra.bootstrap import bootstrap
from services import mutual_control_queries
from services.mutual_control import RecordedAssessment
from services.principal import Principal


def open_round(world: Any) -> tuple[str, str]:
    control = world.container.mutual_control
    norm = control.adopt_norm(
        world.coordinator, world.cluster_id, NormAdoption("Teaching", "Lessons", 1, 5, 2.0)
    )
    opened = control.open_assessment_round(
        world.coordinator, world.cluster_id, RoundOpening("2025", [norm.id])
    )
    return norm.id, opened.id


def record(
    world: Any, who: Principal, assessee: str, round_: tuple[str, str], score: float = 3
) -> RecordedAssessment:
    norm_id, round_id = round_
    return world.container.mutual_control.record_assessment(  # type: ignore[no-any-return]
        who, world.cluster_id, round_id, Assessment(assessee, norm_id, score, "why")
    )


def test_the_answer_is_what_the_read_model_says_after_the_command(world) -> None:
    registry = world.container.registry
    registry.declare_interest(
        world.ivan, world.cluster_id, world.school_id, InterestDeclaration("SOCIAL", "Stay")
    )
    registry.declare_interest(
        world.ivan, world.cluster_id, world.school_id, InterestDeclaration("ECONOMIC", "Jobs")
    )
    registry.grant_role(world.coordinator, world.cluster_id, world.ivan_id, RoleChange("AUDITOR"))
    round_ = open_round(world)
    record(world, world.ivan, world.college_id, round_)
    done = record(world, world.ivan, world.college_id, round_, score=5)

    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    assert done.assessor == scope.subject(world.school_id)
    assert len(done.assessor.interests) == 2
    assert done.assessee == scope.subject(world.college_id)
    assert done.recorded_by == scope.member(world.ivan_id)
    assert done.recorded_by.roles == ("AUDITOR", "MEMBER")
    found = mutual_control_queries.round_(scope, round_[1])
    assert found is not None and found.norms == (done.norm,)
    assert done.scope.actor == scope.actor and done.scope.info == scope.info
    assert mutual_control_queries.assessments(scope, round_[1]) == [done.assessment]
    assert (done.assessment.score, done.assessment.revision) == (5, 2)


def test_a_revoked_role_takes_effect_at_once(world) -> None:
    round_ = open_round(world)
    registry = world.container.registry
    record(world, world.petr, world.school_id, round_)  # the directory now knows Petr
    registry.grant_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("AUDITOR"))
    registry.revoke_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER"))
    head = world.head()
    with pytest.raises(Forbidden):  # an auditor does not assess
        record(world, world.petr, world.school_id, round_)
    assert world.head() == head
    registry.revoke_role(world.coordinator, world.cluster_id, world.petr_id, RoleChange("AUDITOR"))
    with pytest.raises(NotFound):  # no role left: not a member any more
        record(world, world.petr, world.school_id, round_)
    with pytest.raises(NotFound):
        world.container.queries.scope(world.petr, world.cluster_id)


def test_a_role_revoked_by_another_process_takes_effect_at_once(world) -> None:
    round_ = open_round(world)
    record(world, world.petr, world.school_id, round_)
    world.container.queries.scope(world.petr, world.cluster_id)  # both paths know Petr
    other = bootstrap(world.container.settings)  # a second process on the same storage
    try:
        other.registry.revoke_role(
            world.coordinator, world.cluster_id, world.petr_id, RoleChange("MEMBER")
        )
    finally:
        close(other)
    head = world.head()
    with pytest.raises(NotFound):
        record(world, world.petr, world.school_id, round_)
    with pytest.raises(NotFound):
        world.container.queries.scope(world.petr, world.cluster_id)
    assert world.head() == head


def test_a_person_is_a_member_only_where_they_are_linked(world, member_principal) -> None:
    container = world.container
    round_ = open_round(world)
    record(world, world.ivan, world.college_id, round_)  # Ivan is known in this cluster
    founder = Principal(f"op-{uuid.uuid4().hex[:8]}", "Other Operator", None, True)
    other = container.registry.found_cluster(
        founder, ClusterFounding("Omsk cluster", "Omsk", "GEOGRAPHIC")
    )
    for attempt in (1, 2):  # a person not found is not remembered as absent, nor as Ivan
        with pytest.raises(NotFound):
            container.queries.scope(world.ivan, other.id)
        with pytest.raises(NotFound):
            container.registry.declare_interest(
                world.ivan,
                other.id,
                world.school_id,
                InterestDeclaration("SOCIAL", f"try {attempt}"),
            )
    school = container.registry.admit_subject(
        founder, other.id, SubjectAdmission("School 9", "SCHOOL", None)
    ).subject
    member = container.registry.add_member(
        founder, other.id, MemberAddition("Ivan", None, school.id, ["MEMBER"])
    ).member
    container.directory.link(world.ivan.person_id, other.id, member.id)
    assert container.queries.scope(world.ivan, other.id).actor.member_id == member.id
    assert container.queries.scope(world.ivan, world.cluster_id).actor.member_id == world.ivan_id
