"""Projects through the GraphQL API (graphql/operations), on SQLite and
PostgreSQL: what the views show, with the orientation metrics worked out by
hand. Today is 2025-03-10 (the fixed clock of project_support)."""

from __future__ import annotations

from datetime import date
from typing import Any

from gql_harness import Api, operation
from project_api_support import (  # noqa: F401
    Cast,
    act,
    cast_fixture,
    launch,
    member_principal,
    plan,
    project_view,
    reach,
)
from project_support import clock, container, project_database  # noqa: F401


def test_the_orientation_view_shows_the_hand_worked_metrics(api: Api, cast: Cast) -> None:
    launched = launch(api, cast).ok()["launchProject"]
    assert (launched["lead"]["id"], [p["id"] for p in launched["partners"]]) == (
        cast.reg.school_id,
        [cast.reg.college_id],
    )
    pid, results = launched["id"], launched["expectedResults"]
    on_time, late, missed = (
        plan(api, cast, pid, d) for d in ("2025-03-01", "2025-03-05", "2025-03-08")
    )
    plan(api, cast, pid, "2025-03-09")  # overdue
    plan(api, cast, pid, "2025-03-10", cast.pavel)  # due today: not overdue
    assert (
        reach(api, cast, pid, on_time, "2025-03-01", "https://kspi.uz/a").ok()["reachMilestone"][
            "status"
        ]
        == "REACHED"
    )
    reach(api, cast, pid, late, "2025-03-07", who=cast.pavel).ok()
    act(api, cast, "miss_milestone", projectId=pid, milestoneId=missed, reason="Flood").ok()
    for result, actual in zip(results, (5, 8), strict=True):
        act(api, cast, "record_result", projectId=pid, resultId=result["id"], actual=actual).ok()
    shown = project_view(api, cast, pid)
    # planned 5; reached 2 (one on time), missed 1, overdue 1: 1 / 4.
    # Results: 5/10 = 0.5 and min(8/4, 1) = 1: (0.5 + 1) / 2 = 0.75.
    assert shown["orientation"] == {
        "planned": 5,
        "reached": 2,
        "missed": 1,
        "overdue": 1,
        "onTimeRate": 0.25,
        "resultAttainment": 0.75,
    }
    assert [
        (m["due"], m["status"], m["reachedOn"], m["evidenceUrl"]) for m in shown["milestones"]
    ] == [
        ("2025-03-01", "REACHED", "2025-03-01", "https://kspi.uz/a"),
        ("2025-03-05", "REACHED", "2025-03-07", None),
        ("2025-03-08", "MISSED", None, None),
        ("2025-03-09", "PLANNED", None, None),
        ("2025-03-10", "PLANNED", None, None),
    ]
    assert [(r["target"], r["unit"], r["actual"]) for r in shown["expectedResults"]] == [
        (10.0, "students", 5.0),
        (4.0, None, 8.0),
    ]


def test_projects_are_listed_by_direction_with_their_orientation(api: Api, cast: Cast) -> None:
    first = launch(api, cast).ok()["launchProject"]["id"]
    second = launch(api, cast, title="Kits", direction="EDUCATIONAL_TOOLS").ok()["launchProject"][
        "id"
    ]
    plan(api, cast, second, "2025-03-09")

    def listed(direction: str | None = None) -> list[tuple[str, Any, int]]:
        found = api.run(
            operation("cluster_projects"),
            {"id": cast.reg.cluster_id, "direction": direction},
            principal=cast.kira,
        )
        return [
            (p["id"], p["orientation"]["onTimeRate"], p["orientation"]["overdue"])
            for p in found.ok()["cluster"]["projects"]
        ]

    assert listed() == [(first, None, 0), (second, 0.0, 1)]
    assert listed("EDUCATIONAL_TOOLS") == [(second, 0.0, 1)]
    assert listed("EDUCATION_SCIENCE") == []
    # Before the due date nothing is overdue (the fixed clock of project_support).
    api.container.clock.day = date(2025, 3, 1)  # type: ignore[attr-defined]
    assert listed("EDUCATIONAL_TOOLS") == [(second, None, 0)]


def test_a_project_serves_a_goal_of_its_cluster(api: Api, cast: Cast) -> None:
    goal = act(api, cast, "propose_goal", input={"title": "Teachers stay", "statement": "…"})
    goal_id = goal.ok()["proposeGoal"]["id"]
    shown = launch(api, cast, goalId=goal_id).ok()["launchProject"]
    assert shown["goal"] == {"id": goal_id, "title": "Teachers stay"}


PLAN_DESCRIBED = """
mutation($clusterId: ID!, $projectId: ID!, $input: PlanMilestoneInput!) {
  planMilestone(clusterId: $clusterId, projectId: $projectId, input: $input) { id description }
}
"""
MILESTONES = """
query($clusterId: ID!, $id: ID!) {
  cluster(id: $clusterId) { project(id: $id) { milestones { title description } } }
}
"""


def test_a_milestone_shows_what_its_planner_said_it_delivers(api: Api, cast: Cast) -> None:
    pid = launch(api, cast).ok()["launchProject"]["id"]
    described = {"title": "Seminar", "due": "2025-03-20", "description": " Two sessions "}
    variables = {"clusterId": cast.reg.cluster_id, "projectId": pid, "input": described}
    planned = api.run(PLAN_DESCRIBED, variables, principal=cast.reg.member).ok()["planMilestone"]
    assert planned["description"] == "Two sessions"
    plan(api, cast, pid, "2025-03-21")  # without one
    found = api.run(MILESTONES, {"clusterId": cast.reg.cluster_id, "id": pid}, principal=cast.anna)
    assert found.ok()["cluster"]["project"]["milestones"] == [
        {"title": "Seminar", "description": "Two sessions"},
        {"title": "Due 2025-03-21", "description": None},
    ]
