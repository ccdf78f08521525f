"""The fast tier's in-memory read model (tests/services/fast/fakes.py) answers every
reader port as the SQL read model does: the same log, projected into both by the
real projector, reads the same, on both backends. A fake that drifts from the
tables it stands for fails here, not in a fast test that passes for the wrong reason."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fast.fakes import MemoryReadModel

from domain.assessment_round import RoundOpening
from domain.cluster import InterestDeclaration, RoleChange
from domain.goal import GoalProposal, GoalVote
from domain.norm import NormAdoption
from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    ProjectLaunch,
    ResultMeasurement,
    ResultSpec,
)
from domain.scorecard import Assessment


def normalised(value: Any) -> Any:
    """Rows as comparable values: instants in UTC (SQLite hands back naive ones),
    floats rounded (SQL sums in another order)."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, float):
        return round(value, 9)
    if isinstance(value, (list, tuple)):
        return type(value)(normalised(v) for v in value)
    if hasattr(value, "__dataclass_fields__"):
        return type(value)(**{k: normalised(getattr(value, k)) for k in value.__dataclass_fields__})
    return value


def test_the_fake_read_model_reads_as_the_sql_one(world: Any) -> None:
    c, op, w = world.container, world.coordinator, world
    c.registry.declare_interest(
        w.ivan, w.cluster_id, w.school_id, InterestDeclaration("SOCIAL", "Teachers")
    )
    c.registry.declare_interest(
        w.ivan, w.cluster_id, w.school_id, InterestDeclaration("LEGAL", "Licences")
    )
    c.registry.grant_role(op, w.cluster_id, w.ivan_id, RoleChange("AUDITOR"))
    c.registry.grant_role(op, w.cluster_id, w.petr_id, RoleChange("AUDITOR"))
    c.registry.revoke_role(op, w.cluster_id, w.ivan_id, RoleChange("AUDITOR"))
    adopted = c.goals.propose_goal(w.petr, w.cluster_id, GoalProposal(title="T", statement="S")).id
    c.goals.cast_goal_vote(w.petr, w.cluster_id, adopted, GoalVote("OBJECT"))
    c.goals.cast_goal_vote(w.petr, w.cluster_id, adopted, GoalVote("SUPPORT"))
    c.goals.cast_goal_vote(w.ivan, w.cluster_id, adopted, GoalVote("SUPPORT", "SOCIAL"))
    c.goals.close_goal(op, w.cluster_id, adopted)
    c.goals.propose_goal(
        w.ivan, w.cluster_id, GoalProposal(title="Open", statement="S", closes_on=date.max)
    )
    teaching = c.mutual_control.adopt_norm(
        op, w.cluster_id, NormAdoption("Teaching", None, 1, 5, 1.0)
    ).id
    research = c.mutual_control.adopt_norm(
        op, w.cluster_id, NormAdoption("Research", "P", 0, 10, 3.0)
    ).id
    round_id = c.mutual_control.open_assessment_round(
        op, w.cluster_id, RoundOpening("2024/25", [research, teaching])
    ).id
    for who, assessee in ((w.ivan, w.college_id), (w.petr, w.school_id)):
        for norm, score in ((teaching, 2), (research, 7), (teaching, 4)):
            c.mutual_control.record_assessment(
                who, w.cluster_id, round_id, Assessment(assessee, norm, score, "r")
            )
    c.mutual_control.close_assessment_round(op, w.cluster_id, round_id)
    launch = ProjectLaunch(
        "Practicum", "EDUCATION", "EXPERIMENTAL_INNOVATION", adopted, w.school_id,
        [w.college_id], [ResultSpec("Placed", 10, "students"), ResultSpec("Kits", 4)],
    )  # fmt: skip
    project = c.projects.launch_project(op, w.cluster_id, launch)
    today = c.clock.today()
    first = c.projects.plan_milestone(
        op, w.cluster_id, project.id, MilestonePlan("One", today, "Contracts")
    )
    second = c.projects.plan_milestone(op, w.cluster_id, project.id, MilestonePlan("Two", today))
    c.projects.plan_milestone(op, w.cluster_id, project.id, MilestonePlan("Three", today))
    c.projects.reach_milestone(
        op, w.cluster_id, project.id, first.id, MilestoneReach(today, "Done", "https://a.b")
    )
    c.projects.miss_milestone(op, w.cluster_id, project.id, second.id, MilestoneMiss("No budget"))
    c.projects.record_result(
        op, w.cluster_id, project.id, project.expected_results[1].id, ResultMeasurement(3)
    )
    c.registry.withdraw_subject(op, w.cluster_id, w.college_id)

    partition = w.partition
    fake = MemoryReadModel()
    c.projector.catch_up("contract", partition.log, fake, partition.app.mapper)
    sql = partition.read_model

    def both(read: Any) -> tuple[Any, Any]:
        return normalised(read(sql)), normalised(read(fake))

    assert fake.positions() == sql.positions()
    reads = [
        lambda m: m.registry_reader.cluster(),
        lambda m: m.registry_reader.caller(w.petr_id),
        lambda m: m.registry_reader.caller("nobody"),
        lambda m: m.registry_reader.subjects(),
        lambda m: m.registry_reader.subjects(include_inactive=True),
        lambda m: m.registry_reader.subject(w.school_id),
        lambda m: m.registry_reader.members(),
        lambda m: m.registry_reader.members(w.school_id),
        lambda m: m.registry_reader.member(w.ivan_id),
        lambda m: m.registry_reader.role_changes({w.ivan_id, w.petr_id, "nobody"}),
        lambda m: m.goal_reader.goals(),
        lambda m: m.goal_reader.goal(adopted),
        lambda m: m.goal_reader.votes([g.id for g in m.goal_reader.goals()]),
        lambda m: m.mutual_control_reader.norms(),
        lambda m: m.mutual_control_reader.rounds(),
        lambda m: m.mutual_control_reader.assessments(round_id),
        lambda m: m.mutual_control_reader.assessments(round_id, assessor_id=w.school_id),
        lambda m: sorted(tuple(pair) for pair in m.mutual_control_reader.weighted_totals(round_id)),
        lambda m: m.projects_reader.projects(),
        lambda m: m.projects_reader.projects("SCIENCE"),
        lambda m: m.projects_reader.milestone(first.id),
        lambda m: m.projects_reader.result(project.expected_results[1].id),
        lambda m: m.identity_provider_reader.providers(),
    ]
    for read in reads:
        expected, got = both(read)
        assert got == expected
    changes = sql.registry_reader.role_changes({w.ivan_id})[w.ivan_id]
    assert [(r.role, r.granted) for r in changes] == [("AUDITOR", True), ("AUDITOR", False)]
    assert len(sql.registry_reader.members()) == 4 and len(sql.goal_reader.goals()) == 2
    assert len(sql.mutual_control_reader.assessments(round_id)) == 4
