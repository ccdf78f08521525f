"""A populated cluster for the services tests: two subjects, a member of each,
an auditor, and the founding coordinator, each with a signed-in principal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from domain.cluster import MemberAddition, SubjectAdmission
from infra.bootstrap import Container
from infra.partitions import ClusterPartition
from services.dto import ClusterInfo
from services.principal import Principal


@dataclass
class World:
    container: Container
    cluster_id: str
    coordinator: Principal
    coordinator_id: str
    school_id: str
    college_id: str
    ivan: Principal  # MEMBER for the school
    ivan_id: str
    petr: Principal  # MEMBER for the college
    petr_id: str
    anna: Principal  # AUDITOR, for no subject
    anna_id: str

    @property
    def partition(self) -> ClusterPartition:
        return self.container.partitions.open(self.cluster_id)  # type: ignore[return-value]

    def head(self) -> int:
        return self.partition.log.head()

    def principal(self, role: str) -> Principal:
        return {"COORDINATOR": self.coordinator, "MEMBER": self.ivan, "AUDITOR": self.anna}[role]

    def events(self) -> list[Any]:
        """The cluster's decoded domain events, in log order."""
        partition = self.partition
        return [
            partition.app.mapper.to_domain_event(entry.stored_event)
            for entry in partition.log.read(0, 10_000)
        ]


@pytest.fixture
def world(
    container: Container, operator: Principal, cluster: ClusterInfo, member_principal
) -> World:
    registry = container.registry
    coordinator_id = container.directory.member_of(operator.person_id, cluster.id)
    assert coordinator_id is not None
    school = registry.admit_subject(
        operator, cluster.id, SubjectAdmission("School 5", "SCHOOL", "Tomsk")
    ).subject
    college = registry.admit_subject(
        operator, cluster.id, SubjectAdmission("Tomsk College", "COLLEGE", None)
    ).subject
    ivan = registry.add_member(
        operator, cluster.id, MemberAddition("Ivan", "ivan@school5.ru", school.id, ["MEMBER"])
    ).member
    petr = registry.add_member(
        operator, cluster.id, MemberAddition("Petr", None, college.id, ["MEMBER"])
    ).member
    anna = registry.add_member(
        operator, cluster.id, MemberAddition("Anna", None, None, ["AUDITOR"])
    ).member
    return World(
        container,
        cluster.id,
        operator,
        coordinator_id,
        school.id,
        college.id,
        member_principal(ivan.id, name="Ivan"),
        ivan.id,
        member_principal(petr.id, name="Petr"),
        petr.id,
        member_principal(anna.id, name="Anna"),
        anna.id,
    )
