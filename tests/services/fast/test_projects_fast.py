"""Project commands on the fakes: launch, plan, reach and miss milestones, record
results, the orientation they make, and every refusal coded, with nothing recorded."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fast_world import TODAY, FastWorld, refused

from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    ProjectLaunch,
    ResultMeasurement,
    ResultSpec,
)
from services.projects import orientation_of, project_in


def launch(w: FastWorld, who: Any = None, **changes: Any) -> Any:
    values: dict[str, Any] = {
        "title": "Pedagogical practicum",
        "direction": "EDUCATION",
        "kind": "EXPERIMENTAL_INNOVATION",
        "lead_id": w.school_id,
        "partner_ids": [w.college_id],
        "expected_results": [ResultSpec("Students placed", 10, "students")],
    }
    values.update(changes)
    return w.projects.launch_project(who or w.operator, w.cluster_id, ProjectLaunch(**values))


def test_a_member_launches_a_project_led_by_their_own_subject(world: FastWorld) -> None:
    w = world
    project = launch(w, w.ivan, lead_id=None)
    assert (project.lead_id, project.partner_ids, project.milestones) == (
        w.school_id,
        (w.college_id,),
        (),
    )
    [result] = project.expected_results
    assert (result.indicator, result.target, result.unit, result.actual) == (
        "Students placed",
        10,
        "students",
        None,
    )
    assert type(w.events()[-1]).__name__ == "ProjectLaunched"


def test_milestones_make_the_orientation(world: FastWorld) -> None:
    w, projects, op, c = world, world.projects, world.operator, world.cluster_id
    project = launch(w)
    early = projects.plan_milestone(
        op, c, project.id, MilestonePlan("Contracts", TODAY - timedelta(days=9))
    )
    missed = projects.plan_milestone(
        op, c, project.id, MilestonePlan("Kits", TODAY - timedelta(days=5))
    )
    late = projects.plan_milestone(
        op, c, project.id, MilestonePlan("Report", TODAY - timedelta(days=1))
    )
    projects.plan_milestone(op, c, project.id, MilestonePlan("Defence", TODAY + timedelta(days=30)))
    reached = projects.reach_milestone(
        op, c, project.id, early.id, MilestoneReach(TODAY, "Signed", None)
    )
    assert (reached.status, reached.reached_on, reached.actual_result) == (
        "REACHED",
        TODAY,
        "Signed",
    )
    assert (
        projects.miss_milestone(op, c, project.id, missed.id, MilestoneMiss("No budget")).status
        == "MISSED"
    )
    result = projects.record_result(
        op, c, project.id, project.expected_results[0].id, ResultMeasurement(5)
    )
    assert result.actual == 5
    scope = w.queries.scope(w.ivan, c)
    found = project_in(scope, project.id)
    assert found is not None
    assert [m.title for m in found.milestones] == ["Contracts", "Kits", "Report", "Defence"]
    metrics = orientation_of(scope, found)
    # Reached after its due date, one missed, one overdue: none of three settled on time.
    assert (metrics.planned, metrics.reached, metrics.missed, metrics.overdue) == (4, 1, 1, 1)
    assert (metrics.on_time_rate, metrics.result_attainment) == (0.0, 0.5)
    assert late.status == "PLANNED"


def test_a_coordinator_who_acts_for_no_subject_must_name_the_lead(world: FastWorld) -> None:
    refused(world, lambda: launch(world, lead_id=None), "BAD_USER_INPUT", "leadId")


def test_only_a_coordinator_names_another_subject_as_lead(world: FastWorld) -> None:
    refused(world, lambda: launch(world, world.ivan, lead_id=world.college_id), "FORBIDDEN")
    refused(world, lambda: launch(world, world.anna), "FORBIDDEN")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": " "}, "title"),
        ({"direction": "SIDEWAYS"}, "direction"),
        ({"expected_results": [ResultSpec("Kits", 0)]}, "expectedResults[0].target"),
        ({"partner_ids": ["not-an-id"]}, "partnerIds"),
        ({"goal_id": str(uuid.uuid4())}, "goalId"),
    ],
)
def test_a_bad_launch_is_bad_user_input(world: FastWorld, changes: Any, field: str) -> None:
    refused(world, lambda: launch(world, **changes), "BAD_USER_INPUT", field)


def test_a_withdrawn_partner_is_refused(world: FastWorld) -> None:
    world.registry.withdraw_subject(world.operator, world.cluster_id, world.college_id)
    refused(world, lambda: launch(world), "BAD_USER_INPUT", "partnerIds")


def test_reports_are_refused_with_their_codes(world: FastWorld) -> None:
    w, projects, op, c = world, world.projects, world.operator, world.cluster_id
    project = launch(w)
    milestone = projects.plan_milestone(op, c, project.id, MilestonePlan("Contracts", TODAY)).id
    result = project.expected_results[0].id
    nobody = str(uuid.uuid4())
    for call, code, field in [
        (
            lambda: projects.plan_milestone(op, c, nobody, MilestonePlan("M", TODAY)),
            "NOT_FOUND",
            None,
        ),
        (
            lambda: projects.reach_milestone(op, c, project.id, nobody, MilestoneReach(TODAY, "x")),
            "NOT_FOUND",
            None,
        ),
        (
            lambda: projects.record_result(op, c, project.id, nobody, ResultMeasurement(1)),
            "NOT_FOUND",
            None,
        ),
        (
            lambda: projects.record_result(op, c, project.id, result, ResultMeasurement(-1)),
            "BAD_USER_INPUT",
            "actual",
        ),
        (
            lambda: projects.plan_milestone(op, c, project.id, MilestonePlan("", TODAY)),
            "BAD_USER_INPUT",
            "title",
        ),
        (
            lambda: projects.reach_milestone(
                op, c, project.id, milestone, MilestoneReach(TODAY + timedelta(1), "x")
            ),
            "BAD_USER_INPUT",
            "reachedOn",
        ),
        (
            lambda: projects.reach_milestone(
                op, c, project.id, milestone, MilestoneReach(TODAY, "x", "ftp://a")
            ),
            "BAD_USER_INPUT",
            "evidenceUrl",
        ),
        (
            lambda: projects.miss_milestone(w.anna, c, project.id, milestone, MilestoneMiss("x")),
            "FORBIDDEN",
            None,
        ),
    ]:
        refused(w, call, code, field)


def test_a_settled_milestone_is_settled_for_good(world: FastWorld) -> None:
    w, projects, op, c = world, world.projects, world.operator, world.cluster_id
    project = launch(w)
    milestone = projects.plan_milestone(op, c, project.id, MilestonePlan("Contracts", TODAY)).id
    projects.miss_milestone(op, c, project.id, milestone, MilestoneMiss("No budget"))
    message = refused(
        w,
        lambda: projects.reach_milestone(op, c, project.id, milestone, MilestoneReach(TODAY, "x")),
        "CONFLICT",
    )
    assert "already missed" in message
    refused(
        w,
        lambda: projects.miss_milestone(op, c, project.id, milestone, MilestoneMiss("Again")),
        "CONFLICT",
    )


def test_a_planner_describes_what_a_milestone_delivers(world: FastWorld) -> None:
    w, projects, op, c = world, world.projects, world.operator, world.cluster_id
    project = launch(w)
    plan = MilestonePlan("Seminar", TODAY, "Protocol", " Two sessions for mentors ")
    planned = projects.plan_milestone(w.ivan, c, project.id, plan)
    assert planned.description == "Two sessions for mentors"
    bare = projects.plan_milestone(op, c, project.id, MilestonePlan("Report", TODAY))
    assert bare.description is None
    found = project_in(w.queries.scope(op, c), project.id)
    assert found is not None
    assert [m.description for m in found.milestones] == ["Two sessions for mentors", None]
    too_long = MilestonePlan("Long", TODAY, None, "x" * 4001)
    refused(
        w,
        lambda: projects.plan_milestone(op, c, project.id, too_long),
        "BAD_USER_INPUT",
        "description",
    )
