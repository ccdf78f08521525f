"""The demo cluster's projects: one in each direction, with milestones in every
state (planned, reached on time, reached late, missed, overdue).

Dates are days relative to the clock's today, so the demo looks the same
whenever it is seeded: what is overdue stays overdue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from domain.project import (
    MilestoneMiss,
    MilestonePlan,
    MilestoneReach,
    ProjectLaunch,
    ResultMeasurement,
    ResultSpec,
)
from infra.bootstrap import Container
from services.principal import Principal


@dataclass(frozen=True)
class DemoMilestone:
    title: str
    due: int  # days from today
    reached: int | None = None  # days from today; None: not reached
    missed: str | None = None  # the reason, when missed
    evidence: str | None = None


@dataclass(frozen=True)
class DemoProject:
    title: str
    direction: str
    kind: str
    lead: int  # index into demo.SUBJECTS
    partners: tuple[int, ...]
    results: tuple[tuple[str, float, str, float | None], ...]  # indicator, target, unit, actual
    milestones: tuple[DemoMilestone, ...] = field(default=())


PROJECTS = (
    DemoProject(
        "Continuous pedagogical practicum",
        "EDUCATION",
        "EXPERIMENTAL_INNOVATION",
        4,
        (1, 2, 3),
        (
            ("Students placed in partner schools", 120, "students", 96),
            ("Mentor teachers trained", 30, "teachers", 30),
        ),
        (
            DemoMilestone("Practicum agreements signed", -90, reached=-92),
            DemoMilestone("First practicum cohort placed", -45, reached=-40),
            DemoMilestone("Mid-year practicum review", -10),
            DemoMilestone("Joint assessment rubric adopted", 30),
        ),
    ),
    DemoProject(
        "Digital lesson kits for rural schools",
        "EDUCATIONAL_TOOLS",
        "EXPERIMENTAL_INNOVATION",
        5,
        (1, 4),
        (("Lesson kits delivered", 40, "kits", 25),),
        (
            DemoMilestone(
                "Prototype kit tested in School No. 7",
                -60,
                reached=-62,
                evidence="https://edutech.example.uz/reports/prototype-kit",
            ),
            DemoMilestone(
                "Teacher feedback survey",
                -20,
                missed="Schools closed for the flood; the survey moves to spring.",
            ),
            DemoMilestone("Batch of 40 kits shipped", 45),
        ),
    ),
    DemoProject(
        "Teaching careers of the institute's graduates",
        "EDUCATION_SCIENCE",
        "INFORMATION_ANALYTICAL",
        4,
        (7,),
        (("Graduates surveyed", 500, "graduates", None),),
        (
            DemoMilestone("Survey instrument approved", -30, reached=-30),
            DemoMilestone("Field survey completed", -5),
        ),
    ),
    DemoProject(
        "Vocational teachers for the textile industry",
        "EDUCATION_PRODUCTION",
        "SCIENTIFIC_METHODOLOGICAL",
        3,
        (6, 4),
        (("Vocational teachers retrained", 25, "teachers", 12),),
        (
            DemoMilestone("Retraining curriculum approved", -15, reached=-3),
            DemoMilestone("First retraining cohort graduates", 60),
        ),
    ),
    DemoProject(
        "Quality dashboard of the cluster",
        "EDUCATIONAL_MANAGEMENT",
        "SCIENTIFIC_RESEARCH",
        7,
        (4,),
        (("Schools reporting quarterly", 3, "schools", None),),
        (DemoMilestone("Indicators agreed with all subjects", 14),),
    ),
)


def seed_projects(
    container: Container, operator: Principal, cluster_id: str, subjects: list[str]
) -> None:
    """Launches the demo projects and reports on their milestones and results."""
    for spec in PROJECTS:
        launch = ProjectLaunch(
            spec.title,
            spec.direction,
            spec.kind,
            lead_id=subjects[spec.lead],
            partner_ids=[subjects[i] for i in spec.partners],
            expected_results=[ResultSpec(i, t, u) for i, t, u, _ in spec.results],
        )
        project = container.projects.launch_project(operator, cluster_id, launch)
        for result, (_, _, _, actual) in zip(project.expected_results, spec.results, strict=True):
            if actual is not None:
                container.projects.record_result(
                    operator, cluster_id, project.id, result.id, ResultMeasurement(actual)
                )
        for milestone in spec.milestones:
            _report(container, operator, cluster_id, project.id, milestone)


def _report(
    container: Container,
    operator: Principal,
    cluster_id: str,
    project_id: str,
    spec: DemoMilestone,
) -> None:
    projects, today = container.projects, container.clock.today()
    planned = projects.plan_milestone(
        operator,
        cluster_id,
        project_id,
        MilestonePlan(spec.title, today + timedelta(days=spec.due)),
    )
    if spec.reached is not None:
        projects.reach_milestone(
            operator,
            cluster_id,
            project_id,
            planned.id,
            MilestoneReach(
                today + timedelta(days=spec.reached),
                "Done as planned." if spec.reached <= spec.due else "Done, later than planned.",
                spec.evidence,
            ),
        )
    elif spec.missed is not None:
        projects.miss_milestone(
            operator, cluster_id, project_id, planned.id, MilestoneMiss(spec.missed)
        )
