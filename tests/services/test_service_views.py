"""Read side: continuity, the read model against a fresh replay and against the
aggregate, as-of replays, and the viewer."""

from __future__ import annotations

import uuid

from domain.cluster import ClusterFounding, InterestDeclaration, RoleChange, SubjectAdmission
from domain.vocabulary import CONTINUITY_CHAIN, SubjectKind
from infra.partitions import scratch_read_model


def expected_gaps(active_kinds: set[str]) -> tuple[str, ...]:
    return tuple(k.value for k in CONTINUITY_CHAIN if k.value not in active_kinds)


def test_continuity_lists_every_stage_in_chain_order_with_its_active_subjects(world) -> None:
    continuity = world.container.queries.scope(world.petr, world.cluster_id).continuity()
    assert [s.kind for s in continuity.stages] == [k.value for k in CONTINUITY_CHAIN]
    by_kind = {s.kind: [x.id for x in s.subjects] for s in continuity.stages}
    assert by_kind["SCHOOL"] == [world.school_id]
    assert by_kind["COLLEGE"] == [world.college_id]
    assert continuity.gaps == expected_gaps({"SCHOOL", "COLLEGE"})


def test_a_withdrawal_opens_a_gap_and_a_management_body_fills_none(world) -> None:
    r, c, op = world.container.registry, world.cluster_id, world.coordinator
    r.admit_subject(op, c, SubjectAdmission("Regional ministry", "MANAGEMENT_BODY", None))
    r.withdraw_subject(op, c, world.college_id)
    continuity = world.container.queries.scope(world.ivan, c).continuity()
    assert continuity.gaps == expected_gaps({"SCHOOL"})
    assert "MANAGEMENT_BODY" not in [s.kind for s in continuity.stages]


def test_a_full_chain_has_no_gaps_and_a_second_school_does_not_hide_a_withdrawal(world) -> None:
    r, c, op = world.container.registry, world.cluster_id, world.coordinator
    for kind in CONTINUITY_CHAIN:
        if kind not in (SubjectKind.SCHOOL, SubjectKind.COLLEGE):
            r.admit_subject(op, c, SubjectAdmission(f"A {kind.value.lower()}", kind.value, None))
    assert world.container.queries.scope(op, c).continuity().gaps == ()
    second = r.admit_subject(op, c, SubjectAdmission("School 9", "SCHOOL", None)).subject
    r.withdraw_subject(op, c, world.school_id)
    continuity = world.container.queries.scope(op, c).continuity()
    assert continuity.gaps == ()
    school_stage = next(s for s in continuity.stages if s.kind == "SCHOOL")
    assert [s.id for s in school_stage.subjects] == [second.id]
    r.withdraw_subject(op, c, second.id)
    assert world.container.queries.scope(op, c).continuity().gaps == ("SCHOOL",)


def build_history(world) -> None:
    r, c, op = world.container.registry, world.cluster_id, world.coordinator
    r.declare_interest(world.ivan, c, world.school_id, InterestDeclaration("SOCIAL", "First"))
    r.declare_interest(world.ivan, c, world.school_id, InterestDeclaration("SOCIAL", "Replaced"))
    r.declare_interest(world.petr, c, world.college_id, InterestDeclaration("LEGAL", "Charter"))
    r.grant_role(op, c, world.anna_id, RoleChange("COORDINATOR"))
    r.revoke_role(world.anna, c, world.coordinator_id, RoleChange("COORDINATOR"))
    r.admit_subject(world.anna, c, SubjectAdmission("TSPU", "UNIVERSITY", "Tomsk"))
    r.withdraw_subject(world.anna, c, world.college_id)


def test_the_read_model_equals_a_fresh_replay_of_the_log(world) -> None:
    build_history(world)
    partition = world.partition
    scratch = scratch_read_model()
    position = world.container.projector.catch_up(
        world.cluster_id, partition.log, scratch, partition.app.mapper
    )
    assert position == world.head() == 14
    live, replayed = partition.read_model.registry_reader, scratch.registry_reader
    assert replayed.subjects(include_inactive=True) == live.subjects(include_inactive=True)
    assert replayed.members() == live.members()
    assert replayed.cluster() == live.cluster()


def test_the_read_model_agrees_with_the_aggregate(world) -> None:
    build_history(world)
    partition = world.partition
    cluster = partition.app.repository.get(uuid.UUID(world.cluster_id))
    reader = partition.read_model.registry_reader
    assert {
        s.id: (s.name, s.kind, s.region, s.active, {i.kind: i.statement for i in s.interests})
        for s in reader.subjects(include_inactive=True)
    } == {
        s.id: (
            s.name,
            s.kind.value,
            s.region,
            s.active,
            {k.value: v for k, v in s.interests.items()},
        )
        for s in cluster.subjects.values()
    }
    assert {m.id: (m.name, m.email, m.subject_id, set(m.roles)) for m in reader.members()} == {
        m.id: (m.name, m.email, m.subject_id, {r.value for r in m.roles})
        for m in cluster.members.values()
    }
    assert reader.member(world.coordinator_id).roles == ()
    assert reader.subject(world.school_id).interests[0].statement == "Replaced"


def test_a_replay_up_to_a_position_shows_the_cluster_as_it_was_then(world) -> None:
    before = world.head()
    build_history(world)
    partition = world.partition
    scratch = scratch_read_model()
    reached = world.container.projector.catch_up(
        world.cluster_id, partition.log, scratch, partition.app.mapper, upto=before
    )
    assert reached == before
    past = scratch.registry_reader
    assert {s.id for s in past.subjects()} == {world.school_id, world.college_id}
    assert all(s.interests == () for s in past.subjects())
    assert past.member(world.coordinator_id).roles == ("COORDINATOR",)
    assert past.cluster().position == before


def test_the_viewer_lists_each_cluster_the_person_belongs_to(world, operator) -> None:
    container = world.container
    other = container.registry.found_cluster(
        operator, ClusterFounding("Omsk cluster", "Omsk", "VERTICAL")
    )
    viewer = container.queries.viewer(operator)
    assert (viewer.id, viewer.name, viewer.email) == (
        operator.person_id,
        operator.name,
        operator.email,
    )
    assert [m.cluster_id for m in viewer.memberships] == [world.cluster_id, other.id]
    assert viewer.memberships[0].member_id == world.coordinator_id
    ivan = container.queries.viewer(world.ivan)
    assert [(m.cluster_id, m.member_id) for m in ivan.memberships] == [
        (world.cluster_id, world.ivan_id)
    ]


def test_a_person_the_directory_does_not_know_is_a_viewer_of_nothing(container, outsider) -> None:
    viewer = container.queries.viewer(outsider)
    assert (viewer.id, viewer.name, viewer.memberships) == (outsider.person_id, outsider.name, ())
