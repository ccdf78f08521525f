"""Seeds a realistic demo cluster once: the Fergana Valley pedagogical
education cluster around the Kokand State Pedagogical Institute."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from domain.cluster import ClusterFounding, InterestDeclaration, MemberAddition, SubjectAdmission
from infra.bootstrap import Container
from infra.demo_goals import seed_goals
from infra.demo_mutual_control import seed_mutual_control
from infra.demo_projects import seed_projects
from services.principal import Principal

MARKER = "demo-cluster.json"

# name, kind, region. No research institute: the demo shows a continuity gap.
SUBJECTS = [
    ("Kokand Kindergarten No. 12", "PRESCHOOL", "Kokand"),
    ("Kokand School No. 7", "SCHOOL", "Kokand"),
    ("Kokand Specialised School No. 21", "SCHOOL", "Kokand"),
    ("Kokand Pedagogical College", "COLLEGE", "Kokand"),
    ("Kokand State Pedagogical Institute", "UNIVERSITY", "Kokand"),
    ("Fergana EduTech Works", "ENTERPRISE", "Fergana"),
    ("Fergana Textile Combine", "ENTERPRISE", "Fergana"),
    ("Kokand City Department of Public Education", "MANAGEMENT_BODY", "Kokand"),
]

INTERESTS = [
    (4, "ECONOMIC", "Paid practicum places for students in partner schools."),
    (4, "SOCIAL", "Graduates teach in the schools of the region."),
    (1, "SOCIAL", "Every pupil continues to college or university without a gap."),
    (3, "LEGAL", "A joint curriculum agreement recognised by the ministry."),
    (5, "ECONOMIC", "Trained teachers of vocational subjects for our training centre."),
]

# name, email, subject index or None, roles
MEMBERS = [
    ("Dilnoza Karimova", "d.karimova@kspi.uz", 4, ["COORDINATOR", "MEMBER"]),
    ("Bakhtiyor Rakhimov", "b.rakhimov@kokand-edu.uz", 7, ["COORDINATOR"]),
    ("Malika Yusupova", "m.yusupova@school7.uz", 1, ["MEMBER"]),
    ("Otabek Nazarov", "o.nazarov@college.uz", 3, ["MEMBER"]),
    ("Gulnora Saidova", "g.saidova@kg12.uz", 0, ["MEMBER"]),
    ("Sherzod Aliev", "s.aliev@edutech.uz", 5, ["MEMBER"]),
    ("Nodira Ismoilova", "n.ismoilova@audit.uz", None, ["AUDITOR"]),
]


@dataclass(frozen=True)
class Demo:
    cluster_id: str
    coordinator_member_id: str


def seed_demo(container: Container, operator: Principal) -> Demo:
    """Seeds the demo cluster unless this data directory already has it."""
    marker = container.settings.data_dir / MARKER
    if marker.exists():
        known = json.loads(marker.read_text())
        if container.directory.has_cluster(known["cluster_id"]):
            return Demo(**known)
    demo = _seed(container, operator)
    _write(marker, demo)
    return demo


def _seed(container: Container, operator: Principal) -> Demo:
    registry = container.registry
    cluster = registry.found_cluster(
        operator,
        ClusterFounding(
            "Fergana Valley Pedagogical Education Cluster", "Fergana Region", "VERTICAL"
        ),
    )
    subjects = [
        registry.admit_subject(operator, cluster.id, SubjectAdmission(*s)).subject.id
        for s in SUBJECTS
    ]
    for index, kind, statement in INTERESTS:
        registry.declare_interest(
            operator, cluster.id, subjects[index], InterestDeclaration(kind, statement)
        )
    coordinator = None
    for name, email, subject_index, roles in MEMBERS:
        subject = subjects[subject_index] if subject_index is not None else None
        member = registry.add_member(
            operator, cluster.id, MemberAddition(name, email, subject, roles)
        ).member
        coordinator = coordinator or member.id
    assert coordinator is not None
    seed_goals(container, operator, cluster.id, subjects)
    seed_projects(container, operator, cluster.id, subjects)
    seed_mutual_control(container, operator, cluster.id, subjects)
    return Demo(cluster.id, coordinator)


def _write(marker: Path, demo: Demo) -> None:
    marker.write_text(
        json.dumps(
            {"cluster_id": demo.cluster_id, "coordinator_member_id": demo.coordinator_member_id}
        )
    )
