"""Project commands on both backends: who may do what, what bad input says, and
that a refused command records nothing (the log head stays where it was).

| command                       | COORDINATOR | MEMBER of lead/partner | other MEMBER | AUDITOR   |
| launchProject                 | any lead    | own subject as lead    | —            | FORBIDDEN |
| plan/reach/miss, recordResult | yes         | yes                    | FORBIDDEN    | FORBIDDEN |
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from project_support import TODAY, clock, container, launch, plan, project_database  # noqa: F401

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from domain.goal import GoalProposal
from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    ResultMeasurement,
    ResultSpec,
)


def refused(world, error: type[DomainError], call, field: str | None = None) -> DomainError:  # type: ignore[no-untyped-def]
    """``call`` fails with ``error`` (naming ``field``) and records nothing."""
    head = world.head()
    with pytest.raises(error) as caught:
        call()
    assert world.head() == head
    if field is not None:
        assert caught.value.field == field
    return caught.value


def test_a_member_launches_a_project_led_by_their_own_subject(world) -> None:  # type: ignore[no-untyped-def]
    head = world.head()
    project = launch(world, world.ivan, lead_id=None, partner_ids=[world.college_id])
    assert (project.lead_id, project.partner_ids) == (world.school_id, (world.college_id,))
    assert world.head() == head + 1
    assert type(world.events()[-1]).__name__ == "ProjectLaunched"


def test_only_a_coordinator_names_another_subject_as_lead(world) -> None:  # type: ignore[no-untyped-def]
    error = refused(world, Forbidden, lambda: launch(world, world.ivan, lead_id=world.college_id))
    assert "coordinator" in error.message
    assert launch(world, world.coordinator, lead_id=world.college_id).lead_id == world.college_id


def test_a_coordinator_who_acts_for_no_subject_must_name_the_lead(world) -> None:  # type: ignore[no-untyped-def]
    refused(world, InvalidInput, lambda: launch(world, lead_id=None), field="leadId")


def test_an_auditor_may_launch_nothing(world) -> None:  # type: ignore[no-untyped-def]
    refused(world, Forbidden, lambda: launch(world, world.anna))


def test_a_blank_title_records_nothing(world, subtests: pytest.Subtests) -> None:  # type: ignore[no-untyped-def]
    for title in ("", "   "):  # one world: a refusal records nothing
        with subtests.test(title=title):
            error = refused(
                world, InvalidInput, lambda t=title: launch(world, title=t), field="title"
            )
            assert error.message == "title must not be blank"


def test_a_non_positive_target_records_nothing(world, subtests: pytest.Subtests) -> None:  # type: ignore[no-untyped-def]
    for target in (0, -5):  # one world: a refusal records nothing
        with subtests.test(target=target):
            results = [ResultSpec("Placed", 10), ResultSpec("Kits", target)]
            refused(
                world,
                InvalidInput,
                lambda r=results: launch(world, expected_results=r),
                field="expectedResults[1].target",
            )


def test_unknown_malformed_and_withdrawn_partners_are_refused(world) -> None:  # type: ignore[no-untyped-def]
    unknown = str(uuid.uuid4())
    error = refused(
        world, InvalidInput, lambda: launch(world, partner_ids=[unknown]), field="partnerIds"
    )
    assert unknown in error.message
    refused(
        world, InvalidInput, lambda: launch(world, partner_ids=["not-an-id"]), field="partnerIds"
    )
    world.container.registry.withdraw_subject(world.coordinator, world.cluster_id, world.college_id)
    refused(
        world,
        InvalidInput,
        lambda: launch(world, partner_ids=[world.college_id]),
        field="partnerIds",
    )
    refused(
        world,
        InvalidInput,
        lambda: launch(world, lead_id=world.college_id, partner_ids=[]),
        field="leadId",
    )


def test_a_goal_must_be_a_goal_of_this_cluster(world, operator, member_principal) -> None:  # type: ignore[no-untyped-def]
    goals, registry = world.container.goals, world.container.registry
    ours = goals.propose_goal(
        world.ivan, world.cluster_id, GoalProposal(title="Teachers stay", statement="…")
    )
    other = registry.found_cluster(operator, ClusterFounding("Omsk cluster", "Omsk", "VERTICAL"))
    school = registry.admit_subject(
        operator, other.id, SubjectAdmission("Omsk school", "SCHOOL", None)
    ).subject
    teacher = registry.add_member(
        operator, other.id, MemberAddition("Olga", None, school.id, ["MEMBER"])
    ).member
    theirs = goals.propose_goal(
        member_principal(teacher.id, other.id),
        other.id,
        GoalProposal(title="Theirs", statement="…"),
    )
    not_goals = [theirs.id, str(uuid.uuid4()), world.cluster_id, launch(world).id]
    for goal_id in not_goals:
        error = refused(
            world, InvalidInput, lambda g=goal_id: launch(world, goal_id=g), field="goalId"
        )
        assert error.message == f"goalId: no goal {goal_id} in this cluster"
    assert launch(world, goal_id=ours.id).goal_id == ours.id


def test_members_of_the_lead_and_partners_and_coordinators_report_on_a_project(world) -> None:  # type: ignore[no-untyped-def]
    projects, c = world.container.projects, world.cluster_id
    project = launch(world)  # school leads, college is partner
    for principal in (world.ivan, world.petr, world.coordinator):
        milestone = plan(world, project.id, TODAY, principal)
        projects.reach_milestone(principal, c, project.id, milestone, MilestoneReach(TODAY, "Done"))
        projects.record_result(
            principal, c, project.id, project.expected_results[0].id, ResultMeasurement(3)
        )
    assert [type(e).__name__ for e in world.events()[-9:]] == [
        "MilestonePlanned",
        "MilestoneReached",
        "ResultRecorded",
    ] * 3


def test_members_of_other_subjects_and_auditors_may_not_report(world) -> None:  # type: ignore[no-untyped-def]
    projects, c = world.container.projects, world.cluster_id
    project = launch(world, partner_ids=[])  # the college takes no part
    milestone = plan(world, project.id, TODAY)
    result = project.expected_results[0].id
    for principal in (world.petr, world.anna):
        for call in (
            lambda p=principal: projects.plan_milestone(
                p, c, project.id, MilestonePlan("M", TODAY)
            ),
            lambda p=principal: projects.reach_milestone(
                p, c, project.id, milestone, MilestoneReach(TODAY, "x")
            ),
            lambda p=principal: projects.miss_milestone(
                p, c, project.id, milestone, MilestoneMiss("Why")
            ),
            lambda p=principal: projects.record_result(
                p, c, project.id, result, ResultMeasurement(1)
            ),
        ):
            refused(world, Forbidden, call)


def test_reaching_a_missed_or_reached_milestone_and_missing_a_reached_one_conflict(world) -> None:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project = launch(world)
    missed, reached = plan(world, project.id, TODAY), plan(world, project.id, TODAY)
    projects.miss_milestone(op, c, project.id, missed, MilestoneMiss("Flooded"))
    projects.reach_milestone(op, c, project.id, reached, MilestoneReach(TODAY, "Done"))
    error = refused(
        world,
        Conflict,
        lambda: projects.reach_milestone(op, c, project.id, missed, MilestoneReach(TODAY, "Late")),
    )
    assert error.code == "CONFLICT" and "already missed" in error.message
    refused(
        world,
        Conflict,
        lambda: projects.miss_milestone(op, c, project.id, reached, MilestoneMiss("No")),
    )
    refused(
        world,
        Conflict,
        lambda: projects.reach_milestone(
            op, c, project.id, reached, MilestoneReach(TODAY, "Again")
        ),
    )


@pytest.mark.parametrize("url", ["ftp://kspi.uz/r", "javascript:alert(1)", "kspi.uz/r"])
def test_evidence_that_is_not_an_http_url_records_nothing(world, url: str) -> None:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project = launch(world)
    milestone = plan(world, project.id, TODAY)
    refused(
        world,
        InvalidInput,
        lambda: projects.reach_milestone(
            op, c, project.id, milestone, MilestoneReach(TODAY, "x", url)
        ),
        field="evidenceUrl",
    )
    reached = projects.reach_milestone(
        op, c, project.id, milestone, MilestoneReach(TODAY, "x", "https://a.uz/r")
    )
    assert (reached.status, reached.evidence_url) == ("REACHED", "https://a.uz/r")


def test_a_milestone_is_not_reached_after_today_by_the_clock(world) -> None:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project = launch(world)
    milestone = plan(world, project.id, TODAY)
    tomorrow = date(2025, 3, 11)
    refused(
        world,
        InvalidInput,
        lambda: projects.reach_milestone(
            op, c, project.id, milestone, MilestoneReach(tomorrow, "x")
        ),
        field="reachedOn",
    )
    world.container.clock.day = tomorrow
    assert (
        projects.reach_milestone(
            op, c, project.id, milestone, MilestoneReach(tomorrow, "x")
        ).reached_on
        == tomorrow
    )


def test_unknown_projects_milestones_and_results_are_not_found(world) -> None:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project, nobody = launch(world), str(uuid.uuid4())
    for call in (
        lambda: projects.plan_milestone(op, c, nobody, MilestonePlan("M", TODAY)),
        lambda: projects.plan_milestone(op, c, "not-an-id", MilestonePlan("M", TODAY)),
        lambda: projects.plan_milestone(
            op, c, world.cluster_id, MilestonePlan("M", TODAY)
        ),  # not a project
        lambda: projects.reach_milestone(op, c, project.id, nobody, MilestoneReach(TODAY, "x")),
        lambda: projects.miss_milestone(op, c, project.id, "bad", MilestoneMiss("x")),
        lambda: projects.record_result(op, c, project.id, nobody, ResultMeasurement(1)),
    ):
        refused(world, NotFound, call)


def test_a_negative_actual_and_blank_reports_record_nothing(world) -> None:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project = launch(world)
    milestone = plan(world, project.id, TODAY)
    result = project.expected_results[0].id
    refused(
        world,
        InvalidInput,
        lambda: projects.record_result(op, c, project.id, result, ResultMeasurement(-1)),
        field="actual",
    )
    refused(
        world,
        InvalidInput,
        lambda: projects.miss_milestone(op, c, project.id, milestone, MilestoneMiss(" ")),
        field="reason",
    )
    refused(
        world,
        InvalidInput,
        lambda: projects.reach_milestone(op, c, project.id, milestone, MilestoneReach(TODAY, "")),
        field="actualResult",
    )
    refused(
        world,
        InvalidInput,
        lambda: projects.plan_milestone(op, c, project.id, MilestonePlan("", TODAY)),
        field="title",
    )
