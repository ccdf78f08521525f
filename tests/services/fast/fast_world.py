"""The fast tier's world: the real services on in-memory fakes of their ports,
composed as infra/bootstrap.py composes them, and what its tests share."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fakes import AlwaysHeld, FixedClock, MemoryDirectory, MemoryPartition, MemoryPartitions

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from domain.errors import DomainError
from infra.bootstrap import projector
from services.commands import CommandRunner
from services.goals import GoalService
from services.mutual_control import MutualControlService
from services.principal import Principal
from services.projections.sync import LeasedProjection
from services.projects import ProjectService
from services.queries import ClusterQueries
from services.registry import RegistryService

TODAY = date(2025, 3, 10)


@dataclass
class FastWorld:
    partitions: MemoryPartitions
    directory: MemoryDirectory
    clock: FixedClock
    runner: CommandRunner
    registry: RegistryService
    goals: GoalService
    mutual_control: MutualControlService
    projects: ProjectService
    queries: ClusterQueries
    operator: Principal
    cluster_id: str = ""
    coordinator_id: str = ""
    school_id: str = ""
    college_id: str = ""
    ivan: Principal | None = None  # MEMBER for the school
    ivan_id: str = ""
    petr: Principal | None = None  # MEMBER for the college
    petr_id: str = ""
    anna: Principal | None = None  # AUDITOR, for no subject
    anna_id: str = ""

    @property
    def partition(self) -> MemoryPartition:
        return self.partitions.open(self.cluster_id)

    def head(self) -> int:
        return self.partition.log.head()

    def rows(self) -> Any:
        """The whole read model as it stands (compared before and after a refusal)."""
        return self.partition.read_model.rows

    def events(self) -> list[Any]:
        """The cluster's decoded domain events, in log order."""
        app = self.partition.app
        return [
            app.mapper.to_domain_event(e.stored_event) for e in self.partition.log.read(0, 10_000)
        ]

    def sign_in(self, member_id: str, name: str) -> Principal:
        person = Principal(f"person-{uuid.uuid4().hex[:8]}", name, None, False)
        self.directory.ensure_person(person.person_id, person.name, person.email)
        self.directory.link(person.person_id, self.cluster_id, member_id)
        return person


def empty_world() -> FastWorld:
    """The services composed as infra/bootstrap.py composes them, on the fakes."""
    partitions, directory, clock = MemoryPartitions(), MemoryDirectory(), FixedClock(TODAY)
    proj = projector()
    sync = LeasedProjection(proj, AlwaysHeld(), inline=True)
    runner = CommandRunner(partitions, directory, proj, clock, sync)
    operator = Principal("op-fast", "Olga Operator", "olga@ops.example", True)
    return FastWorld(
        partitions,
        directory,
        clock,
        runner,
        RegistryService(runner),
        GoalService(runner),
        MutualControlService(runner),
        ProjectService(runner),
        ClusterQueries(partitions, directory, proj, clock, sync),
        operator,
    )


def refused(w: FastWorld, call: Callable[[], Any], code: str, field: str | None = None) -> str:
    """``call`` fails with the coded error ``code`` (naming ``field``) and records
    nothing: the log head and every read-model row stay as they were."""
    head, rows = w.head(), copy.deepcopy(w.rows())
    with pytest.raises(DomainError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert w.head() == head
    assert w.rows() == rows
    return caught.value.message


def populated_world() -> FastWorld:
    w = empty_world()
    coordinator = w.operator
    w.cluster_id = w.registry.found_cluster(
        coordinator, ClusterFounding("Tomsk cluster", "Tomsk", "GEOGRAPHIC")
    ).id
    w.coordinator_id = w.directory.member_of(coordinator.person_id, w.cluster_id) or ""
    w.school_id = w.registry.admit_subject(
        coordinator, w.cluster_id, SubjectAdmission("School 5", "SCHOOL", "Tomsk")
    ).subject.id
    w.college_id = w.registry.admit_subject(
        coordinator, w.cluster_id, SubjectAdmission("Tomsk College", "COLLEGE", None)
    ).subject.id
    add = w.registry.add_member
    w.ivan_id = add(
        coordinator, w.cluster_id, MemberAddition("Ivan", None, w.school_id, ["MEMBER"])
    ).member.id
    w.petr_id = add(
        coordinator, w.cluster_id, MemberAddition("Petr", None, w.college_id, ["MEMBER"])
    ).member.id
    w.anna_id = add(
        coordinator, w.cluster_id, MemberAddition("Anna", None, None, ["AUDITOR"])
    ).member.id
    w.ivan = w.sign_in(w.ivan_id, "Ivan")
    w.petr = w.sign_in(w.petr_id, "Petr")
    w.anna = w.sign_in(w.anna_id, "Anna")
    return w
