"""Fixtures for the goal tests: a container with a settable clock, on SQLite
and on PostgreSQL, and a cluster of three voting subjects.

Self-contained on purpose: the GraphQL tests' own ``container`` is SQLite-only,
and these tests must run on both backends wherever they live. A test module
loads the fixtures with ``pytest_plugins = ["goal_support"]``. No asserts live
here, so it needs no assertion rewriting: PYTEST_DONT_REWRITE.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest
from pg_support import fresh_database

from domain.cluster import ClusterFounding, MemberAddition, SubjectAdmission
from infra.bootstrap import Container, bootstrap
from infra.settings import Settings
from services.principal import Principal

TODAY = date(2031, 3, 14)


class SettableClock:
    """The services' Clock, at a day the test chooses (a fake, not a mock)."""

    def __init__(self, today: date = TODAY) -> None:
        self.day = today

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12, 0), tzinfo=UTC)

    def advance(self, days: int) -> None:
        self.day += timedelta(days=days)


@pytest.fixture
def goal_clock() -> SettableClock:
    return SettableClock()


@pytest.fixture(scope="module")
def goal_database() -> Iterator[str]:
    """One database per module: every test founds its own cluster (its own
    schema), so tests stay apart without dropping schemas after each one."""
    with fresh_database("cw_goal") as url:
        yield url


@pytest.fixture
def goal_container(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, goal_clock: SettableClock
) -> Iterator[Container]:
    """A fresh container on the parametrised backend, its clock at TODAY."""
    url = request.getfixturevalue("goal_database") if backend == "postgres" else None
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=url,
        signing_key_path=tmp_path / "data" / "signing-key.jwk",
        log_level="WARNING",
    )
    built = bootstrap(settings, clock=goal_clock)
    yield built
    close(built)


def close(container: Container) -> None:
    """Returns the container's connections (the database is dropped later)."""
    container.close()


@dataclass
class GoalWorld:
    """A cluster with a kindergarten, a school and a college, a MEMBER of each,
    an AUDITOR, a MEMBER for no subject, and the coordinator (for no subject)."""

    container: Container
    cluster_id: str
    coordinator: Principal
    subjects: dict[str, str]  # "kindergarten" | "school" | "college" -> subject id
    voters: dict[str, Principal]  # same keys -> the MEMBER acting for that subject
    voter_ids: dict[str, str]  # same keys -> member id
    auditor: Principal
    unattached: Principal  # MEMBER role, acts for no subject

    def head(self) -> int:
        return self.container.partitions.open(self.cluster_id).log.head()

    def events(self, *types: str) -> list[Any]:
        """Decoded events of the given types, in log order."""
        partition = self.container.partitions.open(self.cluster_id)
        return [
            partition.app.mapper.to_domain_event(e.stored_event)
            for e in partition.log.read(0, 100_000)
            if e.type in types
        ]


KEYS = ("kindergarten", "school", "college")
KINDS = {"kindergarten": "PRESCHOOL", "school": "SCHOOL", "college": "COLLEGE"}


@pytest.fixture
def goal_world(goal_container: Container) -> GoalWorld:
    container, registry = goal_container, goal_container.registry
    coordinator = Principal(f"op-{uuid.uuid4().hex[:8]}", "Olga Coordinator", None, True)
    cluster_id = registry.found_cluster(
        coordinator, ClusterFounding("Tomsk cluster", "Tomsk", "VERTICAL")
    ).id
    subjects = {
        k: registry.admit_subject(
            coordinator, cluster_id, SubjectAdmission(k.title(), KINDS[k], None)
        ).subject.id
        for k in KEYS
    }
    voter_ids = {
        k: registry.add_member(
            coordinator, cluster_id, MemberAddition(f"Voter {k}", None, subjects[k], ["MEMBER"])
        ).member.id
        for k in KEYS
    }
    auditor = registry.add_member(
        coordinator, cluster_id, MemberAddition("Anna", None, None, ["AUDITOR"])
    ).member.id
    loose = registry.add_member(
        coordinator, cluster_id, MemberAddition("Lev", None, None, ["MEMBER"])
    ).member.id
    return GoalWorld(
        container,
        cluster_id,
        coordinator,
        subjects,
        {k: person(container, cluster_id, voter_ids[k]) for k in KEYS},
        voter_ids,
        person(container, cluster_id, auditor),
        person(container, cluster_id, loose),
    )


def person(container: Container, cluster_id: str, member_id: str) -> Principal:
    """A signed-in person acting as ``member_id``."""
    found = Principal(f"person-{uuid.uuid4().hex[:8]}", "Someone", None, False)
    container.directory.ensure_person(found.person_id, found.name, None)
    container.directory.link(found.person_id, cluster_id, member_id)
    return found
