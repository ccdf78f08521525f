"""A partition made by an earlier release, whose read-model tables lack a column the
code now declares, is brought up to date when it is opened, on both backends: a
nullable column is added (its old rows hold NULL, as their events' upcaster gives
them); one that may not be null is logged with the replay that rebuilds it."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

import pytest
from storage import storage

from domain.cluster import SubjectAdmission
from domain.project import MilestoneMiss, MilestonePlan, ProjectLaunch
from infra.bootstrap import Container, bootstrap
from infra.readmodel.layout import add_missing_columns
from infra.readmodel.store import CLUSTER_TABLES
from services.principal import Principal
from services.projects import project_in


def planned_project(container: Container, operator: Principal, cluster_id: str) -> tuple[str, str]:
    registry, projects = container.registry, container.projects
    school = registry.admit_subject(
        operator, cluster_id, SubjectAdmission("School 5", "SCHOOL", None)
    ).subject.id
    launch = ProjectLaunch("Practicum", "EDUCATION", "EXPERIMENTAL_INNOVATION", lead_id=school)
    project = projects.launch_project(operator, cluster_id, launch).id
    milestone = projects.plan_milestone(
        operator, cluster_id, project, MilestonePlan("Contracts", date.today())
    )
    return project, milestone.id


def reopened(container: Container) -> Container:
    """The same data directory or database, opened by a new process's container."""
    container.close()
    return bootstrap(container.settings)


def milestones(container: Container, operator: Principal, cluster_id: str, project: str) -> Any:
    found = project_in(container.queries.scope(operator, cluster_id), project)
    assert found is not None
    return found.milestones


def test_a_missing_nullable_column_is_added_when_the_partition_opens(
    container: Container, operator: Principal, cluster: Any
) -> None:
    project, milestone = planned_project(container, operator, cluster.id)
    with storage(container, cluster.id) as tables:
        tables.run("ALTER TABLE {t}rm_milestone DROP COLUMN missed_reason")
    later = reopened(container)
    try:
        [row] = milestones(later, operator, cluster.id, project)
        assert (row.id, row.missed_reason) == (milestone, None)
        later.projects.miss_milestone(
            operator, cluster.id, project, milestone, MilestoneMiss("No budget")
        )
        [row] = milestones(later, operator, cluster.id, project)
        assert (row.status, row.missed_reason) == ("MISSED", "No budget")
    finally:
        later.close()


def test_a_missing_column_that_may_not_be_null_is_logged_and_a_replay_repairs_it(
    container: Container, operator: Principal, cluster: Any, caplog: pytest.LogCaptureFixture
) -> None:
    project, _ = planned_project(container, operator, cluster.id)
    with storage(container, cluster.id) as tables:
        tables.run("ALTER TABLE {t}rm_milestone DROP COLUMN title")
    later = reopened(container)
    try:
        with caplog.at_level(logging.ERROR, logger="infra.readmodel.layout"):
            partition = later.partitions.open(cluster.id)
        [message] = [r.getMessage() for r in caplog.records]
        assert "rm_milestone.title" in message
        assert f"clusterwork audit replay --cluster {cluster.id}" in message
        with pytest.raises(Exception, match="title"):
            milestones(later, operator, cluster.id, project)
        partition.read_model.reset()  # what `clusterwork audit replay` does
        later.projector.catch_up(
            cluster.id, partition.log, partition.read_model, partition.app.mapper
        )
        assert [m.title for m in milestones(later, operator, cluster.id, project)] == ["Contracts"]
    finally:
        later.close()


def test_a_partition_of_the_current_layout_is_left_as_it_is(
    container: Container, operator: Principal, cluster: Any
) -> None:
    partition = container.partitions.open(cluster.id)
    engine = partition.read_model.engine
    assert add_missing_columns(engine, CLUSTER_TABLES, cluster.id) == []
