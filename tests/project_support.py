"""What the project tests share: a fixed clock, a fresh container on the
parametrised backend composed with it, and short ways to launch and plan.

Self-contained because the GraphQL tests' own ``container`` is SQLite-only and
the project tests run on both backends wherever they live. Import the fixtures
into a test module (``from project_support import clock, container,
project_database``) so that they replace ``container`` for that module only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from pg_support import fresh_database

from domain.project import MilestonePlan, ProjectLaunch, ResultSpec
from infra.bootstrap import Container, bootstrap
from infra.settings import Settings
from services.principal import Principal

TODAY = date(2025, 3, 10)


class FixedClock:
    """A hand-written fake of services.ports.clock.Clock: today is what the test says."""

    def __init__(self, today: date) -> None:
        self.day = today

    def today(self) -> date:
        return self.day

    def now(self) -> datetime:
        return datetime.combine(self.day, time(12), tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(TODAY)


@pytest.fixture(scope="module")
def project_database() -> Iterator[str]:
    """A fresh PostgreSQL database per module; each test founds its own cluster
    (its own schema), so tests stay apart. Unreachable: skip, which the root
    conftest turns into a failure under CI=true."""
    with fresh_database("cw_project") as url:
        yield url


@pytest.fixture
def container(
    backend: str, request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> Iterator[Container]:
    """A fresh container on the parametrised backend, built by the real
    composition root with the fixed clock."""
    url = request.getfixturevalue("project_database") if backend == "postgres" else None
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        data_dir=tmp_path / "data",
        database_url=url,
        signing_key_path=tmp_path / "data" / "signing-key.jwk",
        log_level="WARNING",
    )
    built = bootstrap(settings, clock=clock)
    yield built
    built.close()


def launch(world: Any, principal: Principal | None = None, **overrides: Any) -> Any:
    """Launches a project led by the school with the college as partner."""
    values: dict[str, Any] = {
        "title": "Pedagogical practicum",
        "direction": "EDUCATION",
        "kind": "EXPERIMENTAL_INNOVATION",
        "lead_id": world.school_id,
        "partner_ids": [world.college_id],
        "expected_results": [ResultSpec("Students placed", 10, "students")],
    }
    values.update(overrides)
    return world.container.projects.launch_project(
        principal or world.coordinator, world.cluster_id, ProjectLaunch(**values)
    )


def plan(world: Any, project_id: str, due: date, principal: Principal | None = None) -> str:
    milestone = world.container.projects.plan_milestone(
        principal or world.coordinator,
        world.cluster_id,
        project_id,
        MilestonePlan(f"Due {due}", due),
    )
    return milestone.id
