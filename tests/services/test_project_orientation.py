"""The orientation metrics of docs/architecture.md, worked out by hand, on both backends.

Today is 2025-03-10 (a fixed clock). The scenario's milestones:

| milestone | due   | outcome           | counts as                  |
| A         | 03-01 | reached 03-01     | reached, on time (same day) |
| B         | 03-05 | reached 03-07     | reached, late              |
| C         | 03-08 | missed            | missed                     |
| D         | 03-09 | still planned     | overdue                    |
| E         | 03-10 | still planned     | not overdue (due today)    |
| F         | 04-01 | still planned     | not overdue                |
| G         | 03-20 | reached 03-09     | reached, on time (early)   |

planned = 7, reached = 3, missed = 1, overdue = 1,
onTimeRate = on time (A, G) / (3 + 1 + 1) = 2 / 5 = 0.4.

Results: target 10 actual 5 → 0.5; target 4 actual 8 → capped at 1; target 3
actual 0 → 0; target 2 with no actual → left out. resultAttainment = 1.5 / 3 = 0.5.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from project_support import TODAY, clock, container, launch, plan, project_database  # noqa: F401

from domain.project import MilestoneMiss, MilestoneReach, ResultMeasurement, ResultSpec
from services.orientation import OrientationInfo
from services.projects import orientation_of, project_in

RESULTS = [
    ResultSpec("Placed", 10),
    ResultSpec("Kits", 4),
    ResultSpec("Papers", 3),
    ResultSpec("Dashboards", 2),
]


def metrics(world, project_id: str) -> OrientationInfo:  # type: ignore[no-untyped-def]
    scope = world.container.queries.scope(world.anna, world.cluster_id)  # the auditor reads
    found = project_in(scope, project_id)
    assert found is not None
    return orientation_of(scope, found)


def build_scenario(world) -> str:  # type: ignore[no-untyped-def]
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    project = launch(world, expected_results=RESULTS)
    ids = {
        name: plan(world, project.id, date(2025, m, d))
        for name, (m, d) in {
            "A": (3, 1),
            "B": (3, 5),
            "C": (3, 8),
            "D": (3, 9),
            "E": (3, 10),
            "F": (4, 1),
            "G": (3, 20),
        }.items()
    }
    projects.reach_milestone(
        op, c, project.id, ids["A"], MilestoneReach(date(2025, 3, 1), "Signed")
    )
    projects.reach_milestone(
        op, c, project.id, ids["B"], MilestoneReach(date(2025, 3, 7), "Placed late")
    )
    projects.miss_milestone(op, c, project.id, ids["C"], MilestoneMiss("No rooms"))
    projects.reach_milestone(op, c, project.id, ids["G"], MilestoneReach(date(2025, 3, 9), "Early"))
    for result, actual in zip(project.expected_results[:3], (5, 8, 0), strict=True):
        projects.record_result(op, c, project.id, result.id, ResultMeasurement(actual))
    return project.id


def test_the_scenario_gives_the_hand_worked_metrics(world) -> None:  # type: ignore[no-untyped-def]
    assert metrics(world, build_scenario(world)) == OrientationInfo(
        planned=7, reached=3, missed=1, overdue=1, on_time_rate=0.4, result_attainment=0.5
    )


def test_planned_counts_every_milestone_not_just_those_still_planned(world) -> None:  # type: ignore[no-untyped-def]
    project_id = build_scenario(world)
    scope = world.container.queries.scope(world.anna, world.cluster_id)
    statuses = [m.status for m in project_in(scope, project_id).milestones]  # type: ignore[union-attr]
    assert statuses.count("PLANNED") == 3
    assert metrics(world, project_id).planned == 7


def test_overdue_and_the_on_time_rate_follow_the_clock(world) -> None:  # type: ignore[no-untyped-def]
    project_id = build_scenario(world)
    today = world.container.clock  # the fixed clock of project_support
    today.day = TODAY + timedelta(days=1)  # E (due 03-10) is late now, F not yet
    found = metrics(world, project_id)
    assert (found.overdue, found.on_time_rate) == (2, pytest.approx(2 / 6))
    today.day = date(2025, 4, 2)  # F is late as well
    found = metrics(world, project_id)
    assert (found.overdue, found.on_time_rate) == (3, pytest.approx(2 / 7))
    today.day = date(2025, 3, 1)  # before every due date: only A, B, C, G are settled
    found = metrics(world, project_id)
    assert (found.overdue, found.on_time_rate) == (0, 0.5)


def test_a_new_actual_replaces_the_old_one_in_the_attainment(world) -> None:  # type: ignore[no-untyped-def]
    project_id = build_scenario(world)
    scope = world.container.queries.scope(world.anna, world.cluster_id)
    placed = project_in(scope, project_id).expected_results[0]  # type: ignore[union-attr]
    world.container.projects.record_result(
        world.coordinator, world.cluster_id, project_id, placed.id, ResultMeasurement(7.5)
    )
    # (0.75 + 1 + 0) / 3
    assert metrics(world, project_id).result_attainment == pytest.approx(1.75 / 3)


def test_without_settled_milestones_or_actuals_the_rates_are_null(world) -> None:  # type: ignore[no-untyped-def]
    project = launch(world)
    assert metrics(world, project.id) == OrientationInfo(0, 0, 0, 0, None, None)
    plan(world, project.id, TODAY)  # due today: planned, not yet overdue
    plan(world, project.id, TODAY + timedelta(days=30))
    assert metrics(world, project.id) == OrientationInfo(2, 0, 0, 0, None, None)


def test_only_missed_and_overdue_milestones_give_a_rate_of_zero(world) -> None:  # type: ignore[no-untyped-def]
    project = launch(world)
    missed = plan(world, project.id, date(2025, 3, 1))
    plan(world, project.id, date(2025, 3, 2))
    world.container.projects.miss_milestone(
        world.coordinator, world.cluster_id, project.id, missed, MilestoneMiss("Strike")
    )
    assert metrics(world, project.id) == OrientationInfo(2, 0, 1, 1, 0.0, None)


def test_an_actual_above_its_target_counts_as_fully_attained_not_more(world) -> None:  # type: ignore[no-untyped-def]
    project = launch(world, expected_results=[ResultSpec("Kits", 4)])
    world.container.projects.record_result(
        world.coordinator,
        world.cluster_id,
        project.id,
        project.expected_results[0].id,
        ResultMeasurement(40),
    )
    assert metrics(world, project.id).result_attainment == 1.0


def test_each_project_has_its_own_metrics(world) -> None:  # type: ignore[no-untyped-def]
    first, second = launch(world), launch(world, title="Second")
    plan(world, first.id, date(2025, 3, 1))
    assert metrics(world, first.id).overdue == 1
    assert metrics(world, second.id) == OrientationInfo(0, 0, 0, 0, None, None)
