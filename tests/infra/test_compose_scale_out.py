"""docker-compose runs the API replicas without projections and a worker that
projects for them (there is no Docker engine here: the file is checked)."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def services() -> dict:
    return yaml.safe_load(COMPOSE.read_text())["services"]


def test_the_api_replicas_leave_projections_to_the_worker() -> None:
    api = services()["api"]
    assert api["deploy"]["replicas"] >= 2
    assert "--no-worker" in api["command"]


def test_the_worker_runs_on_the_same_database_with_a_health_check() -> None:
    found = services()
    worker = found["worker"]
    assert worker["command"] == ["clusterwork", "worker"]
    assert worker["environment"] == found["api"]["environment"]  # same database, same keys
    assert (
        "healthcheck" in worker
        and worker["depends_on"]["postgres"]["condition"] == "service_healthy"
    )
