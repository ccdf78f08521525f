"""Project commands (launch, plan/reach/miss milestones, record results) and
the project read services."""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import TypeVar

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate

from domain.cluster import Cluster
from domain.errors import Forbidden, InvalidInput, NotFound
from domain.goal import Goal
from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    Project,
    ProjectLaunch,
    ResultMeasurement,
)
from domain.vocabulary import Direction, Role, parse_enum
from services.commands import CommandRunner
from services.ids import new_id, normalise_id, target_id
from services.orientation import (
    ExpectedResultInfo,
    MilestoneInfo,
    OrientationInfo,
    ProjectInfo,
    orientation,
)
from services.permissions import Permission
from services.ports.storage import Partition
from services.principal import Actor, Principal
from services.queries import ClusterScope

T = TypeVar("T")


class ProjectService:
    def __init__(self, runner: CommandRunner) -> None:
        self.runner = runner

    def launch_project(
        self, principal: Principal | None, cluster_id: str, launch: ProjectLaunch
    ) -> ProjectInfo:
        """Launches a project led by the caller's subject (a coordinator may name another)."""
        project_id = uuid.uuid4()
        goal_id = normalise_id(launch.goal_id, "goalId")
        lead_id = normalise_id(launch.lead_id, "leadId")
        partner_ids = [normalise_id(p, "partnerIds") or "" for p in launch.partner_ids]
        result_ids = [new_id() for _ in launch.expected_results]

        def body(partition: Partition, cluster: Cluster, actor: Actor):  # type: ignore[no-untyped-def]
            lead = _lead(cluster, actor, lead_id)
            for partner in partner_ids:
                cluster.active_subject(partner, "partnerIds")
            if goal_id is not None:
                _check_goal(partition, goal_id)
            checked = replace(launch, goal_id=goal_id, lead_id=lead, partner_ids=partner_ids)
            project = Project.launch(project_id, checked, lead_id=lead, result_ids=result_ids)
            return [project], str(project_id)

        partition, key = self.runner.run(principal, cluster_id, Permission.PARTICIPATE, body)
        return _found(partition.read_model.projects_reader.project(key), "project", key)

    def plan_milestone(
        self,
        principal: Principal | None,
        cluster_id: str,
        project_id: str,
        plan: MilestonePlan,
    ) -> MilestoneInfo:
        """Plans a milestone of the project."""
        milestone_id = new_id()

        def change(project: Project) -> None:
            project.plan_milestone(milestone_id, plan)

        return self._milestone(principal, cluster_id, project_id, milestone_id, change)

    def reach_milestone(
        self,
        principal: Principal | None,
        cluster_id: str,
        project_id: str,
        milestone_id: str,
        reach: MilestoneReach,
    ) -> MilestoneInfo:
        """Reports a planned milestone as reached (CONFLICT once reached or missed)."""
        milestone_id = target_id(milestone_id, "milestone")

        def change(project: Project) -> None:
            project.reach_milestone(milestone_id, reach, self.runner.clock.today())

        return self._milestone(principal, cluster_id, project_id, milestone_id, change)

    def miss_milestone(
        self,
        principal: Principal | None,
        cluster_id: str,
        project_id: str,
        milestone_id: str,
        miss: MilestoneMiss,
    ) -> MilestoneInfo:
        """Reports a planned milestone as missed (CONFLICT once reached or missed)."""
        milestone_id = target_id(milestone_id, "milestone")

        def change(project: Project) -> None:
            project.miss_milestone(milestone_id, miss)

        return self._milestone(principal, cluster_id, project_id, milestone_id, change)

    def record_result(
        self,
        principal: Principal | None,
        cluster_id: str,
        project_id: str,
        result_id: str,
        measurement: ResultMeasurement,
    ) -> ExpectedResultInfo:
        """Records the actual value of an expected result."""
        result_id = target_id(result_id, "expected result")
        partition = self._change(
            principal, cluster_id, project_id, lambda p: p.record_result(result_id, measurement)
        )
        found = partition.read_model.projects_reader.result(result_id)
        return _found(found, "expected result", result_id)

    # --- helpers ---------------------------------------------------------------

    def _milestone(self, principal, cluster_id, project_id, milestone_id, change) -> MilestoneInfo:  # type: ignore[no-untyped-def]
        partition = self._change(principal, cluster_id, project_id, change)
        found = partition.read_model.projects_reader.milestone(milestone_id)
        return _found(found, "milestone", milestone_id)

    def _change(self, principal, cluster_id, project_id, change) -> Partition:  # type: ignore[no-untyped-def]
        """Loads the project, lets a participant change it, and saves it."""
        key = target_id(project_id, "project")

        def body(partition: Partition, _: Cluster, actor: Actor):  # type: ignore[no-untyped-def]
            project = _project(partition, key)
            _require_participant(actor, project)
            change(project)
            return [project], None

        partition, _ = self.runner.run(principal, cluster_id, Permission.PARTICIPATE, body)
        return partition


# --- read services -------------------------------------------------------------


def projects_in(scope: ClusterScope, direction: str | None = None) -> list[ProjectInfo]:
    """The cluster's projects in launch order, optionally in one direction."""
    wanted = parse_enum(Direction, direction, "direction").value if direction else None
    return scope.read_model.projects_reader.projects(wanted)


def project_in(scope: ClusterScope, project_id: str) -> ProjectInfo | None:
    key = normalise_id(project_id, "id")
    return scope.read_model.projects_reader.project(key) if key else None


def orientation_of(scope: ClusterScope, project: ProjectInfo) -> OrientationInfo:
    """The project's orientation metrics as of the scope's today."""
    return orientation(project, scope.clock.today())


# --- rules that span the registry and the project -------------------------------


def _lead(cluster: Cluster, actor: Actor, lead_id: str | None) -> str:
    """The caller's own subject by default; only a coordinator names another."""
    if lead_id is None:
        if actor.subject_id is None:
            raise InvalidInput("leadId is required when you act for no subject", field="leadId")
        lead_id = actor.subject_id
    cluster.active_subject(lead_id, "leadId")
    if lead_id != actor.subject_id and Role.COORDINATOR not in actor.roles:
        raise Forbidden("only a coordinator may name another subject as the lead")
    return lead_id


def _require_participant(actor: Actor, project: Project) -> None:
    if Role.COORDINATOR in actor.roles or actor.subject_id in project.participants:
        return
    raise Forbidden(
        f"only members of the lead or partner subjects of {project.title!r}, "
        "and coordinators, may change it"
    )


def _check_goal(partition: Partition, goal_id: str) -> None:
    # Each cluster has its own partition, so whatever is found here belongs to
    # this cluster: a goal of another cluster is simply not found.
    if not isinstance(_load(partition, goal_id), Goal):
        raise InvalidInput(f"goalId: no goal {goal_id} in this cluster", field="goalId")


def _project(partition: Partition, project_id: str) -> Project:
    found = _load(partition, project_id)
    if not isinstance(found, Project):
        raise NotFound(f"no project {project_id} in this cluster")
    return found


def _load(partition: Partition, aggregate_id: str) -> Aggregate | None:
    try:
        return partition.app.repository.get(uuid.UUID(aggregate_id))  # type: ignore[no-any-return]
    except AggregateNotFoundError:
        return None


def _found(found: T | None, what: str, key: str) -> T:
    if found is None:
        raise NotFound(f"no {what} {key} in this cluster")
    return found
