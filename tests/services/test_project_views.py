"""The projects read model on both backends: listing by direction, what each
command records, and agreement with the log and with the aggregate."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from project_support import TODAY, clock, container, launch, plan, project_database  # noqa: F401

from domain.errors import InvalidInput
from domain.project import MilestoneMiss, MilestoneReach, ResultMeasurement, ResultSpec
from infra.partitions import scratch_read_model
from services.projects import project_in, projects_in


def history(world) -> list[str]:  # type: ignore[no-untyped-def]
    """Three projects in two directions with every kind of report; their ids."""
    projects, c, op = world.container.projects, world.cluster_id, world.coordinator
    first = launch(
        world, expected_results=[ResultSpec("Placed", 10, "students"), ResultSpec("Kits", 4)]
    )
    second = launch(world, title="Kits", direction="EDUCATIONAL_TOOLS", partner_ids=[])
    third = launch(
        world, title="Practicum 2", lead_id=world.college_id, partner_ids=[world.school_id]
    )
    reached, missed = plan(world, first.id, date(2025, 3, 1)), plan(world, first.id, TODAY)
    projects.reach_milestone(
        op, c, first.id, reached, MilestoneReach(date(2025, 3, 2), "Late", "https://a.uz")
    )
    projects.miss_milestone(op, c, first.id, missed, MilestoneMiss("Flooded"))
    projects.record_result(op, c, first.id, first.expected_results[1].id, ResultMeasurement(3.5))
    return [first.id, second.id, third.id]


def test_projects_are_listed_in_launch_order_and_filtered_by_direction(world) -> None:  # type: ignore[no-untyped-def]
    first, second, third = history(world)
    scope = world.container.queries.scope(world.petr, world.cluster_id)
    assert [p.id for p in projects_in(scope)] == [first, second, third]
    assert [p.id for p in projects_in(scope, "EDUCATION")] == [first, third]
    assert [p.id for p in projects_in(scope, "EDUCATIONAL_TOOLS")] == [second]
    assert projects_in(scope, "EDUCATION_SCIENCE") == []
    with pytest.raises(InvalidInput) as caught:
        projects_in(scope, "SPORT")
    assert caught.value.field == "direction"


def test_a_project_shows_what_was_launched_and_reported(world) -> None:  # type: ignore[no-untyped-def]
    first = history(world)[0]
    found = project_in(world.container.queries.scope(world.ivan, world.cluster_id), first)
    assert found is not None
    assert (found.title, found.direction, found.kind, found.goal_id) == (
        "Pedagogical practicum",
        "EDUCATION",
        "EXPERIMENTAL_INNOVATION",
        None,
    )
    assert (found.lead_id, found.partner_ids) == (world.school_id, (world.college_id,))
    assert [(r.indicator, r.target, r.unit, r.actual) for r in found.expected_results] == [
        ("Placed", 10.0, "students", None),
        ("Kits", 4.0, None, 3.5),
    ]
    assert [
        (m.due, m.status, m.reached_on, m.actual_result, m.evidence_url, m.missed_reason)
        for m in found.milestones
    ] == [
        (date(2025, 3, 1), "REACHED", date(2025, 3, 2), "Late", "https://a.uz", None),
        (TODAY, "MISSED", None, None, None, "Flooded"),
    ]


def test_an_unknown_or_malformed_project_id_finds_nothing_or_names_the_field(world) -> None:  # type: ignore[no-untyped-def]
    scope = world.container.queries.scope(world.ivan, world.cluster_id)
    assert project_in(scope, str(uuid.uuid4())) is None
    with pytest.raises(InvalidInput) as caught:
        project_in(scope, "nope")
    assert caught.value.field == "id"


def test_each_command_records_one_event_with_plain_values(world) -> None:  # type: ignore[no-untyped-def]
    head = world.head()
    history(world)
    events = world.events()[head:]
    assert [type(e).__name__ for e in events] == [
        "ProjectLaunched",
        "ProjectLaunched",
        "ProjectLaunched",
        "MilestonePlanned",
        "MilestonePlanned",
        "MilestoneReached",
        "MilestoneMissed",
        "ResultRecorded",
    ]
    launched, reached = events[0], events[5]
    assert launched.expected_results[0] == {
        "id": launched.expected_results[0]["id"],
        "indicator": "Placed",
        "target": 10.0,
        "unit": "students",
    }
    assert (reached.reached_on, reached.evidence_url) == ("2025-03-02", "https://a.uz")
    assert all(e.cluster_id == world.cluster_id for e in events)
    assert all(e.actor_member_id == world.coordinator_id for e in events)


def test_the_read_model_equals_a_fresh_replay_and_the_aggregates(world) -> None:  # type: ignore[no-untyped-def]
    ids = history(world)
    partition = world.partition
    scratch = scratch_read_model()
    world.container.projector.catch_up(
        world.cluster_id, partition.log, scratch, partition.app.mapper
    )
    live, replayed = partition.read_model.projects_reader, scratch.projects_reader
    assert replayed.projects() == live.projects()
    for project_id in ids:
        aggregate = partition.app.repository.get(uuid.UUID(project_id))
        found = live.project(project_id)
        assert [(m.id, m.status) for m in found.milestones] == [
            (m.id, m.status.value) for m in aggregate.milestones.values()
        ]
        assert [(r.id, r.actual) for r in found.expected_results] == [
            (r.id, r.actual) for r in aggregate.results.values()
        ]


def test_an_as_of_view_shows_the_projects_as_they_were_then(world) -> None:  # type: ignore[no-untyped-def]
    before = world.head()
    first = history(world)[0]  # launches at +1..+3, plans at +4, +5, reports at +6..+8
    queries = world.container.queries
    then = queries.scope(world.anna, world.cluster_id, as_of=before + 5)
    found = project_in(then, first)
    assert [m.status for m in found.milestones] == ["PLANNED", "PLANNED"]
    assert [r.actual for r in found.expected_results] == [None, None]
    assert len(projects_in(then)) == 3
    assert [p.id for p in projects_in(queries.scope(world.anna, world.cluster_id, before + 1))] == [
        first
    ]
